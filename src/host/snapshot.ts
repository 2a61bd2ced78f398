/**
 * The Pyodide memory snapshot every worker boots from: Pyodide initialised,
 * the guard imported, the policy's packages on `sys.path` and its allowed
 * modules and the packages' modules pre-imported. Built once in a sandbox
 * process started the same way as every other (the only write it may do is
 * this one file; it may read the cached wheels) and cached on disk, keyed by
 * Pyodide version, guard sources, the preloaded modules and the packages'
 * wheels (file name and sha256).
 *
 * @module
 */
import { join } from "node:path";
import { PYODIDE_VERSION } from "./assets.ts";
import { GUARD_FILES } from "../generated/guard_files.ts";
import { WORKER_JS } from "../generated/sandbox_code.ts";
import { cacheDir } from "./cache_dir.ts";
import { markUsed, pruneStale } from "./cache_prune.ts";
import { drain, launch } from "./launch.ts";
import { parseSandboxLine } from "../protocol/messages.ts";
import { sha256Hex } from "../sha256.ts";
import type { PackageFile } from "./packages.ts";
import type { Wheel } from "../protocol/supervisor_init.ts";

const CONNECT_TIMEOUT_MS = 60_000;
const STDERR_KEEP = 8192;

/** The cache key of a snapshot with these preloaded modules and packages. */
export async function snapshotKey(
  preload: string[],
  packages: readonly PackageFile[] = [],
): Promise<string> {
  const material = JSON.stringify({
    pyodide: PYODIDE_VERSION,
    guard: Object.entries(GUARD_FILES).sort(),
    // The worker runtime installs the guard and takes the snapshot.
    worker: WORKER_JS,
    preload: [...new Set(preload)].sort(),
    // The snapshot holds what the interpreter read of each wheel (its
    // directory, its modules); every boot must find the very same bytes.
    packages: packages.map((p) => [p.fileName, p.sha256]).sort(),
  });
  return (await sha256Hex(material)).slice(0, 24);
}

const MODULE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
// One build (or cache lookup) per module set per host process; later runs
// reuse the path without hashing the guard sources again.
const building = new Map<string, Promise<string>>();

/**
 * The path of a snapshot for `preload` and `packages`, building it first if
 * it is not cached. Concurrent callers in one process share one build;
 * concurrent processes each write a temporary file and rename it into place.
 */
export function ensureSnapshot(
  preload: string[],
  packages: readonly PackageFile[] = [],
): Promise<string> {
  const modules = [...new Set(preload)].sort();
  const bad = modules.find((m) => !MODULE_NAME.test(m));
  if (bad !== undefined) return Promise.reject(new Error(`not a module name: ${bad}`));
  const id = JSON.stringify([modules, packages.map((p) => p.path).sort()]);
  let promise = building.get(id);
  if (!promise) {
    promise = build(modules, packages);
    promise.catch(() => building.delete(id));
    building.set(id, promise);
  }
  return promise;
}

async function build(preload: string[], packages: readonly PackageFile[]): Promise<string> {
  const dir = cacheDir();
  const path = join(dir, `snapshot-${await snapshotKey(preload, packages)}.bin`);
  try {
    if ((await Deno.stat(path)).size > 0) {
      await markUsed(path);
      return path;
    }
  } catch {
    // not cached yet
  }
  await Deno.mkdir(dir, { recursive: true });
  const tmp = `${path}.${crypto.randomUUID()}.tmp`;
  const { child, channel } = await launch(
    {
      mode: "snapshot",
      snapshotOut: tmp,
      preload,
      packages: wheels(packages),
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
    { read: packages.map((p) => p.path), write: [tmp], timeoutMs: CONNECT_TIMEOUT_MS },
  );
  let stderr = "";
  const decoder = new TextDecoder();
  drain(child.stdout, () => {});
  drain(child.stderr, (chunk) => {
    stderr = (stderr + decoder.decode(chunk, { stream: true })).slice(-STDERR_KEEP);
  });
  let error = "";
  try {
    for await (const line of channel.lines) {
      const message = parseSandboxLine(line);
      if (message && "t" in message && message.t === "fatal") error = message.message;
    }
  } catch {
    // a broken channel: the snapshot check below reports it
  } finally {
    channel.close();
    await child.status;
  }
  try {
    const size = (await Deno.stat(tmp)).size;
    if (!size) throw new Error("empty snapshot");
    await Deno.rename(tmp, path);
  } catch {
    await Deno.remove(tmp).catch(() => {});
    throw new Error(`building the Pyodide snapshot failed: ${error || stderr}`);
  }
  // A new snapshot usually means a new pyfence: what the old one left goes.
  await markUsed(path);
  await pruneStale(dir, path);
  return path;
}

/** The wheels as a sandbox process is told of them. */
export function wheels(packages: readonly PackageFile[]): Wheel[] {
  return packages.map(({ path, fileName }) => ({ path, fileName }));
}
