/**
 * The Pyodide memory snapshot every worker boots from: Pyodide initialised,
 * the guard imported and the policy's allowed modules pre-imported. Built once
 * in a sandbox process (the only write it may do is this one file) and cached
 * on disk, keyed by Pyodide version, guard sources and the preloaded modules.
 *
 * @module
 */
import { join } from "node:path";
import { GUARD_DIR, guardSources, PYODIDE_DIR, PYODIDE_VERSION, WORKER_URL } from "./assets.ts";
import { spawnSandbox } from "./process.ts";
import { readLines } from "../protocol/lines.ts";
import { parseSandboxLine } from "../protocol/messages.ts";

/**
 * The directory snapshots are cached in: `$PYFENCE_CACHE_DIR`, else
 * `pyfence/` under the Deno cache directory.
 */
export function cacheDir(): string {
  const explicit = Deno.env.get("PYFENCE_CACHE_DIR");
  if (explicit) return explicit;
  const denoDir = Deno.env.get("DENO_DIR") ??
    join(Deno.env.get("XDG_CACHE_HOME") ?? join(Deno.env.get("HOME") ?? ".", ".cache"), "deno");
  return join(denoDir, "pyfence");
}

/** The cache key of a snapshot with these preloaded modules. */
export async function snapshotKey(preload: string[]): Promise<string> {
  const sources = await guardSources();
  const material = JSON.stringify({
    pyodide: PYODIDE_VERSION,
    guard: Object.entries(sources).sort(),
    preload: [...new Set(preload)].sort(),
  });
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(material));
  return Array.from(new Uint8Array(digest).slice(0, 12), (b) => b.toString(16).padStart(2, "0"))
    .join("");
}

const MODULE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
// One build (or cache lookup) per module set per host process; later runs
// reuse the path without hashing the guard sources again.
const building = new Map<string, Promise<string>>();

/**
 * The path of a snapshot for `preload`, building it first if it is not
 * cached. Concurrent callers in one process share one build; concurrent
 * processes each write a temporary file and rename it into place.
 */
export function ensureSnapshot(preload: string[]): Promise<string> {
  const modules = [...new Set(preload)].sort();
  const bad = modules.find((m) => !MODULE_NAME.test(m));
  if (bad !== undefined) return Promise.reject(new Error(`not a module name: ${bad}`));
  const id = modules.join(",");
  let promise = building.get(id);
  if (!promise) {
    promise = build(modules);
    promise.catch(() => building.delete(id));
    building.set(id, promise);
  }
  return promise;
}

async function build(preload: string[]): Promise<string> {
  const dir = cacheDir();
  const path = join(dir, `snapshot-${await snapshotKey(preload)}.bin`);
  try {
    if ((await Deno.stat(path)).size > 0) return path;
  } catch {
    // not cached yet
  }
  await Deno.mkdir(dir, { recursive: true });
  const tmp = `${path}.${crypto.randomUUID()}.tmp`;
  const child = spawnSandbox(
    {
      mode: "snapshot",
      pyodideDir: PYODIDE_DIR.href,
      guardDir: GUARD_DIR.href,
      workerUrl: WORKER_URL.href,
      snapshotOut: tmp,
      preload,
      permissions: {
        read: false,
        write: false,
        net: false,
        env: false,
        run: false,
        ffi: false,
        sys: false,
        import: false,
      },
      unguarded: false,
      graceMs: 0,
    },
    [],
    [tmp],
  );
  child.stdin.close();
  const stderr = new Response(child.stderr).text();
  let error = "";
  try {
    for await (const line of readLines(child.stdout, 1 << 20)) {
      const message = parseSandboxLine(line);
      if (message && "t" in message && message.t === "fatal") error = message.message;
    }
  } finally {
    await child.status;
  }
  try {
    const size = (await Deno.stat(tmp)).size;
    if (!size) throw new Error("empty snapshot");
    await Deno.rename(tmp, path);
  } catch {
    await Deno.remove(tmp).catch(() => {});
    throw new Error(`building the Pyodide snapshot failed: ${error || await stderr}`);
  }
  return path;
}
