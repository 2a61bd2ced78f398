/**
 * The sandbox process: a `deno run` child with no `--allow-all`, holding only
 * read access to the Pyodide assets and the guard, and net access to the
 * origin. It boots one worker ahead of time, hands it exactly one job, relays
 * its (validated) events to the host as JSON lines, and enforces the deadline:
 * interrupt first, then `Deno.exit()` if the worker does not unwind, because
 * `worker.terminate()` does not stop a spinning worker.
 *
 * @module
 */
import {
  type DoneEvent,
  type HostCommand,
  type Job,
  parseWorkerEvent,
} from "../protocol/messages.ts";
import { crashDone } from "../protocol/crash.ts";
import { readLines } from "../protocol/lines.ts";
import type { SupervisorInit } from "../protocol/supervisor_init.ts";
import type { BootMessage } from "../protocol/boot.ts";

const MAX_COMMAND_BYTES = 512 * 1024 * 1024;
const init: SupervisorInit = JSON.parse(Deno.args[0]);
const out = Deno.stdout.writable.getWriter();
const encoder = new TextEncoder();

function send(message: unknown): Promise<void> {
  return out.write(encoder.encode(JSON.stringify(message) + "\n"));
}

async function exitNow(code: number): Promise<never> {
  await out.ready;
  await out.close().catch(() => {});
  Deno.exit(code);
}

interface Assets {
  wasm: WebAssembly.Module;
  stdlib: Uint8Array;
  lock: string;
  snapshot?: Uint8Array;
  guardFiles: Record<string, string>;
  python: string;
}

async function loadAssets(): Promise<Assets> {
  const dir = new URL(init.pyodideDir);
  const [wasmBytes, stdlib, lock] = await Promise.all([
    Deno.readFile(new URL("pyodide.asm.wasm", dir)),
    Deno.readFile(new URL("python_stdlib.zip", dir)),
    Deno.readTextFile(new URL("pyodide-lock.json", dir)),
  ]);
  const guardFiles: Record<string, string> = {};
  for await (const entry of Deno.readDir(new URL(init.guardDir))) {
    if (entry.isFile && entry.name.endsWith(".py")) {
      guardFiles[entry.name] = await Deno.readTextFile(new URL(entry.name, init.guardDir));
    }
  }
  return {
    wasm: await WebAssembly.compile(wasmBytes),
    stdlib,
    lock,
    snapshot: init.snapshotPath ? await Deno.readFile(init.snapshotPath) : undefined,
    guardFiles,
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
  // Anything the worker posts on its global channel is ignored: the real
  // channel is a private port, out of reach of code that only finds `self`.
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

/** Run one job on a booted worker; resolves once its `done` has been relayed. */
function runJob(booted: Booted, job: Job): Promise<void> {
  const { worker, port, interrupt } = booted;
  return new Promise((resolve) => {
    let finished = false;
    let started = false;
    let outputBytes = 0;
    const timers: ReturnType<typeof setTimeout>[] = [];
    const finish = async (event: DoneEvent, exit: boolean) => {
      if (finished) return;
      finished = true;
      timers.forEach(clearTimeout);
      port.onmessage = null;
      // Tell the host first, so it never hands this process another job.
      if (exit) await send({ t: "exiting" });
      await send({ id: job.id, event });
      worker.terminate();
      if (exit) await exitNow(0);
      resolve();
    };
    const crash = (type: string, message: string, exit: boolean) =>
      finish(crashDone(type, message), exit);

    port.onmessage = (e) => {
      const event = parseWorkerEvent(e.data);
      if (!event) return crash("WorkerCrash", "the worker sent a malformed message", true);
      switch (event.t) {
        case "started":
          // Only the first start counts: a worker that re-announces its start
          // must not be able to move its own deadline.
          if (started) return;
          started = true;
          timers.push(setTimeout(() => {
            Atomics.store(interrupt, 0, 2);
            timers.push(setTimeout(
              () => crash("TimeoutError", `time limit of ${job.timeoutMs} ms exceeded`, true),
              init.graceMs,
            ));
          }, job.timeoutMs));
          return void send({ id: job.id, event });
        case "out":
          // The guard caps output itself; this catches a worker that no longer obeys it.
          outputBytes += event.text.length;
          if (outputBytes > job.guard.limits.output_bytes * 4 + 65536) {
            return crash("OutputLimitError", "output limit exceeded", true);
          }
          return void send({ id: job.id, event });
        case "violation":
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
    port.postMessage(job);
  });
}

function startNext(assets: Assets, pending?: Pending): Booted {
  const booted = startWorker(assets, false, pending);
  booted.ready.then(() => send({ t: "warm" }), () => {});
  return booted;
}

async function serve(assets: Assets, first: Pending): Promise<void> {
  let next = startNext(assets, first);
  await send({ t: "ready", python: assets.python });
  for await (const text of readLines(Deno.stdin.readable, MAX_COMMAND_BYTES)) {
    const command: HostCommand = JSON.parse(text);
    if (command.t === "exit") break;
    try {
      await next.ready;
    } catch (err) {
      await send({
        id: command.job.id,
        event: crashDone("WorkerCrash", String(err).slice(0, 4000)),
      });
      await exitNow(1);
    }
    const current = next;
    await runJob(current, command.job);
    next = startNext(assets);
  }
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
