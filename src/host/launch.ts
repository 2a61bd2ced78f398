/**
 * How a sandbox process is started, the same way for serving and for
 * building a snapshot, wherever pyfence itself was imported from.
 *
 * - Its code is the generated bundle (`src/generated/sandbox_code.ts`),
 *   written into the cache directory under a name derived from its content,
 *   next to the worker's entry module, which imports Pyodide's JavaScript
 *   from its npm package by file URL, wherever Deno placed it. It is run
 *   with `--no-config --no-npm --no-remote`: it needs no `deno.json`,
 *   resolves nothing, and the caller needs no `--unstable-*` flag.
 * - It may read only its own code, the Pyodide package and the files the
 *   caller names (the snapshot); read and write only its channel's socket
 *   (and the snapshot being built); reach only its workers' network.
 * - Its stdin is closed; its stdout and stderr are the caller's to drain.
 * - `DENO_DIR` and the temporary directory point at a path that cannot be
 *   created (under `/dev/null`), so nothing in it, and nothing a worker does
 *   (the Cache API writes under these on Deno 2.9 and 2.5 respectively,
 *   with no permission), can store anything on disk.
 *
 * @module
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { SUPERVISOR_JS, WORKER_JS } from "../generated/sandbox_code.ts";
import { GUARD_FILES } from "../generated/guard_files.ts";
import { PYODIDE_ASM, PYODIDE_DIR, PYODIDE_ENTRY, pyodidePath } from "./assets.ts";
import { cacheDir } from "./cache_dir.ts";
import { type Channel, listenPrivate } from "./channel.ts";
import { formatAddress, TOKEN_ENV } from "../protocol/channel.ts";
import type { SupervisorInit } from "../protocol/supervisor_init.ts";
import type { WorkerPermissions } from "../capabilities/permissions.ts";
import { v8HeapMb } from "./process_limits.ts";
import { sha256Hex } from "../sha256.ts";

/**
 * A directory that can never be created: `DENO_DIR` and the temporary
 * directory of every sandbox process. (On Windows, the NUL device; untested.)
 */
const NOWHERE = Deno.build.os === "windows" ? "\\\\.\\NUL\\pyfence" : "/dev/null/pyfence";

/** What a sandbox process is started with, beyond what the launch supplies itself. */
export type LaunchInit = Omit<SupervisorInit, "pyodideDir" | "workerUrl" | "guardFiles">;

/** Where the sandbox process's code was written. */
interface SandboxCode {
  /** The directory holding it. */
  dir: string;
  /** The supervisor script. */
  supervisor: string;
  /** The worker's entry module. */
  worker: URL;
}

let key: Promise<string> | undefined;

/** Write `text` to `path` unless it already holds exactly that; atomically. */
async function ensureFile(path: string, text: string): Promise<void> {
  try {
    if (await Deno.readTextFile(path) === text) return;
  } catch {
    // missing: write it
  }
  const tmp = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.writeTextFile(tmp, text);
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
}

/**
 * The sandbox process's code in the cache directory, in a directory named
 * by its content. Checked (and rewritten if it changed or went missing, as
 * after `pyfence cache clear`) before every launch: reading it back costs
 * about a millisecond.
 */
async function sandboxCode(): Promise<SandboxCode> {
  const files: Record<string, string> = {
    "supervisor.js": SUPERVISOR_JS,
    "runtime.js": WORKER_JS,
    "worker.js": `import { loadPyodide } from ${JSON.stringify(PYODIDE_ENTRY.href)};\n` +
      `import createPyodideModule from ${JSON.stringify(PYODIDE_ASM.href)};\n` +
      `import { start } from "./runtime.js";\n` +
      `start({ loadPyodide, createPyodideModule });\n`,
  };
  key ??= sha256Hex(JSON.stringify(Object.entries(files))).then((hex) => hex.slice(0, 24));
  const dir = join(cacheDir(), `sandbox-${await key}`);
  await Deno.mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) await ensureFile(join(dir, name), text);
  return {
    dir,
    supervisor: join(dir, "supervisor.js"),
    worker: pathToFileURL(join(dir, "worker.js")),
  };
}

/**
 * The `deno run` flags of a sandbox process, apart from its code and its
 * channel; exported so `policy explain` can show them.
 */
export function sandboxFlags(
  permissions: WorkerPermissions,
  access: { read?: string[]; write?: string[]; net?: string[]; memoryMb?: number } = {},
): string[] {
  const read = [pyodidePath(), ...access.read ?? []];
  const net = [...permissions.net || [], ...access.net ?? []];
  const flags = [
    "--quiet",
    "--no-prompt",
    "--no-config",
    "--no-lock",
    "--no-npm",
    "--no-remote",
    "--no-code-cache",
    "--unstable-worker-options",
    `--allow-read=${read.join(",")}`,
    `--allow-env=${TOKEN_ENV}`,
    // Pyodide's memory lives outside this heap (capped by the wasm maximum);
    // this caps what JavaScript itself allocates in each isolate.
    `--v8-flags=--max-old-space-size=${v8HeapMb(access.memoryMb)}`,
  ];
  if (access.write?.length) flags.push(`--allow-write=${access.write.join(",")}`);
  if (net.length) flags.push(`--allow-net=${net.join(",")}`);
  return flags;
}

/** A started sandbox process and its authenticated channel. */
export interface Launched {
  child: Deno.ChildProcess;
  channel: Channel;
}

/**
 * Start a sandbox process, wait (up to `timeoutMs`) for it to connect and
 * present its token, and send it `init`. `read` and `write` are extra paths
 * it may access.
 */
export async function launch(
  init: LaunchInit,
  access: { read?: string[]; write?: string[]; timeoutMs: number },
): Promise<Launched> {
  const code = await sandboxCode();
  const listener = await listenPrivate();
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        ...sandboxFlags(init.permissions, {
          read: [code.dir, ...listener.paths, ...access.read ?? []],
          write: [...listener.paths, ...access.write ?? []],
          net: listener.net,
          memoryMb: init.memoryMb,
        }),
        code.supervisor,
        formatAddress(listener.address),
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      clearEnv: true,
      env: {
        [TOKEN_ENV]: listener.token,
        DENO_DIR: NOWHERE,
        TMPDIR: NOWHERE,
        TMP: NOWHERE,
        TEMP: NOWHERE,
        NO_COLOR: "1",
        DENO_NO_UPDATE_CHECK: "1",
      },
    }).spawn();
  } catch (err) {
    await listener.close();
    throw err;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const gone = Promise.race([
    child.status,
    new Promise((resolve) => timer = setTimeout(resolve, access.timeoutMs)),
  ]);
  try {
    const channel = await listener.accept(gone);
    await channel.send({
      t: "init",
      init: {
        ...init,
        pyodideDir: PYODIDE_DIR.href,
        workerUrl: code.worker.href,
        guardFiles: { ...GUARD_FILES },
      },
    });
    return { child, channel };
  } catch (err) {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    // The caller never sees this child: reap it here, keeping what it said.
    child.stdout.cancel().catch(() => {});
    const said = await new Response(child.stderr).text().catch(() => "");
    await child.status;
    const tail = said.trim().slice(-2000);
    throw new Error(tail ? `${(err as Error).message}: ${tail}` : (err as Error).message);
  } finally {
    clearTimeout(timer);
  }
}

/** Read `stream` to its end, passing each chunk to `count`. */
export async function drain(
  stream: ReadableStream<Uint8Array>,
  count: (chunk: Uint8Array) => void,
): Promise<void> {
  try {
    for await (const chunk of stream) count(chunk);
  } catch {
    // the process is gone
  }
}
