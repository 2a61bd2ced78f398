/// <reference lib="deno.worker" />
/**
 * The naive baseline's worker: what a project without pyfence does for each
 * run — load Pyodide from the npm package in a new worker (full permissions,
 * wasm compiled and the stdlib unpacked from scratch), run the code, report.
 *
 * @module
 */
import { loadPyodide } from "pyodide";

self.onmessage = async (e: MessageEvent<{ code: string }>) => {
  const t0 = performance.now();
  let stdout = "";
  try {
    const pyodide = await loadPyodide({ stdout: (s: string) => void (stdout += s + "\n") });
    const loadedMs = performance.now() - t0;
    pyodide.runPython(e.data.code);
    self.postMessage({ ok: true, stdout, loadedMs, totalMs: performance.now() - t0 });
  } catch (err) {
    self.postMessage({ ok: false, stdout, error: String(err) });
  }
};
