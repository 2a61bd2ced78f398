/**
 * The sandbox process: a `deno run` child with no `--allow-all`, holding only
 * read access to its own code, the Pyodide assets and the snapshot, read and
 * write access to the one socket path of its channel to the host, and net
 * access to the origin. It boots one worker ahead of time, hands it exactly
 * one job (or, for jobs marked `keep`, its owner's jobs one after another:
 * a session), relays its (validated, budgeted) events to the host, and enforces
 * the deadline: interrupt first, then `Deno.exit()` if the worker does not
 * unwind, because `worker.terminate()` does not stop a spinning worker. It
 * ends each job with what it saw itself (see `runJob`), which the host
 * trusts over anything the worker says.
 *
 * It talks to the host only over the private channel (see
 * `protocol/channel.ts`); its stdin is closed and its stdout and stderr,
 * which every worker can write, carry nothing the host reads as protocol.
 *
 * @module
 */
import {
  type AnswerMessage,
  type Cause,
  type DoneEvent,
  type HostCommand,
  type Job,
  type JobEnd,
  parseWorkerEvent,
} from "../protocol/messages.ts";
import type { HostAnswer } from "../protocol/host_call.ts";
import { CAPS, MAX_BREACH_SIGNS, utf8Bytes } from "../protocol/caps.ts";
import { crashDone } from "../protocol/crash.ts";
import { readLines } from "../protocol/lines.ts";
import { ADDRESS_ENV, helloLine, parseAddress, TOKEN_ENV } from "../protocol/channel.ts";
import type { SupervisorInit } from "../protocol/supervisor_init.ts";
import { type BootMessage, FLUSH_EVERY_MS, INTERRUPT } from "../protocol/boot.ts";
import { withMemoryMaximum } from "./wasm_memory.ts";
import { RelayBudget } from "./budget.ts";
import { release } from "../release.ts";

const MAX_COMMAND_BYTES = 512 * 1024 * 1024;
const encoder = new TextEncoder();

const address = parseAddress(Deno.env.get(ADDRESS_ENV) ?? "");
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

/**
 * What every worker boots from. The compiled module and the small texts are
 * kept; the bytes each worker takes for its own (the standard library's
 * zip, the snapshot, the wheels: some 33 MiB) are read from disk for each
 * boot and moved to the worker, so the process holds no copy of them while
 * it waits (the page cache makes the read cheap).
 */
type Assets =
  & Pick<BootMessage, "wasm" | "lock" | "guardFiles">
  & {
    python: string;
    /** Fresh copies of the bytes a worker boots from, for it alone. */
    read: () => Promise<Pick<BootMessage, "stdlib" | "snapshot" | "packages">>;
  };

async function loadAssets(): Promise<Assets> {
  const dir = new URL(init.pyodideDir);
  const [wasmBytes, lock] = await Promise.all([
    Deno.readFile(new URL("pyodide.asm.wasm", dir)),
    Deno.readTextFile(new URL("pyodide-lock.json", dir)),
  ]);
  const capped = init.memoryMb === undefined
    ? wasmBytes
    : withMemoryMaximum(wasmBytes, init.memoryMb * 1024 * 1024);
  const read = async () => {
    const [stdlib, snapshot, packages] = await Promise.all([
      Deno.readFile(new URL("python_stdlib.zip", dir)),
      init.snapshotPath ? Deno.readFile(init.snapshotPath) : undefined,
      Promise.all((init.packages ?? []).map(async ({ path, fileName }) => ({
        fileName,
        bytes: await Deno.readFile(path),
      }))),
    ]);
    return { stdlib, snapshot, packages };
  };
  const wasm = await WebAssembly.compile(capped);
  // The bytes are compiled: freed now rather than at some later collection.
  release(wasmBytes);
  release(capped);
  return {
    wasm,
    lock,
    guardFiles: init.guardFiles,
    python: JSON.parse(lock).info.python,
    read,
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
  const booted = new Promise<void>((resolve, reject) => {
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
  // Each worker owns the bytes it boots from, moved rather than cloned:
  // cheaper than a structured clone, and freed with the worker. (A shared
  // buffer per worker posts faster but is reclaimed so lazily that the
  // process grew by a gigabyte over a few hundred runs.)
  const posted = assets.read().then(({ stdlib, snapshot, packages }) => {
    const boot: BootMessage = {
      wasm: assets.wasm,
      stdlib,
      lock: assets.lock,
      snapshot: makeSnapshot ? undefined : snapshot,
      guardFiles: assets.guardFiles,
      preload: init.preload,
      packages,
      port: channel.port2,
      interrupt,
      unguarded: init.unguarded,
      makeSnapshot,
    };
    const moved: Transferable[] = [channel.port2, stdlib.buffer as ArrayBuffer];
    if (boot.snapshot) moved.push(boot.snapshot.buffer as ArrayBuffer);
    for (const wheel of packages) moved.push(wheel.bytes.buffer as ArrayBuffer);
    worker.postMessage(boot, moved);
  });
  const ready = Promise.all([posted, booted]).then(() => {});
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
  const { t, text, detail, data: piece, target } = data as Record<string, unknown>;
  const [value, cap] = t === "out"
    ? [text, CAPS.chunk_bytes]
    : t === "violation"
    ? [detail, CAPS.detail_bytes]
    : t === "file"
    ? [piece, CAPS.chunk_bytes]
    : t === "call"
    ? [piece, CAPS.host_data_bytes]
    : t === "op"
    ? [target, CAPS.detail_bytes]
    : [undefined, 0];
  // A UTF-16 length over the cap is over it in bytes too; only shorter text needs encoding.
  return typeof value === "string" && (value.length > cap || utf8Bytes(value) > cap);
}

/** How often the process's resident memory is sampled while a job runs. */
const MEMORY_SAMPLE_MS = 50;

/**
 * Resolves after the event loop's next turn (its ready messages delivered):
 * a message through a channel of its own, not a timer, which Deno fires a
 * millisecond or more later.
 */
const nextTurn = () =>
  new Promise<void>((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port2.onmessage = () => {
      port1.close();
      port2.close();
      resolve();
    };
    port1.postMessage(null);
  });

/** Where the command loop delivers the host's answers: the job in progress. */
let answerJob: ((jobId: string, answer: HostAnswer) => void) | undefined;

/**
 * Run one job on a booted worker; resolves once its end has been reported.
 *
 * What the supervisor reports is its own observation, never the worker's
 * word: whether the deadline interrupt fired, violations past the cap
 * (counted, not relayed), the process's memory growth, and breach signs —
 * a message that fails the schema or exceeds the protocol's caps, one out of
 * order (anything before `started`, a second `started`, `booted`, a host
 * call whose id was used or past the calls in flight), anything posted on
 * the worker's global channel. The guard
 * sends none of these, so each means the worker's JavaScript was reached.
 */
function runJob(booted: Booted, job: Job, onKept: () => void): Promise<void> {
  const { worker, port, interrupt } = booted;
  return new Promise((resolve) => {
    let finished = false;
    let started = false;
    let deadlinePassed = false;
    let relayedViolations = 0;
    let relayedOps = 0;
    let violationsOmitted = 0;
    const breaches: string[] = [];
    const breach = (sign: string) => {
      if (breaches.length < MAX_BREACH_SIGNS) breaches.push(sign);
    };
    const { limits } = job.guard;
    const budget = new RelayBudget(
      // Written files travel as base64: four bytes of text for three.
      limits.output_bytes + (job.guard.writable ? Math.ceil(limits.write_bytes * 4 / 3) : 0),
      limits.host_calls,
      limits.host_call_bytes,
    );
    // (One list of timer ids, intervals included: they share one pool.)
    const timers: ReturnType<typeof setTimeout>[] = [];
    const rssAtStart = Deno.memoryUsage().rss;
    let rssPeak = rssAtStart;
    const sample = () => rssPeak = Math.max(rssPeak, Deno.memoryUsage().rss);
    timers.push(setInterval(sample, MEMORY_SAMPLE_MS));
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
    const finish = async (done: DoneEvent, by: JobEnd["by"], exit: boolean) => {
      if (finished) return;
      finished = true;
      answerJob = undefined;
      timers.forEach(clearTimeout);
      sample();
      // (Not port.close(): under a flood it blocks this thread.)
      port.onmessage = null;
      // The two channels are not ordered: what the worker posted on its
      // global one before its `done` may be delivered after it, so a worker's
      // end waits two turns of the event loop for those breach signs.
      if (by === "worker") { for (let turn = 0; turn < 2; turn++) await nextTurn(); }
      worker.onmessage = null;
      // Tell the host first, so it never hands this process another job.
      if (exit) await send({ t: "exiting" });
      // A `keep` job its worker ended leaves the worker to the owner's next
      // job, which may come as soon as the host hears of this end.
      const keep = job.keep === true && by === "worker";
      if (keep) onKept();
      const end: JobEnd = {
        done,
        by,
        deadlinePassed,
        violationsOmitted,
        breaches,
        memoryGrowthBytes: Math.max(0, rssPeak - rssAtStart),
      };
      await send({ id: job.id, end });
      if (!keep) worker.terminate();
      if (exit) await exitNow(0);
      resolve();
    };
    const crash = (type: string, message: string, cause: Cause, exit: boolean) =>
      finish(crashDone(type, message, cause), "supervisor", exit);
    const flood = () => crash("OutputLimitError", "the worker flooded its channel", "output", true);
    /** A breach that leaves nothing to wait for: the job ends, and the process with it. */
    const broken = (sign: string) => {
      breach(sign);
      return crash("SandboxBreach", sign, "crash", true);
    };

    // The guard never writes here: whatever arrives is a breach sign, and still costs the job.
    let posted = false;
    worker.onmessage = () => {
      if (!posted) breach("the worker posted a message on its global channel");
      posted = true;
      if (!budget.control()) flood();
    };
    let deadline = Infinity;
    port.onmessage = (e) => {
      if (finished) return;
      // A flood can starve the deadline's timers; every message checks it too.
      if (performance.now() > deadline) {
        deadlinePassed = true;
        return crash("TimeoutError", `time limit of ${job.timeoutMs} ms exceeded`, "time", true);
      }
      // Text over the protocol's caps: rejected before validation costs anything.
      if (oversized(e.data)) return broken("the worker sent a message over the protocol's caps");
      const event = parseWorkerEvent(e.data);
      if (!event) return broken("the worker sent a malformed message");
      if (!started && event.t !== "started") {
        return broken(`the worker sent '${event.t}' before its job started`);
      }
      switch (event.t) {
        case "started":
          // Only the first start counts: a worker must not move its own deadline.
          if (started) return broken("the worker announced its start twice");
          started = true;
          deadline = performance.now() + job.timeoutMs + init.graceMs;
          timers.push(setTimeout(() => {
            deadlinePassed = true;
            expired = true;
            // A worker waiting for the host gets TimeoutError as the answer
            // (the guard ends the run on it) rather than an interrupt: Python
            // resumes from a wait through Pyodide's event loop, where an
            // interrupt would be raised outside the script and crash the worker.
            if (waiting.size) [...waiting].forEach(timedOut);
            else Atomics.store(interrupt, 0, INTERRUPT.deadline);
            timers.push(setTimeout(
              () =>
                crash("TimeoutError", `time limit of ${job.timeoutMs} ms exceeded`, "time", true),
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
          // Past the cap, only a count: the host's record stays bounded whatever the worker sends.
          if (relayedViolations >= CAPS.violations) return void violationsOmitted++;
          relayedViolations++;
          return void send({ id: job.id, event });
        case "file":
          // Base64 is ASCII: its length is its size in bytes.
          if (!budget.take(event.data.length)) return flood();
          return void send({ id: job.id, event });
        case "op":
          // The guard sends at most its cap of audit records and one notice:
          // those cost the job nothing, so they never change how it ends. Any
          // more come from a worker that ignores the guard: they cost the job
          // like output, and are dropped.
          if (relayedOps > CAPS.operations) {
            return void (budget.take(utf8Bytes(event.target)) || flood());
          }
          relayedOps++;
          return void send({ id: job.id, event });
        case "call":
          // The guard makes one call at a time, each with a fresh random id.
          if (used.has(event.call) || waiting.size >= CAPS.host_calls_in_flight) {
            return broken("the worker sent a host call out of order");
          }
          if (!budget.call(utf8Bytes(event.data))) {
            return crash(
              "HostCallLimitError",
              "the worker flooded the host with calls",
              "calls",
              true,
            );
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
          return finish(event, "worker", false);
        default:
          return broken(`the worker sent '${event.t}' during its job`);
      }
    };
    worker.onerror = (e) => {
      e.preventDefault();
      crash("WorkerCrash", String(e.message).slice(0, 4000), "crash", false);
    };
    if (job.memoryMb !== init.memoryMb) {
      return crash("WorkerCrash", "the job's memory cap is not this process's", "crash", true);
    }
    // A kept worker's last flush signal must not meet its next job.
    Atomics.store(interrupt, 0, 0);
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
  let next: Booted | undefined = startNext(assets, first);
  // The worker a `keep` job left for its owner's next job: that job goes to it.
  let kept: Booted | undefined;
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
    // After a job, the next worker starts only when the host says so: until
    // then it can tell that no thread of the last job's is left.
    if (command.t === "next") {
      if (kept) kept.worker.terminate();
      kept = undefined;
      next ??= startNext(assets);
      continue;
    }
    if (command.t !== "run" || !(kept ?? next)) {
      throw new Error(`unexpected '${command.t}' command`);
    }
    const current: Booted = (kept ?? next)!;
    if (current === next) next = undefined;
    kept = undefined;
    running = running.then(async () => {
      await current.ready;
      await runJob(current, command.job, () => kept = current);
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
