/**
 * The sandbox process: a `deno run` child with no `--allow-all`, holding only
 * read access to its own code, the Pyodide assets and the snapshot, read and
 * write access to the one socket path of its channel to the host, and net
 * access to the origin. It boots one worker ahead of time, hands it exactly
 * one job, relays its (validated, budgeted) events to the host, and enforces
 * the deadline: interrupt first, then `Deno.exit()` if the worker does not
 * unwind, because `worker.terminate()` does not stop a spinning worker.
 *
 * It talks to the host only over the private channel (see
 * `protocol/channel.ts`); its stdin is closed and its stdout and stderr,
 * which every worker can write, carry nothing the host reads as protocol.
 *
 * @module
 */
import {
  type AnswerMessage,
  type DoneEvent,
  type HostCommand,
  type Job,
  parseWorkerEvent,
} from "../protocol/messages.ts";
import type { HostAnswer } from "../protocol/host_call.ts";
import { CAPS, utf8Bytes } from "../protocol/caps.ts";
import { crashDone } from "../protocol/crash.ts";
import { readLines } from "../protocol/lines.ts";
import { helloLine, parseAddress, TOKEN_ENV } from "../protocol/channel.ts";
import type { SupervisorInit } from "../protocol/supervisor_init.ts";
import { type BootMessage, FLUSH_EVERY_MS, INTERRUPT } from "../protocol/boot.ts";
import { withMemoryMaximum } from "./wasm_memory.ts";
import { RelayBudget } from "./budget.ts";

const MAX_COMMAND_BYTES = 512 * 1024 * 1024;
const encoder = new TextEncoder();

const address = parseAddress(Deno.args[0]);
const conn = address.transport === "unix"
  ? await Deno.connect({ transport: "unix", path: address.path })
  : await Deno.connect({ hostname: address.hostname, port: address.port });
const out = conn.writable.getWriter();
const commands = readLines(conn.readable, MAX_COMMAND_BYTES);

function writeLine(text: string): Promise<void> {
  return out.write(encoder.encode(text + "\n"));
}

function send(message: unknown): Promise<void> {
  return writeLine(JSON.stringify(message));
}

async function exitNow(code: number): Promise<never> {
  await out.ready.catch(() => {});
  await out.close().catch(() => {});
  Deno.exit(code);
}

async function receiveInit(): Promise<SupervisorInit> {
  await writeLine(helloLine(Deno.env.get(TOKEN_ENV) ?? ""));
  const first = await commands.next();
  if (first.done) await exitNow(1);
  const command: HostCommand = JSON.parse(first.value as string);
  if (command.t !== "init") throw new Error(`expected 'init', got '${command.t}'`);
  return command.init;
}

const init = await receiveInit();

/** What every worker boots from, read once (and the Python version it reports). */
type Assets =
  & Pick<
    BootMessage,
    "wasm" | "stdlib" | "lock" | "snapshot" | "guardFiles" | "packages"
  >
  & {
    python: string;
  };

async function loadAssets(): Promise<Assets> {
  const dir = new URL(init.pyodideDir);
  const [wasmBytes, stdlib, lock, packages] = await Promise.all([
    Deno.readFile(new URL("pyodide.asm.wasm", dir)),
    Deno.readFile(new URL("python_stdlib.zip", dir)),
    Deno.readTextFile(new URL("pyodide-lock.json", dir)),
    Promise.all((init.packages ?? []).map(async ({ path, fileName }) => ({
      fileName,
      bytes: await Deno.readFile(path),
    }))),
  ]);
  const capped = init.memoryMb === undefined
    ? wasmBytes
    : withMemoryMaximum(wasmBytes, init.memoryMb * 1024 * 1024);
  return {
    wasm: await WebAssembly.compile(capped),
    stdlib,
    lock,
    snapshot: init.snapshotPath ? await Deno.readFile(init.snapshotPath) : undefined,
    guardFiles: init.guardFiles,
    packages,
    python: JSON.parse(lock).info.python,
  };
}

interface Booted {
  worker: Worker;
  port: MessagePort;
  interrupt: Int32Array;
  ready: Promise<void>;
}

/** A worker created ahead of its boot message, and any error it hit meanwhile. */
interface Pending {
  worker: Worker;
  error?: string;
}

function newWorker(): Pending {
  const worker = new Worker(init.workerUrl, {
    type: "module",
    deno: { permissions: init.permissions },
  } as WorkerOptions);
  const pending: Pending = { worker };
  // Anything the worker posts on its global channel is ignored (a job counts
  // it against its budget): the real channel is a private port, out of reach
  // of code that only finds `self`.
  worker.onmessage = () => {};
  worker.onerror = (e) => {
    e.preventDefault();
    pending.error = e.message;
  };
  return pending;
}

function startWorker(assets: Assets, makeSnapshot: boolean, pending = newWorker()): Booted {
  const { worker } = pending;
  const channel = new MessageChannel();
  const interrupt = new SharedArrayBuffer(4);
  const ready = new Promise<void>((resolve, reject) => {
    if (pending.error) reject(new Error(`worker failed to boot: ${pending.error}`));
    channel.port1.onmessage = (e) => {
      if (e.data?.t === "booted" || e.data?.t === "snapshot") resolve();
      else reject(new Error(`worker failed to boot: ${JSON.stringify(e.data).slice(0, 2000)}`));
    };
    worker.onerror = (e) => {
      e.preventDefault();
      reject(new Error(`worker failed to boot: ${e.message}`));
    };
  });
  const boot: BootMessage = {
    wasm: assets.wasm,
    stdlib: assets.stdlib.slice(),
    lock: assets.lock,
    snapshot: makeSnapshot ? undefined : assets.snapshot?.slice(),
    guardFiles: assets.guardFiles,
    preload: init.preload,
    packages: assets.packages.map(({ fileName, bytes }) => ({ fileName, bytes: bytes.slice() })),
    port: channel.port2,
    interrupt,
    unguarded: init.unguarded,
    makeSnapshot,
  };
  // Each worker owns copies of the bytes it boots from, moved rather than
  // cloned: cheaper than a structured clone, and freed with the worker.
  // (A shared buffer per worker posts faster but is reclaimed so lazily that
  // the process grew by a gigabyte over a few hundred runs.)
  const moved: Transferable[] = [channel.port2, boot.stdlib.buffer as ArrayBuffer];
  if (boot.snapshot) moved.push(boot.snapshot.buffer as ArrayBuffer);
  for (const wheel of boot.packages) moved.push(wheel.bytes.buffer as ArrayBuffer);
  worker.postMessage(boot, moved);
  // A boot failure while idle is reported when the next job awaits `ready`.
  ready.catch(() => {});
  return { worker, port: channel.port1, interrupt: new Int32Array(interrupt), ready };
}

async function buildSnapshot(assets: Assets, first: Pending): Promise<void> {
  const booted = startWorker(assets, true, first);
  const bytes = await new Promise<Uint8Array>((resolve, reject) => {
    booted.port.onmessage = (e) => {
      if (e.data?.t === "snapshot" && e.data.bytes instanceof Uint8Array) resolve(e.data.bytes);
      else reject(new Error(`snapshot failed: ${JSON.stringify(e.data).slice(0, 2000)}`));
    };
    booted.worker.onerror = (e) => {
      e.preventDefault();
      reject(new Error(`snapshot failed: ${e.message}`));
    };
  });
  await Deno.writeFile(init.snapshotOut!, bytes);
  await send({ t: "snapshot", bytes: bytes.length });
}

/** Whether `data` carries output, a violation detail or call data longer than the protocol's caps. */
function oversized(data: unknown): boolean {
  if (typeof data !== "object" || data === null) return false;
  const { t, text, detail, data: args } = data as Record<string, unknown>;
  const [value, cap] = t === "out"
    ? [text, CAPS.chunk_bytes]
    : t === "violation"
    ? [detail, CAPS.detail_bytes]
    : t === "call"
    ? [args, CAPS.host_data_bytes]
    : [undefined, 0];
  // A UTF-16 length over the cap is over it in bytes too; only shorter text needs encoding.
  return typeof value === "string" && (value.length > cap || utf8Bytes(value) > cap);
}

/** Where the command loop delivers the host's answers: the job in progress. */
let answerJob: ((jobId: string, answer: HostAnswer) => void) | undefined;

/** Run one job on a booted worker; resolves once its `done` has been relayed. */
function runJob(booted: Booted, job: Job): Promise<void> {
  const { worker, port, interrupt } = booted;
  return new Promise((resolve) => {
    let finished = false;
    let started = false;
    const { limits } = job.guard;
    const budget = new RelayBudget(limits.output_bytes, limits.host_calls, limits.host_call_bytes);
    const timers: ReturnType<typeof setTimeout>[] = [];
    // Host calls waiting for their answers, and every id this job has used.
    const waiting = new Set<string>();
    const used = new Set<string>();
    const answer = (message: AnswerMessage) => {
      if (!waiting.delete(message.call)) return;
      port.postMessage(message);
    };
    const timedOut = (call: string) =>
      answer({
        t: "answer",
        call,
        ok: false,
        error: { type: "TimeoutError", message: "the run's time limit passed" },
      });
    let expired = false;
    // An answer for a call already answered (by the deadline) or of an
    // earlier job is dropped: the host is trusted, only late.
    answerJob = (jobId, message) => {
      if (jobId === job.id) answer({ t: "answer", ...message });
    };
    const finish = async (event: DoneEvent, exit: boolean) => {
      if (finished) return;
      finished = true;
      answerJob = undefined;
      // (One list of timer ids, intervals included: they share one pool.)
      timers.forEach(clearTimeout);
      // (Not port.close(): under a flood it blocks this thread.)
      port.onmessage = null;
      worker.onmessage = null;
      // Tell the host first, so it never hands this process another job.
      if (exit) await send({ t: "exiting" });
      await send({ id: job.id, event });
      worker.terminate();
      if (exit) await exitNow(0);
      resolve();
    };
    const crash = (type: string, message: string, exit: boolean) =>
      finish(crashDone(type, message), exit);
    const flood = () => crash("OutputLimitError", "the worker flooded its channel", true);

    // The guard never writes here; whatever arrives still costs the job.
    worker.onmessage = () => {
      if (!budget.control()) flood();
    };
    let deadline = Infinity;
    port.onmessage = (e) => {
      if (finished) return;
      // A flood can starve the deadline's timers; every message checks it too.
      if (performance.now() > deadline) {
        return crash("TimeoutError", `time limit of ${job.timeoutMs} ms exceeded`, true);
      }
      // Text over the protocol's caps is a flood, whatever else is wrong with it.
      if (oversized(e.data)) return flood();
      const event = parseWorkerEvent(e.data);
      if (!event) return crash("WorkerCrash", "the worker sent a malformed message", true);
      switch (event.t) {
        case "started":
          // Only the first start counts: a worker that re-announces its start
          // must not be able to move its own deadline.
          if (started) return void (budget.control() || flood());
          started = true;
          deadline = performance.now() + job.timeoutMs + init.graceMs;
          timers.push(setTimeout(() => {
            expired = true;
            // A worker waiting for the host gets TimeoutError as the answer
            // (the guard ends the run on it) rather than an interrupt: Python
            // resumes from a wait through Pyodide's event loop, where an
            // interrupt would be raised outside the script and crash the worker.
            if (waiting.size) [...waiting].forEach(timedOut);
            else Atomics.store(interrupt, 0, INTERRUPT.deadline);
            timers.push(setTimeout(
              () => crash("TimeoutError", `time limit of ${job.timeoutMs} ms exceeded`, true),
              init.graceMs,
            ));
          }, job.timeoutMs));
          if (job.guard.stream_output) {
            // The caller reads output as it comes: the guard sends what it
            // has on this signal (never while the worker waits for the host,
            // nor over the deadline's interrupt).
            const flush = setInterval(() => {
              if (!expired && !waiting.size) {
                Atomics.compareExchange(interrupt, 0, 0, INTERRUPT.flushOutput);
              }
            }, FLUSH_EVERY_MS);
            timers.push(flush);
          }
          return void send({ id: job.id, event });
        case "out":
          // The guard caps output itself; this catches a worker that no longer obeys it.
          if (!budget.take(utf8Bytes(event.text))) return flood();
          return void send({ id: job.id, event });
        case "violation":
          if (!budget.take(utf8Bytes(event.detail))) return flood();
          return void send({ id: job.id, event });
        case "call":
          // The guard makes one call at a time, each with a fresh random id.
          if (used.has(event.call) || waiting.size >= CAPS.host_calls_in_flight) {
            return crash("WorkerCrash", "the worker sent a host call out of order", true);
          }
          if (!budget.call(utf8Bytes(event.data))) {
            return crash("HostCallLimitError", "the worker flooded the host with calls", true);
          }
          used.add(event.call);
          waiting.add(event.call);
          if (expired) {
            // Too late to ask the host; no interrupt may meet the worker's resumption.
            Atomics.store(interrupt, 0, 0);
            return timedOut(event.call);
          }
          return void send({ id: job.id, event });
        case "done":
          return finish(event, false);
        default:
          return crash("WorkerCrash", `unexpected '${event.t}' message`, true);
      }
    };
    worker.onerror = (e) => {
      e.preventDefault();
      crash("WorkerCrash", String(e.message).slice(0, 4000), false);
    };
    if (job.memoryMb !== init.memoryMb) {
      return crash("WorkerCrash", "the job's memory cap is not this process's", true);
    }
    port.postMessage(job);
  });
}

function startNext(assets: Assets, pending?: Pending): Booted {
  const booted = startWorker(assets, false, pending);
  // The host sends a job only once its interpreter is warm; one that cannot
  // boot ends the process, and the host starts another.
  booted.ready.then(
    () => send({ t: "warm" }),
    async (err) => {
      await send({ t: "fatal", message: String(err).slice(0, 60000) });
      await exitNow(1);
    },
  );
  return booted;
}

async function serve(assets: Assets, first: Pending): Promise<void> {
  let next = startNext(assets, first);
  await send({ t: "ready", python: assets.python });
  // Commands keep coming while a job runs (the answers to its host calls);
  // the host sends the next job only after the last one's `done`.
  let running: Promise<void> = Promise.resolve();
  for await (const text of commands) {
    const command: HostCommand = JSON.parse(text);
    if (command.t === "exit") break;
    if (command.t === "answer") {
      answerJob?.(command.job, command.answer);
      continue;
    }
    if (command.t !== "run") throw new Error(`unexpected '${command.t}' command`);
    running = running.then(async () => {
      const current = next;
      await current.ready;
      await runJob(current, command.job);
      next = startNext(assets);
    });
    running.catch(async (err) => {
      await send({ t: "fatal", message: String((err as Error)?.stack ?? err).slice(0, 60000) });
      await exitNow(1);
    });
  }
  await running;
  await exitNow(0);
}

try {
  // The first worker loads its modules while the assets are read and compiled.
  const first = newWorker();
  const assets = await loadAssets();
  if (init.mode === "snapshot") await buildSnapshot(assets, first);
  else await serve(assets, first);
  await exitNow(0);
} catch (err) {
  await send({ t: "fatal", message: String((err as Error)?.stack ?? err).slice(0, 60000) });
  await exitNow(1);
}
