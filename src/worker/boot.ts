/// <reference lib="deno.worker" />
/**
 * The worker runtime: boots one Pyodide interpreter from assets posted by the
 * sandbox process, runs exactly one job in it through the Python guard, and
 * reports back over a private MessagePort. This thread holds no read, write,
 * env, run, ffi, sys or import permission; its net permission is the
 * script's origin at most.
 *
 * Pyodide's JavaScript is not part of this module: the worker's entry, which
 * the host writes next to this module's bundle, imports it from the Pyodide
 * npm package by file URL and hands it to {@link start} (`host/launch.ts`).
 *
 * @module
 */
import type { loadPyodide, PyodideAPI } from "npm:pyodide@314.0.7";
import type { Job } from "../protocol/messages.ts";
import { crashDone } from "../protocol/crash.ts";
import type { BootMessage } from "../protocol/boot.ts";
import { fetchFromAssets, STDLIB_URL } from "./assets_fetch.ts";
import { makeWebFetch, WebError, WebLimitError } from "./web.ts";
import { HostCaller } from "./host_calls.ts";
import { installPackages } from "./packages.ts";

// Pyodide starts an eager read of its wasm file even when we instantiate the
// posted module; that read is denied (no read permission) and unused.
addEventListener("unhandledrejection", (e) => {
  if (String(e.reason).includes("pyodide.asm.wasm")) e.preventDefault();
});

/** Pyodide's two entry points, as the worker's entry module imports them. */
export interface PyodideEntry {
  /** `loadPyodide` of `pyodide.mjs`. */
  loadPyodide: typeof loadPyodide;
  /** The default export of `pyodide.asm.mjs`. */
  createPyodideModule: (settings: Record<string, unknown>) => unknown;
}

/** Wait for the boot message, then boot Pyodide from `entry` and serve one job. */
export function start(entry: PyodideEntry): void {
  self.onmessage = (e: MessageEvent<BootMessage>) => {
    self.onmessage = null;
    boot(e.data, entry).catch((err) => {
      e.data.port?.postMessage(
        crashDone("WorkerCrash", `boot failed: ${String(err).slice(0, 2000)}`),
      );
    });
  };
}

const GUARD_PATH = "/lib/python3.14/site-packages/pyfence_guard";
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
const MAX_REQUESTS = 64;

async function boot(msg: BootMessage, { loadPyodide, createPyodideModule }: PyodideEntry) {
  const { port } = msg;
  const realFetch = globalThis.fetch;
  globalThis.fetch = fetchFromAssets(realFetch, msg.stdlib);
  const marker = Symbol("jsv error");
  const pyodide = await loadPyodide(
    {
      createPyodideModule: (settings: Record<string, unknown>) => {
        settings.instantiateWasm = (
          imports: { env: Record<string, unknown> },
          done: (i: WebAssembly.Instance, m: WebAssembly.Module) => void,
        ) => {
          imports.env.Jsv_GetError_import = () => marker;
          imports.env.JsvError_Check = (v: unknown) => v === marker;
          WebAssembly.instantiate(msg.wasm, imports as WebAssembly.Imports).then((i) =>
            done(i, msg.wasm)
          );
          return {};
        };
        return createPyodideModule(settings);
      },
      indexURL: "https://pyfence.invalid/",
      stdLibURL: STDLIB_URL,
      lockFileContents: msg.lock,
      env: { HOME: "/home/pyodide" },
      // What `import js` yields if Python ever reaches it: nothing of the worker.
      jsglobals: msg.unguarded ? globalThis : Object.create(null),
      _makeSnapshot: msg.makeSnapshot,
      _loadSnapshot: msg.snapshot,
      // Guarded, the guard writes the script's output itself (`host.write`,
      // capped); what reaches Pyodide's own streams is the interpreter's, such
      // as the stack dump of a fatal error, and is no part of the script's
      // output. Unguarded (tests only), Python's streams are the output.
      stdout: msg.unguarded ? (text: string) => write(port, "stdout", text) : discard,
      stderr: msg.unguarded ? (text: string) => write(port, "stderr", text) : discard,
    } as unknown as Parameters<typeof loadPyodide>[0],
  );
  globalThis.fetch = realFetch;
  installPackages(pyodide, msg.packages, msg.makeSnapshot);
  if (!msg.unguarded) installGuard(pyodide, msg.guardFiles);
  if (msg.makeSnapshot) {
    // A module missing from this Pyodide build must not fail the snapshot.
    pyodide.runPython(
      msg.preload.map((m) => `try:\n    import ${m}\nexcept ImportError:\n    pass\n`).join(""),
    );
    const bytes = pyodide.makeMemorySnapshot();
    port.postMessage({ t: "snapshot", bytes }, [bytes.buffer as ArrayBuffer]);
    return;
  }
  pyodide.setInterruptBuffer(new Int32Array(msg.interrupt));
  port.postMessage({ t: "booted" });
  port.onmessage = (e: MessageEvent<Job>) => {
    // After the job, only answers to its host calls arrive here.
    const caller = new HostCaller(port);
    port.onmessage = (answer) => caller.receive(answer.data);
    // The memory's maximum was fixed when the module was compiled; a wasm
    // memory never shrinks, so its size at the end is its peak.
    runJob(pyodide, e.data, msg.unguarded, port, caller, () => heapBytes(pyodide));
  };
}

function discard(): void {}

function write(port: MessagePort, stream: "stdout" | "stderr", text: string): void {
  port.postMessage({ t: "out", stream, text: text + "\n" });
}

function installGuard(pyodide: PyodideAPI, files: Record<string, string>): void {
  pyodide.FS.mkdirTree(GUARD_PATH);
  for (const [name, text] of Object.entries(files)) {
    pyodide.FS.writeFile(`${GUARD_PATH}/${name}`, text);
  }
  pyodide.pyimport("pyfence_guard");
}

async function runJob(
  pyodide: PyodideAPI,
  job: Job,
  unguarded: boolean,
  port: MessagePort,
  caller: HostCaller,
  peak: () => number,
): Promise<void> {
  port.postMessage({ t: "started" });
  let outcome: Record<string, unknown>;
  try {
    outcome = unguarded
      ? await runUnguarded(pyodide, job.code, port, caller)
      : await runGuarded(pyodide, job, port, caller);
  } catch (err) {
    outcome = { ok: false, error: crashError(err) };
  }
  port.postMessage({ t: "done", ...outcome, peakMemoryBytes: peak() });
}

async function runGuarded(
  pyodide: PyodideAPI,
  job: Job,
  port: MessagePort,
  caller: HostCaller,
): Promise<Record<string, unknown>> {
  const guard = pyodide.pyimport("pyfence_guard");
  pyodide.unregisterJsModule("js");
  pyodide.unregisterJsModule("pyodide_js");
  const config = JSON.stringify(job.guard);
  if (job.mode === "check") {
    return { ok: true, findings: JSON.parse(guard.check(job.code, config)) };
  }
  const webFetch = makeWebFetch({
    origin: job.guard.network.origin,
    sameOrigin: job.guard.network.same_origin,
    cors: job.guard.network.cors,
    maxResponseBytes: MAX_RESPONSE_BYTES,
    maxRequests: MAX_REQUESTS,
  });
  // Everything crossing into Python is a string, so no JS object (and no
  // JsProxy) ever reaches the script through these callbacks.
  const host = {
    write: (stream: string, text: string) => port.postMessage({ t: "out", stream, text }),
    violation: (kind: string, detail: string, line?: number) =>
      port.postMessage({ t: "violation", kind, detail, ...(line == null ? {} : { line }) }),
    call: (service: string, name: string, data: string) => caller.call(service, name, data),
    fetch: (method: string, url: string, headersJson: string, bodyBase64: string | null) =>
      webFetch({
        method: String(method),
        url: String(url),
        headers: JSON.parse(String(headersJson)),
        body: bodyBase64 == null ? undefined : Uint8Array.fromBase64(String(bodyBase64)),
      }).then(
        (r) => JSON.stringify({ ...r, body: r.body.toBase64() }),
        (e) =>
          JSON.stringify({
            error: {
              // "refused": the rules said no (a violation); "limit": the response
              // is too large; "failed": the network did.
              kind: e instanceof WebError
                ? "refused"
                : e instanceof WebLimitError
                ? "limit"
                : "failed",
              message: String(e?.message ?? e).slice(0, 2000),
            },
          }),
      ),
  };
  // The promising entry point lets the guard suspend on host.fetch (JSPI).
  return JSON.parse(await guard.execute.callPromising(job.code, config, host));
}

async function runUnguarded(
  pyodide: PyodideAPI,
  code: string,
  port: MessagePort,
  caller: HostCaller,
): Promise<Record<string, unknown>> {
  // With the guard off (tests only) the script reaches the worker's globals,
  // and so, here, its channel: what a breached worker could send, it can.
  Object.assign(globalThis, {
    pyfenceChannel: {
      call: (service: string, name: string, data: string) => caller.call(service, name, data),
      post: (json: string) => port.postMessage(JSON.parse(json)),
    },
  });
  try {
    // The async entry point lets `pyodide.ffi.run_sync` suspend on promises (JSPI).
    await pyodide.runPythonAsync(code);
    return { ok: true };
  } catch (err) {
    const text = String((err as Error)?.message ?? err);
    const last = text.trim().split("\n").pop() ?? "";
    const m = /^([A-Za-z_][\w.]*)(?::\s?(.*))?$/.exec(last);
    return {
      ok: false,
      error: { type: m?.[1] ?? "Error", message: (m?.[2] ?? last).slice(0, 60000) },
    };
  }
}

function crashError(err: unknown): { type: string; message: string } {
  const text = String((err as Error)?.message ?? err).slice(0, 4000);
  // A C-level recursion can overflow the JS stack; that ends this run only.
  if (err instanceof RangeError && /call stack/i.test(text)) {
    return { type: "RecursionError", message: text };
  }
  return { type: "WorkerCrash", message: text };
}

function heapBytes(pyodide: PyodideAPI): number {
  return (pyodide as unknown as { _module: { HEAPU8: Uint8Array } })._module.HEAPU8.buffer
    .byteLength;
}
