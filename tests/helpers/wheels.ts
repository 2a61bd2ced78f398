/**
 * Pure-Python wheels made in the test, a Pyodide lock file naming them, and
 * a loopback package index serving them, so the package tests need no
 * network. Wheels are built byte for byte the same every time (fixed
 * timestamps), so their sha256, and the snapshot built with them, stay
 * stable across runs.
 */
import { zipSync } from "npm:fflate@0.8.2";
import { pyodideLockText } from "../../src/host/assets.ts";
import { sha256Hex } from "../../src/sha256.ts";

/** A package to build: its modules' sources by path inside the wheel. */
export interface WheelSpec {
  name: string;
  version: string;
  files: Record<string, string>;
  depends?: string[];
  imports: string[];
}

/** A built wheel and its lock file entry. */
export interface BuiltWheel {
  fileName: string;
  bytes: Uint8Array;
  entry: Record<string, unknown>;
}

const MTIME = new Date("2026-01-01T00:00:00Z");

/** Build `spec` as a `py3-none-any` wheel with METADATA, WHEEL and RECORD. */
export async function buildWheel(spec: WheelSpec): Promise<BuiltWheel> {
  const dist = spec.name.replace(/-/g, "_");
  const info = `${dist}-${spec.version}.dist-info`;
  const text: Record<string, string> = {
    ...spec.files,
    [`${info}/METADATA`]: `Metadata-Version: 2.1\nName: ${spec.name}\nVersion: ${spec.version}\n`,
    [`${info}/WHEEL`]:
      "Wheel-Version: 1.0\nGenerator: pyfence-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
  };
  text[`${info}/RECORD`] = Object.keys(text).map((p) => `${p},,\n`).join("") + `${info}/RECORD,,\n`;
  const entries = Object.fromEntries(
    Object.entries(text).map((
      [path, body],
    ) => [path, [new TextEncoder().encode(body), { mtime: MTIME }] as const]),
  );
  const bytes = zipSync(entries as Parameters<typeof zipSync>[0], { level: 6, mtime: MTIME });
  const fileName = `${dist}-${spec.version}-py3-none-any.whl`;
  return {
    fileName,
    bytes,
    entry: {
      name: spec.name,
      version: spec.version,
      file_name: fileName,
      sha256: await sha256Hex(bytes),
      depends: spec.depends ?? [],
      imports: spec.imports,
      install_dir: "site",
      package_type: "package",
      unvendored_tests: false,
      tool: {},
    },
  };
}

/** A lock file: this Pyodide's `info`, and `entries` as its packages. */
export async function lockFile(entries: Record<string, unknown>[]): Promise<string> {
  const { info } = JSON.parse(await pyodideLockText());
  return JSON.stringify({
    info,
    packages: Object.fromEntries(entries.map((e) => [String(e.name), e])),
  });
}

/** A loopback package index; `requests` lists every path asked for. */
export interface Index {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

/** A body that arrives in 8 pieces over `ms` milliseconds. */
function trickle(bytes: Uint8Array, ms: number): ReadableStream<Uint8Array> {
  const step = Math.ceil(bytes.length / 8);
  let offset = 0;
  return new ReadableStream({
    async pull(controller) {
      await new Promise((resolve) => setTimeout(resolve, ms / 8));
      controller.enqueue(bytes.slice(offset, offset + step));
      offset += step;
      if (offset >= bytes.length) controller.close();
    },
  });
}

/**
 * Serve `files` (file name → bytes) on 127.0.0.1 for at most 5 minutes;
 * anything else is a 404. A file named in `slowMs` arrives over that long.
 */
export function serveIndex(
  files: Record<string, Uint8Array>,
  slowMs: Record<string, number> = {},
): Index {
  const requests: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) => {
      const name = decodeURIComponent(new URL(req.url).pathname.slice(1));
      requests.push(name);
      if (!Object.hasOwn(files, name)) return new Response("not found", { status: 404 });
      const body = Object.hasOwn(slowMs, name) ? trickle(files[name], slowMs[name]) : files[name];
      return new Response(body as BodyInit, {
        headers: { "content-length": String(files[name].length) },
      });
    },
  );
  const timer = setTimeout(() => server.shutdown(), 300_000);
  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    requests,
    close: () => {
      clearTimeout(timer);
      return server.shutdown();
    },
  };
}
