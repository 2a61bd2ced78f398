/**
 * What the sandbox process posts to each new worker: the assets it boots
 * Pyodide from (it may read no file itself) and its private channel.
 *
 * @module
 */

/** What the sandbox process posts to a new worker. */
export interface BootMessage {
  wasm: WebAssembly.Module;
  stdlib: Uint8Array;
  lock: string;
  snapshot?: Uint8Array;
  guardFiles: Record<string, string>;
  preload: string[];
  port: MessagePort;
  interrupt: SharedArrayBuffer;
  /** Test-only: run the script with no Python guard at all. */
  unguarded: boolean;
  /** Build a memory snapshot instead of waiting for a job. */
  makeSnapshot: boolean;
}
