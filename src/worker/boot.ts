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
 * What outlives a worker is removed from its global scope before Pyodide or
 * any script runs (`OUTLIVES_THE_RUN`): Deno keeps Blob bytes and
 * `blob:` URLs in a store shared by the whole process, which only the
 * isolate that made them frees (a terminated worker never does), and a
 * nested worker keeps running after its parent is terminated. Two routes
 * remain for JavaScript that a breach reaches, `node:buffer`'s `Blob` and
 * `node:worker_threads`' `Worker`: the host retires a process whose run left
 * memory or a thread behind (`host/process.ts`).
 *
 * The `done` event's `cause` comes only from accounting the script cannot
 * reach while the guard holds: the guard's own, or this runtime's (a wasm
 * memory `grow` the engine refused, a JavaScript stack overflow, a crash).
 *
 * @module
 */
import type { loadPyodide, PyodideAPI } from "npm:pyodide@314.0.7";
import type { Cause, Job, WireError } from "../protocol/messages.ts";
import { crashDone } from "../protocol/crash.ts";
import { type BootMessage, INTERRUPT } from "../protocol/boot.ts";
import { fetchFromAssets, STDLIB_URL } from "./assets_fetch.ts";
import {
  type CookieHooks,
  type Credentials,
  makeWebFetch,
  WebError,
  WebLimitError,
} from "./web.ts";
import { Sockets } from "./websocket.ts";
import { HostCaller } from "./host_calls.ts";
import { installPackages } from "./packages.ts";
import { release } from "../release.ts";
import { captureReady, type Ready, trackTimers } from "./reset.ts";

// Pyodide starts an eager read of its wasm file even when we instantiate the
// posted module; that read is denied (no read permission) and unused.
addEventListener("unhandledrejection", (e) => {
  if (String(e.reason).includes("pyodide.asm.wasm")) e.preventDefault();
});

/**
 * What a run could leave behind in its process, by the global names that
 * reach it: Blob bytes (`Blob`, `File`, `Response`/`Request` `blob()` and
 * multipart `formData()`, a WebSocket's binary messages), `blob:` URLs, and
 * nested workers. Neither Pyodide nor this runtime uses them.
 */
const OUTLIVES_THE_RUN: readonly (readonly [object, string])[] = [
  [globalThis, "Blob"],
  [globalThis, "File"],
  [globalThis, "Worker"],
  [globalThis, "WebSocket"],
  [URL, "createObjectURL"],
  [URL, "revokeObjectURL"],
  [Response.prototype, "blob"],
  [Response.prototype, "formData"],
  [Request.prototype, "blob"],
  [Request.prototype, "formData"],
];

for (const [owner, name] of OUTLIVES_THE_RUN) Reflect.deleteProperty(owner, name);

// A reset interpreter must know whether its last run left a timer behind.
trackTimers();

/**
 * Whether the engine refused to grow a wasm memory past its maximum: the
 * interpreter's memory is capped in its module, so a refused `grow` is the
 * cap being reached (Emscripten's heap growth catches the error and
 * `malloc` fails: Python raises `MemoryError`).
 */
let growRefused = false;
const realGrow = WebAssembly.Memory.prototype.grow;
const apply = Reflect.apply;
WebAssembly.Memory.prototype.grow = function grow(this: WebAssembly.Memory, delta: number) {
  try {
    return apply(realGrow, this, [delta]);
  } catch (err) {
    growRefused = true;
    throw err;
  }
};

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
        crashDone("WorkerCrash", `boot failed: ${String(err).slice(0, 2000)}`, "crash"),
      );
    });
  };
}

const GUARD_PATH = "/lib/python3.14/site-packages/pyfence_guard";
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
const MAX_REQUESTS = 64;
// Bytes received on WebSockets and not yet read by the script, all sockets together.
const MAX_SOCKET_BUFFER_BYTES = 16 * 1024 * 1024;
/** How often a sleeping script's worker looks for the deadline's interrupt. */
const SLEEP_POLL_MS = 10;

/**
 * `value` for one taker: Pyodide keeps its whole configuration for the
 * interpreter's life, so a snapshot handed over as it is (30 MiB) would stay
 * alive with it; through this thenable the configuration holds nothing once
 * the bytes have been copied into the interpreter's memory.
 */
function once<T>(value: T): PromiseLike<T> {
  let held: T | undefined = value;
  return {
    then(resolve) {
      const given = held as T;
      held = undefined;
      return Promise.resolve(given).then(resolve);
    },
  };
}

async function boot(message: BootMessage, { loadPyodide, createPyodideModule }: PyodideEntry) {
  // Only what the job needs outlives the boot: the snapshot, the standard
  // library's zip and the wheels (copied into the interpreter) are dropped
  // with this object, and nothing below closes over it.
  const { port, unguarded, interrupt: interruptBuffer, wasm, lock } = message;
  const assets = { ...message };
  const realFetch = globalThis.fetch;
  globalThis.fetch = fetchFromAssets(realFetch, assets.stdlib);
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
          WebAssembly.instantiate(wasm, imports as WebAssembly.Imports).then((i) => done(i, wasm));
          return {};
        };
        return createPyodideModule(settings);
      },
      indexURL: "https://pyfence.invalid/",
      stdLibURL: STDLIB_URL,
      lockFileContents: lock,
      env: { HOME: "/home/pyodide" },
      // What `import js` yields if Python ever reaches it: nothing of the worker.
      jsglobals: unguarded ? globalThis : Object.create(null),
      _makeSnapshot: assets.makeSnapshot,
      _loadSnapshot: assets.snapshot && once(assets.snapshot),
      // Guarded, the guard writes the script's output itself (`host.write`,
      // capped); what reaches Pyodide's own streams is the interpreter's, such
      // as the stack dump of a fatal error, and is no part of the script's
      // output. Unguarded (tests only), Python's streams are the output.
      stdout: unguarded ? (text: string) => write(port, "stdout", text) : discard,
      stderr: unguarded ? (text: string) => write(port, "stderr", text) : discard,
    } as unknown as Parameters<typeof loadPyodide>[0],
  );
  globalThis.fetch = realFetch;
  // Copied into the interpreter by now. Detached here, their bytes are freed
  // at once, not at a garbage collection an idle worker may not reach.
  release(assets.stdlib);
  release(assets.snapshot);
  assets.stdlib = assets.snapshot = undefined as unknown as Uint8Array;
  installPackages(pyodide, assets.packages, assets.makeSnapshot);
  assets.packages = [];
  if (!unguarded) installGuard(pyodide, assets.guardFiles);
  if (assets.makeSnapshot) {
    // A module missing from this Pyodide build must not fail the snapshot.
    pyodide.runPython(
      assets.preload.map((m) => `try:\n    import ${m}\nexcept ImportError:\n    pass\n`).join(""),
    );
    const bytes = pyodide.makeMemorySnapshot();
    port.postMessage({ t: "snapshot", bytes }, [bytes.buffer as ArrayBuffer]);
    return;
  }
  const interrupt = new Int32Array(interruptBuffer);
  pyodide.setInterruptBuffer(interrupt);
  port.postMessage({ t: "booted" });
  // Set by the first job of `isolation: "tenant"`: the state each of its
  // tenant's later jobs starts from.
  let ready: Ready | undefined;
  let jobs = 0;
  const serve = (e: MessageEvent<Job>) => {
    const job = e.data;
    // During the job, only answers to its host calls arrive here.
    const caller = new HostCaller(port);
    port.onmessage = (answer) => caller.receive(answer.data);
    if (job.reset && !ready) {
      // The state to go back to is this worker's before any script ran.
      if (jobs > 0) {
        port.postMessage({ t: "started" });
        port.postMessage(
          crashDone(
            "WorkerCrash",
            "a tenant's interpreter must not have run a job before",
            "crash",
          ),
        );
        return;
      }
      if (!unguarded) takeGuard(pyodide);
      ready = captureReady(pyodide);
    }
    jobs++;
    // The memory's maximum was fixed when the module was compiled; a wasm
    // memory never shrinks, so its size at the end is its peak.
    runJob(pyodide, job, unguarded, port, caller, interrupt, () => heapBytes(pyodide), ready)
      // A job the supervisor marked `keep` leaves this interpreter to its
      // owner's next job; any other is the only one it ever runs. A tenant's
      // interpreter is reset first, unless it is unfit (then the host retires it).
      .then((unfit) => {
        if (job.reset && ready && !unfit) ready.reset();
        port.onmessage = job.keep && !unfit ? serve : null;
      });
  };
  port.onmessage = serve;
}

function discard(): void {}

function write(port: MessagePort, stream: "stdout" | "stderr", text: string): void {
  port.postMessage({ t: "out", stream, text: text + "\n" });
}

/** Take the guard package once, before the first script: from then on, imports are the guard's to decide. */
function takeGuard(pyodide: PyodideAPI): void {
  if (guardModule) return;
  guardModule = pyodide.pyimport("pyfence_guard");
  pyodide.unregisterJsModule("js");
  pyodide.unregisterJsModule("pyodide_js");
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
  interrupt: Int32Array,
  peak: () => number,
  ready?: Ready,
): Promise<string | undefined> {
  port.postMessage({ t: "started" });
  growRefused = false;
  let outcome: Outcome;
  try {
    outcome = unguarded
      ? await runUnguarded(pyodide, job.code, port, caller)
      : await runGuarded(pyodide, job, port, caller, interrupt);
  } catch (err) {
    outcome = crashOutcome(err);
  }
  // A MemoryError while the engine refused to grow the memory is the cap;
  // any other (a script's own `raise MemoryError`) is the script's.
  if (!outcome.cause && outcome.error?.type === "MemoryError" && growRefused) {
    outcome.cause = "memory";
  }
  // Checked before the end is reported: the host decides from it whether
  // the tenant's next run may come here.
  const unfit = ready?.unfit(inFlight);
  port.postMessage({ t: "done", ...outcome, wasmBytes: peak(), ...(unfit ? { unfit } : {}) });
  return unfit;
}

/** What a run reports before the runtime adds the memory size. */
interface Outcome {
  ok: boolean;
  error?: WireError;
  findings?: unknown[];
  cause?: Cause;
  value?: { json: string } | { repr: string };
}

async function runGuarded(
  pyodide: PyodideAPI,
  job: Job,
  port: MessagePort,
  caller: HostCaller,
  interrupt: Int32Array,
): Promise<Outcome> {
  // A session's later jobs, and a tenant's, reuse it.
  takeGuard(pyodide);
  const guard = guardModule;
  const config = JSON.stringify(job.guard);
  if (job.mode === "check") {
    return { ok: true, findings: JSON.parse(guard.check(job.code, config)) };
  }
  const { network, limits } = job.guard;
  const rules = {
    origin: network.origin,
    sameOrigin: network.same_origin,
    cors: network.cors,
    maxResponseBytes: MAX_RESPONSE_BYTES,
    maxRequests: MAX_REQUESTS,
  };
  const cookies = job.guard.storage ? cookieHooks(caller) : undefined;
  const webFetch = makeWebFetch(rules, cookies);
  const sockets = new Sockets(rules, {
    maxSockets: limits.websockets,
    maxMessages: limits.websocket_messages,
    maxMessageBytes: limits.websocket_message_bytes,
    maxBufferedBytes: MAX_SOCKET_BUFFER_BYTES,
  }, { enabled: network.websocket, cookies, interrupt });
  // Everything crossing into Python is a string or a number, so no JS object
  // (and no JsProxy) ever reaches the script through these callbacks.
  const host: HostFunctions = {
    write: (stream: string, text: string) => port.postMessage({ t: "out", stream, text }),
    violation: (kind: string, detail: string, line?: number, probe?: boolean) =>
      port.postMessage({
        t: "violation",
        kind,
        detail,
        ...(line == null ? {} : { line }),
        ...(probe ? { probe: true } : {}),
      }),
    call: (service: string, name: string, data: string) => caller.call(service, name, data),
    // An operation for the audit trail, as the guard cut it; the supervisor
    // validates it (src/protocol/operations.ts).
    op: (
      op: string,
      target: string,
      method?: string,
      verdict?: string,
      status?: number,
      capped?: boolean,
    ) =>
      port.postMessage({
        t: "op",
        op: String(op),
        target: String(target),
        ...(method == null ? {} : { method: String(method) }),
        ...(verdict == null ? {} : { verdict: String(verdict) }),
        ...(status == null ? {} : { status: Number(status) }),
        ...(capped ? { capped: true } : {}),
      }),
    file: (path: string, data: string) =>
      port.postMessage({ t: "file", path: String(path), data: String(data) }),
    // A sleep ends early when the supervisor interrupts the script at its
    // deadline (the word it writes is looked at every few ms: Deno 2.5's
    // Atomics.waitAsync never times out), so it never outlasts it.
    sleep: (ms: number): Promise<void> =>
      pending(
        new Promise((resolve) => {
          const end = performance.now() + Math.max(0, Number(ms) || 0);
          const tick = () => {
            const left = end - performance.now();
            if (left <= 0 || Atomics.load(interrupt, 0) === INTERRUPT.deadline) return resolve();
            setTimeout(tick, Math.min(left, SLEEP_POLL_MS));
          };
          tick();
        }),
      ),
    fetch: (
      method: string,
      url: string,
      headersJson: string,
      bodyBase64: string | null,
      credentials?: string,
    ) =>
      answer(() =>
        webFetch({
          method: String(method),
          url: String(url),
          headers: JSON.parse(String(headersJson)),
          body: bodyBase64 == null ? undefined : Uint8Array.fromBase64(String(bodyBase64)),
          credentials: (credentials == null ? undefined : String(credentials)) as Credentials,
        }).then((r) => ({ ...r, body: r.body.toBase64() }))
      ),
    ws_open: (url: string, protocolsJson: string) =>
      answer(() => sockets.open(String(url), JSON.parse(String(protocolsJson)))),
    ws_send: (id: number, text: string | null, bytesBase64: string | null) =>
      answerNow(() => {
        sockets.send(
          Number(id),
          text == null ? Uint8Array.fromBase64(String(bytesBase64)) : String(text),
        );
        return {};
      }),
    ws_recv: (id: number, timeoutMs: number | null) =>
      answer(async () => {
        const r = await sockets.recv(Number(id), timeoutMs == null ? null : Number(timeoutMs));
        return r.type === "binary" ? { type: "binary", data: r.data.toBase64() } : r;
      }),
    ws_close: (id: number, code: number | null, reason: string | null) =>
      answerNow(() => {
        sockets.close(
          Number(id),
          code == null ? undefined : Number(code),
          reason == null ? undefined : String(reason),
        );
        return {};
      }),
  };
  // A session's guard keeps the host object its first job was given: it
  // reaches each job's own functions (its caller, its requests and sockets).
  currentHost = host;
  sessionHost ??= Object.fromEntries(
    Object.keys(host).map((name) => [name, (...args: unknown[]) => currentHost[name](...args)]),
  );
  try {
    // The promising entry point lets the guard suspend on host.fetch (JSPI).
    // A tenant's job gets an object of its own: Pyodide keeps JavaScript-side
    // knowledge of an object Python has seen, which a reset would contradict.
    const given = job.reset ? { ...host } : sessionHost;
    return JSON.parse(await guard.execute.callPromising(job.code, config, given));
  } finally {
    sockets.closeAll();
  }
}

/** What the guard calls in this runtime: each is given strings and numbers only. */
// deno-lint-ignore no-explicit-any
type HostFunctions = Record<string, (...args: any[]) => unknown>;

/** The guard package, as the first job took it. */
// deno-lint-ignore no-explicit-any
let guardModule: any;

/** The functions of the job in progress. */
let currentHost: HostFunctions = {};

/**
 * The one host object the guard is given: each function calls the current
 * job's (made from the first job's functions, so it names exactly those).
 */
let sessionHost: HostFunctions | undefined;

/** Cookies through host calls to the host's jar (service `cookies`). */
function cookieHooks(caller: HostCaller): CookieHooks {
  const call = async (name: string, args: unknown[]) => {
    const answer = JSON.parse(await caller.call("cookies", name, JSON.stringify(args)));
    if (!answer.ok) throw new Error(`cookies: ${answer.error.message}`);
    return answer.data;
  };
  return {
    header: (url, credentials) => call("request_header", [url, credentials]),
    store: async (url, credentials, lines) => {
      await call("store_response", [url, credentials, lines]);
    },
  };
}

/**
 * What Python receives for a network operation, as JSON text: the value, or
 * `{"error": {"kind", "message"}}`. "refused": the rules said no (a
 * violation); "limit": a cap of the run was reached; "failed": the network
 * (or the host) did.
 */
function settle(value: unknown, error?: unknown): string {
  if (error === undefined) return JSON.stringify(value);
  const e = error as Error;
  return JSON.stringify({
    error: {
      kind: e instanceof WebError ? "refused" : e instanceof WebLimitError ? "limit" : "failed",
      message: String(e?.message ?? e).slice(0, 2000),
    },
  });
}

function answer(run: () => Promise<unknown>): Promise<string> {
  return pending(
    Promise.resolve().then(run).then((v) => settle(v), (e) => settle(undefined, e ?? "error")),
  );
}

/** Network requests and sleeps of the run not yet settled: a tenant's interpreter is not reset past them. */
let inFlight = 0;

function pending<T>(promise: Promise<T>): Promise<T> {
  inFlight++;
  return promise.finally(() => inFlight--);
}

function answerNow(run: () => unknown): string {
  try {
    return settle(run());
  } catch (e) {
    return settle(undefined, e ?? "error");
  }
}

async function runUnguarded(
  pyodide: PyodideAPI,
  code: string,
  port: MessagePort,
  caller: HostCaller,
): Promise<Outcome> {
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

function crashOutcome(err: unknown): Outcome {
  const message = String((err as Error)?.message ?? err).slice(0, 4000);
  // A C-level recursion can overflow the JS stack; that ends this run only.
  if (err instanceof RangeError && /call stack/i.test(message)) {
    return { ok: false, error: { type: "RecursionError", message }, cause: "recursion" };
  }
  return { ok: false, error: { type: "WorkerCrash", message }, cause: "crash" };
}

function heapBytes(pyodide: PyodideAPI): number {
  return (pyodide as unknown as { _module: { HEAPU8: Uint8Array } })._module.HEAPU8.buffer
    .byteLength;
}
