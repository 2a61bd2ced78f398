/**
 * Where the sandbox's trusted inputs come from: the Pyodide npm package,
 * wherever Deno placed it: its JavaScript, wasm, standard library and lock
 * file (which also pins the packages a policy may name). (The guard's Python
 * sources and the sandbox process's own code are compiled into pyfence, in
 * `src/generated/`, so nothing reads pyfence's own files by path.)
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { version } from "npm:pyodide@314.0.7";

/** The Pyodide version pyfence runs. */
export const PYODIDE_VERSION: string = version;

/** URL of the Pyodide npm package's entry module (`pyodide.mjs`), wherever Deno placed it. */
export const PYODIDE_ENTRY: URL = new URL(import.meta.resolve("npm:pyodide@314.0.7"));

/** URL of the module that creates Pyodide's emscripten module (`pyodide.asm.mjs`). */
export const PYODIDE_ASM: URL = new URL(import.meta.resolve("npm:pyodide@314.0.7/pyodide.asm.mjs"));

/** Directory URL of the Pyodide npm package (holds the wasm and the stdlib zip). */
export const PYODIDE_DIR: URL = new URL("./", PYODIDE_ENTRY);

/**
 * The Pyodide package directory as a local path: the sandbox process is
 * granted read access to it, and nothing else of the package.
 */
export function pyodidePath(): string {
  if (PYODIDE_DIR.protocol !== "file:") {
    throw new Error(
      `pyodide resolved to ${PYODIDE_DIR.href}; pyfence needs it from npm (\`npm:pyodide@${version}\`), ` +
        "which Deno keeps in a local directory",
    );
  }
  return fileURLToPath(PYODIDE_DIR);
}

let lock: Promise<string> | undefined;

/**
 * The text of the Pyodide npm package's `pyodide-lock.json`, read once: the
 * Python version, and the packages (with their sha256) that `packages` may name.
 */
export function pyodideLockText(): Promise<string> {
  lock ??= Deno.readTextFile(new URL("pyodide-lock.json", PYODIDE_DIR));
  return lock;
}

let python: Promise<string> | undefined;

/** The Python version inside Pyodide, read once from its lock file. */
export function pythonVersion(): Promise<string> {
  python ??= pyodideLockText().then((text) => String(JSON.parse(text).info.python));
  return python;
}
