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
 * - Less to see: it has no command-line arguments (the channel's address
 *   and token come through its environment, which workers cannot read), and
 *   its working directory is an empty one inside a fresh private directory
 *   (mode 0700), removed when it exits, so `Deno.cwd()` in it names a
 *   random temporary path, never the host's directory. (Pyodide resolves
 *   paths against the working directory as it boots: it must exist.)
 * - glibc's malloc is told to keep large blocks out of its heap
 *   (`GLIBC_TUNABLES`: a fixed mmap threshold, and a trim threshold, of
 *   128 KiB): by default it raises the mmap threshold after each large
 *   free, so buffers a run allocated (a fetched body, its base64) come to
 *   live in heap arenas that outlive the run's worker. Measured: a process
 *   serving runs that fetch 4 × 6 MiB each went from 293 to 396 MiB over 8
 *   runs by default, and stayed at 221-223 MiB with these settings.
 * - Deno's permission audit (`DENO_AUDIT_PERMISSIONS`, Deno 2.5 and later)
 *   logs every permission check of the process, its workers' included, to a
 *   file in that private directory. The host opens the file as soon as the
 *   process has connected and then unlinks it: from then on only the two
 *   open descriptors, Deno's writer and the host's reader, reach it
 *   (`host/permission_audit.ts` reads it).
 *
 * @module
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { SUPERVISOR_JS, WORKER_JS } from "../generated/sandbox_code.ts";
import { GUARD_FILES } from "../generated/guard_files.ts";
import { PYODIDE_ASM, PYODIDE_DIR, PYODIDE_ENTRY, pyodidePath } from "./assets.ts";
import { cacheDir } from "./cache_dir.ts";
import { markUsed } from "./cache_prune.ts";
import { type Channel, listenPrivate } from "./channel.ts";
import { ADDRESS_ENV, formatAddress, TOKEN_ENV } from "../protocol/channel.ts";
import type { SupervisorInit } from "../protocol/supervisor_init.ts";
import type { WorkerPermissions } from "../capabilities/permissions.ts";
import { v8HeapMb } from "./process_limits.ts";
import { sha256Hex } from "../sha256.ts";

/**
 * A directory that can never be created: `DENO_DIR` and the temporary
 * directory of every sandbox process. (On Windows, the NUL device; untested.)
 */
const NOWHERE = Deno.build.os === "windows" ? "\\\\.\\NUL\\pyfence" : "/dev/null/pyfence";

/** glibc's malloc settings for a sandbox process (see the module's notes). */
const MALLOC_TUNABLES = "glibc.malloc.mmap_threshold=131072:glibc.malloc.trim_threshold=131072";

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
  await markUsed(dir);
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
    `--allow-env=${TOKEN_ENV},${ADDRESS_ENV}`,
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
  /** Its permission audit, open for reading, unlinked (when asked for); the caller closes it. */
  audit?: Deno.FsFile;
  /** What the process may access, to tell its own permission checks from refused ones. */
  grants: ProcessGrants;
}

/** The paths and hosts a sandbox process was granted beyond its workers' permissions. */
export interface ProcessGrants {
  /** Directories and files it may read (its code, Pyodide, the snapshot, the socket). */
  read: string[];
  /** Paths it may write (the socket). */
  write: string[];
  /** Net descriptors beyond its workers' (the channel). */
  net: string[];
  /** Environment variables it may read (the channel's). */
  env: string[];
  /** Its working directory: private, empty. */
  cwd: string;
}

/**
 * Start a sandbox process, wait (up to `timeoutMs`) for it to connect and
 * present its token, and send it `init`. `read` and `write` are extra paths
 * it may access; `audit` asks for its permission audit.
 */
export async function launch(
  init: LaunchInit,
  access: { read?: string[]; write?: string[]; timeoutMs: number; audit?: boolean },
): Promise<Launched> {
  const code = await sandboxCode();
  if (init.snapshotPath) await markUsed(init.snapshotPath);
  const listener = await listenPrivate();
  // mkdtemp: mode 0700, this user's only.
  const home = await Deno.makeTempDir({ prefix: "pyfence-process-" });
  const cwd = join(home, "cwd");
  const auditPath = join(home, "permissions.jsonl");
  const read = [code.dir, ...listener.paths, ...access.read ?? []];
  const grants: ProcessGrants = {
    // sandboxFlags adds Pyodide's directory to `read`.
    read: [pyodidePath(), ...read],
    write: [...listener.paths, ...access.write ?? []],
    net: listener.net,
    env: [TOKEN_ENV, ADDRESS_ENV],
    cwd,
  };
  let child: Deno.ChildProcess;
  try {
    await Deno.mkdir(cwd);
    child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        ...sandboxFlags(init.permissions, {
          read,
          write: grants.write,
          net: grants.net,
          memoryMb: init.memoryMb,
        }),
        code.supervisor,
      ],
      cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      clearEnv: true,
      env: {
        [TOKEN_ENV]: listener.token,
        [ADDRESS_ENV]: formatAddress(listener.address),
        ...access.audit ? { DENO_AUDIT_PERMISSIONS: auditPath } : {},
        DENO_DIR: NOWHERE,
        TMPDIR: NOWHERE,
        TMP: NOWHERE,
        TEMP: NOWHERE,
        NO_COLOR: "1",
        DENO_NO_UPDATE_CHECK: "1",
        GLIBC_TUNABLES: MALLOC_TUNABLES,
      },
    }).spawn();
  } catch (err) {
    await listener.close();
    await Deno.remove(home, { recursive: true }).catch(() => {});
    throw err;
  }
  // Its working directory stays while it runs (Pyodide resolves paths against it).
  child.status.then(() => Deno.remove(home, { recursive: true })).catch(() => {});
  let timer: ReturnType<typeof setTimeout> | undefined;
  const gone = Promise.race([
    child.status,
    new Promise((resolve) => timer = setTimeout(resolve, access.timeoutMs)),
  ]);
  let audit: Deno.FsFile | undefined;
  try {
    const channel = await listener.accept(gone);
    // Deno created the audit file as the process started; keep it open and
    // unlink it, with the working directory, now that nothing else needs a path.
    if (access.audit) {
      audit = await Deno.open(auditPath, { read: true });
      await Deno.remove(auditPath);
    }
    await channel.send({
      t: "init",
      init: {
        ...init,
        pyodideDir: PYODIDE_DIR.href,
        workerUrl: code.worker.href,
        guardFiles: { ...GUARD_FILES },
      },
    });
    return { child, channel, audit, grants };
  } catch (err) {
    audit?.close();
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
