/**
 * What the sandbox process posts to each new worker: the assets it boots
 * Pyodide from (it may read no file itself) and its private channel.
 *
 * @module
 */

/**
 * What the sandbox process writes into a worker's interrupt buffer: the
 * number of the signal Python then sees.
 */
export const INTERRUPT = Object.freeze({
  /** SIGINT: the deadline passed; the guard ends the script (`TimeoutError`). */
  deadline: 2,
  /**
   * SIGUSR1: send the output written so far (`pyfence_guard/output.py`), every
   * {@link FLUSH_EVERY_MS} while a caller streams output.
   */
  flushOutput: 10,
});

/** How often the sandbox process asks a streaming job's interpreter to flush its output. */
export const FLUSH_EVERY_MS = 50;

/** What the sandbox process posts to a new worker. */
export interface BootMessage {
  wasm: WebAssembly.Module;
  stdlib: Uint8Array;
  lock: string;
  snapshot?: Uint8Array;
  guardFiles: Record<string, string>;
  preload: string[];
  /** The policy's wheels (file name, bytes), for the interpreter's file system. */
  packages: { fileName: string; bytes: Uint8Array }[];
  port: MessagePort;
  interrupt: SharedArrayBuffer;
  /** Test-only: run the script with no Python guard at all. */
  unguarded: boolean;
  /** Build a memory snapshot instead of waiting for a job. */
  makeSnapshot: boolean;
}
