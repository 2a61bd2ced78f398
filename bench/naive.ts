/**
 * The naive baseline: `loadPyodide()` in a brand-new Deno worker for every
 * run, as other Pyodide-in-Deno projects do.
 *
 * @module
 */

/** What one naive run reports. */
export interface NaiveResult {
  /** True when the code ran without raising. */
  ok: boolean;
  /** Captured standard output. */
  stdout: string;
  /** Time inside the worker until `loadPyodide()` resolved, ms. */
  loadedMs?: number;
  /** The error, when `ok` is false. */
  error?: string;
}

const WORKER_URL = new URL("./naive_worker.ts", import.meta.url);

/** Run `code` in a new worker that loads Pyodide from scratch; the worker is terminated after. */
export function naiveRun(code: string): Promise<NaiveResult> {
  const worker = new Worker(WORKER_URL, { type: "module" });
  return new Promise<NaiveResult>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<NaiveResult>) => resolve(e.data);
    worker.onerror = (e) => {
      e.preventDefault();
      reject(new Error(e.message));
    };
    worker.postMessage({ code });
  }).finally(() => worker.terminate());
}
