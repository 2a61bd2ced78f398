/**
 * Where the sandbox's trusted inputs live: the Pyodide package, the guard's
 * Python sources, and the modules the sandbox process runs. The sandbox
 * process is granted read access to exactly these and nothing else.
 *
 * @module
 */
import { version } from "pyodide";

/** The Pyodide version pyfence runs. */
export const PYODIDE_VERSION: string = version;

/** Directory URL of the Pyodide npm package (holds the wasm and the stdlib zip). */
export const PYODIDE_DIR: URL = new URL("./", import.meta.resolve("pyodide"));

/** Directory URL of the Python guard package. */
export const GUARD_DIR: URL = new URL("../python/pyfence_guard/", import.meta.url);

/** The sandbox process's entry module. */
export const SUPERVISOR_URL: URL = new URL("../supervisor/main.ts", import.meta.url);

/** The worker's entry module. */
export const WORKER_URL: URL = new URL("../worker/boot.ts", import.meta.url);

/** The project's deno.json (its import map is needed by the sandbox process). */
export const CONFIG_URL: URL = new URL("../../deno.json", import.meta.url);

let python: Promise<string> | undefined;

/** The Python version inside Pyodide, read once from its lock file. */
export function pythonVersion(): Promise<string> {
  python ??= Deno.readTextFile(new URL("pyodide-lock.json", PYODIDE_DIR)).then((text) =>
    String(JSON.parse(text).info.python)
  );
  return python;
}

/** The guard's sources, by file name, for hashing. */
export async function guardSources(): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for await (const entry of Deno.readDir(GUARD_DIR)) {
    if (entry.isFile && entry.name.endsWith(".py")) {
      files[entry.name] = await Deno.readTextFile(new URL(entry.name, GUARD_DIR));
    }
  }
  return files;
}
