/**
 * One sandbox process, seen from the host: started by `launch.ts`, fed one
 * job at a time over its private channel, watched from outside, and killed
 * with SIGKILL when it stops answering or breaks a limit.
 *
 * Everything it says is hostile input: lines are capped and validated
 * (`protocol/messages.ts`), and each must belong to the job the host sent
 * (job ids are random, fresh per attempt); anything else ends the process.
 * Its stdout and stderr, which any worker can write, are never parsed: they
 * are drained, counted against a cap, and only a short tail of stderr is
 * kept (since the current job started) for crash reports.
 *
 * Limits that hold even if a worker's JavaScript is reached (design rule 5):
 * - memory: the interpreter's wasm memory has its maximum written into the
 *   module (see `supervisor/wasm_memory.ts`), each isolate's JS heap is
 *   capped by V8, and the host polls the process's resident memory and kills
 *   it past the cap plus a fixed overhead (`process_limits.ts`; Linux only,
 *   from `/proc/PID/status`: elsewhere this watch is off, and
 *   `new WebAssembly.Memory` or large `ArrayBuffer`s in a breached worker are
 *   bounded only by the system). A V8 out-of-memory abort is reported as
 *   `MemoryError` too.
 * - time: the supervisor interrupts, then exits; the host's backstop kills.
 * - output: the supervisor budgets what a job relays; the host caps what the
 *   process writes to its console.
 * - leftovers: `worker.terminate()` does not stop a worker spinning in
 *   JavaScript or wasm, so before each job the host checks that the process
 *   runs no worker thread beyond the one booted for that job (Linux only),
 *   and retires it otherwise.
 *
 * @module
 */
import {
  type CallEvent,
  type DoneEvent,
  type Job,
  parseSandboxLine,
  type WorkerEvent,
} from "../protocol/messages.ts";
import type { HostAnswer } from "../protocol/host_call.ts";
import { CAPS } from "../protocol/caps.ts";
import { crashDone } from "../protocol/crash.ts";
import type { WorkerPermissions } from "../capabilities/permissions.ts";
import type { Wheel } from "../protocol/supervisor_init.ts";
import type { Channel } from "./channel.ts";
import { drain, launch } from "./launch.ts";
import { residentBytes, workerThreads } from "./procfs.ts";
import { rssCapBytes } from "./process_limits.ts";

/** What a sandbox process is started with. */
export interface ProcessSpec {
  /** Every worker's Deno permissions; the process gets the same net access. */
  permissions: WorkerPermissions;
  /** The interpreter's memory cap (MiB): written into its wasm module, so fixed per process. */
  memoryMb: number;
  /** Boot workers from this snapshot file. */
  snapshotPath?: string;
  /** The wheels the snapshot was built with (its path names them: no pool key of their own). */
  packages?: Wheel[];
  /** Test-only: no Python guard. */
  unguarded?: boolean;
}

/** A job as the caller gives it; the process assigns its id. */
export type JobRequest = Omit<Job, "id">;

/** How long a worker may take to unwind after the deadline interrupt. */
export const GRACE_MS = 400;

const BOOT_TIMEOUT_MS = 60_000;
const STDERR_KEEP = 8192;
/** What the process may write to stdout + stderr per job (or while idle): nothing legitimate comes close. */
const MAX_CONSOLE_BYTES = 1024 * 1024;
const RSS_POLL_MS = 50;
/** How long a finished job's worker thread may take to end before the process is retired. */
const LEFTOVER_WAIT_MS = 1000;
/** What V8 prints when an isolate hits its heap limit and aborts the process. */
const V8_OOM = /Fatal (JavaScript|process) out of memory|JavaScript heap out of memory/;

/** Let `timer` not keep the host alive. */
function unrefTimer(timer: ReturnType<typeof setInterval>): void {
  // Deno 2.9 returns a Node-style Timeout (which `Deno.unrefTimer` ignores), 2.5 a number.
  if (typeof timer === "number") Deno.unrefTimer(timer);
  else (timer as unknown as { unref(): void }).unref();
}

/**
 * Answers one host call of the job (see `host_calls.ts`); rejects when the
 * call is one the guard would never have sent, which ends the job.
 */
export type CallHandler = (call: CallEvent) => Promise<HostAnswer>;

interface Pending {
  id: string;
  timeoutMs: number;
  onEvent: (event: WorkerEvent) => void;
  onCall?: CallHandler;
  resolve: (done: DoneEvent) => void;
  timer?: ReturnType<typeof setTimeout>;
  started?: boolean;
  /** Every call id the job used, and how many calls wait for their answers. */
  calls: Set<string>;
  waiting: number;
}

/** A live sandbox process that runs one job at a time. */
export class SandboxProcess {
  #child: Deno.ChildProcess;
  #channel: Channel;
  #memoryMb: number;
  #pending?: Pending;
  #claimed = false;
  #alive = true;
  #retiring = false;
  /** A booted interpreter is waiting for a job. */
  #warm = false;
  #onWarm?: () => void;
  #stderr = "";
  /** What the supervisor itself reported when it gave up (trusted, unlike the console). */
  #fatal = "";
  #consoleBytes = 0;
  #killedFor?: DoneEvent;
  #watch: ReturnType<typeof setInterval>;
  #ready: Promise<void>;
  #readyResolve!: () => void;
  #readyReject!: (err: Error) => void;

  private constructor(spec: ProcessSpec, child: Deno.ChildProcess, channel: Channel) {
    this.#child = child;
    this.#channel = channel;
    this.#memoryMb = spec.memoryMb;
    this.#ready = new Promise((resolve, reject) => {
      this.#readyResolve = resolve;
      this.#readyReject = reject;
    });
    this.#ready.catch(() => {});
    const decoder = new TextDecoder();
    drain(child.stdout, (chunk) => this.#console(chunk.length));
    drain(child.stderr, (chunk) => {
      this.#stderr = (this.#stderr + decoder.decode(chunk, { stream: true })).slice(-STDERR_KEEP);
      this.#console(chunk.length);
    });
    this.#readChannel();
    this.#child.status.then((status) => this.#died(status));
    this.#watch = setInterval(() => this.#checkMemory(), RSS_POLL_MS);
    unrefTimer(this.#watch);
    // An idle sandbox must not keep the host alive; a running job does.
    this.#ref(false);
  }

  /** Start a process and wait until it is ready for a job. */
  static async start(spec: ProcessSpec): Promise<SandboxProcess> {
    const { child, channel } = await launch(
      {
        mode: "serve",
        snapshotPath: spec.snapshotPath,
        preload: [],
        packages: spec.packages,
        permissions: spec.permissions,
        unguarded: spec.unguarded ?? false,
        graceMs: GRACE_MS,
        memoryMb: spec.memoryMb,
      },
      {
        read: [
          ...spec.snapshotPath ? [spec.snapshotPath] : [],
          ...(spec.packages ?? []).map((w) => w.path),
        ],
        timeoutMs: BOOT_TIMEOUT_MS,
      },
    );
    const process = new SandboxProcess(spec, child, channel);
    const timer = setTimeout(() => process.kill(), BOOT_TIMEOUT_MS);
    try {
      await process.#ready;
    } finally {
      clearTimeout(timer);
    }
    return process;
  }

  /** False once the process has exited, been killed, or announced its exit. */
  get alive(): boolean {
    return this.#alive && !this.#retiring;
  }

  /** Settles once the OS process has exited: only then is its slot in the pool's limit free. */
  get exited(): Promise<void> {
    return this.#child.status.then(() => {}, () => {});
  }

  /** The OS process id. */
  get pid(): number {
    return this.#child.pid;
  }

  /** True when its next interpreter has finished booting, so a job starts at once. */
  get warm(): boolean {
    return this.#warm && this.alive && !this.busy;
  }

  /** True while a job is running (or about to). */
  get busy(): boolean {
    return this.#pending !== undefined || this.#claimed;
  }

  /**
   * Run a job. Resolves with its `done` event, always: a crash, a kill or a
   * missed deadline become a `done` with the matching error. A process that
   * still runs an earlier job's worker is retired instead, and the job ends
   * as a `WorkerCrash` it never started (which the caller may retry elsewhere).
   * The job's host calls go to `onCall`; without it, a call ends the job.
   */
  async run(
    job: JobRequest,
    onEvent: (event: WorkerEvent) => void,
    onCall?: CallHandler,
  ): Promise<DoneEvent> {
    if (!this.alive) return crashDone("WorkerCrash", "sandbox process is gone");
    if (this.busy) throw new Error("SandboxProcess.run: a job is already running");
    if (job.memoryMb !== this.#memoryMb) {
      throw new Error("SandboxProcess.run: the job's memory cap is not this process's");
    }
    // Whatever happens to the process before the job is sent (a leftover
    // worker flooding or exhausting it) is not this job's doing.
    this.#claimed = true;
    this.#ref(true);
    try {
      if (!await this.#booted() || !await this.#noLeftovers()) this.kill();
    } finally {
      this.#claimed = false;
    }
    if (!this.#alive) {
      const why = "the sandbox process was retired before the job started";
      return crashDone("WorkerCrash", this.#fatal ? `${why}: ${this.#fatal}` : why);
    }
    this.#warm = false;
    this.#stderr = "";
    this.#consoleBytes = 0;
    const id = crypto.randomUUID();
    const done = new Promise<DoneEvent>((resolve) => {
      const timer = setTimeout(() => this.#backstop(), BOOT_TIMEOUT_MS);
      this.#pending = {
        id,
        timeoutMs: job.timeoutMs,
        onEvent,
        onCall,
        resolve,
        timer,
        calls: new Set(),
        waiting: 0,
      };
    });
    this.#send({ t: "run", job: { ...job, id } });
    return done;
  }

  /** Ask the process to exit, and kill it if it does not. */
  async close(): Promise<void> {
    if (!this.#alive) return;
    // Whoever waits for this process to exit (a pool freeing its slot for a
    // queued run, close()) must not see the host end first.
    this.#child.ref();
    await this.#send({ t: "exit" });
    const timer = setTimeout(() => this.kill(), 2000);
    await this.#child.status;
    clearTimeout(timer);
  }

  /**
   * End the job in progress (or about to start) at once with `done`: the
   * caller's abort. The process is killed; one busy in a script cannot be
   * trusted to stop in time otherwise.
   */
  abort(done: DoneEvent): void {
    if (this.busy) this.#killFor(done);
  }

  /** SIGKILL the process. */
  kill(): void {
    if (!this.#alive) return;
    try {
      this.#child.kill("SIGKILL");
      this.#child.ref();
    } catch {
      // already gone
    }
    this.#died();
  }

  #ref(keep: boolean): void {
    if (keep) this.#child.ref();
    else this.#child.unref();
    this.#channel.ref(keep);
  }

  async #send(command: Parameters<Channel["send"]>[0]): Promise<void> {
    try {
      await this.#channel.send(command);
    } catch {
      this.kill();
    }
  }

  /** Kill the process and end the job in progress (if any) with `done`. */
  #killFor(done: DoneEvent): void {
    this.#killedFor ??= done;
    this.kill();
  }

  /**
   * A sign only the host can see that the worker no longer obeys the guard
   * (a host call it would never send): the process is killed and the job
   * ends as a `WorkerCrash` saying so.
   */
  #breach(detail: string): void {
    this.#killFor(crashDone("WorkerCrash", `the worker broke the protocol: ${detail}`));
  }

  /** Hand one host call of the job in progress to its handler, and the answer back. */
  #call(pending: Pending, call: CallEvent): void {
    if (!pending.onCall) return this.#breach("a host call in a job that offers none");
    if (pending.calls.has(call.call)) return this.#breach("a host call id used twice");
    if (pending.waiting >= CAPS.host_calls_in_flight) {
      return this.#breach("more host calls waiting at once than the guard makes");
    }
    pending.calls.add(call.call);
    pending.waiting++;
    pending.onCall(call).then(
      (answer) => {
        pending.waiting--;
        // An answer after the job's end (or the process's) has no one to go to.
        if (this.#pending === pending && this.#alive) {
          this.#send({ t: "answer", job: pending.id, answer });
        }
      },
      (err) => {
        if (this.#pending === pending) this.#breach((err as Error).message);
      },
    );
  }

  /** Wait until the job's interpreter has booted; false if it does not in time. */
  #booted(): Promise<boolean> {
    if (this.#warm || !this.#alive) return Promise.resolve(this.#alive);
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(false), BOOT_TIMEOUT_MS);
      const done = (booted: boolean) => {
        clearTimeout(timer);
        this.#onWarm = undefined;
        resolve(booted);
      };
      this.#onWarm = () => done(this.#alive);
    });
  }

  /**
   * True once the job's booted interpreter is the process's only worker
   * thread (or the OS cannot tell): the last job's worker, and any worker it
   * started, must have ended. A normal teardown takes well under 100 ms.
   */
  async #noLeftovers(): Promise<boolean> {
    const deadline = Date.now() + LEFTOVER_WAIT_MS;
    for (;;) {
      const threads = workerThreads(this.pid);
      if (threads === undefined || threads <= 1) return true;
      if (Date.now() > deadline || !this.#alive) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  #checkMemory(): void {
    const rss = residentBytes(this.pid);
    const cap = rssCapBytes(this.#memoryMb);
    if (rss === undefined || rss <= cap) return;
    this.#killFor(crashDone(
      "MemoryError",
      `memory limit of ${this.#memoryMb} MiB exceeded (the sandbox process held ${
        Math.round(rss / 1048576)
      } MiB)`,
    ));
  }

  #console(bytes: number): void {
    this.#consoleBytes += bytes;
    if (this.#consoleBytes > MAX_CONSOLE_BYTES) {
      this.#killFor(crashDone("OutputLimitError", "the sandbox process flooded its console"));
    }
  }

  #backstop(): void {
    const pending = this.#pending;
    if (!pending) return;
    this.#killFor(crashDone("TimeoutError", `time limit of ${pending.timeoutMs} ms exceeded`));
  }

  #settle(done: DoneEvent): void {
    const pending = this.#pending;
    if (!pending) return;
    clearTimeout(pending.timer);
    this.#pending = undefined;
    this.#warm = false;
    if (this.#alive) this.#ref(false);
    pending.resolve(done);
  }

  #died(status?: Deno.CommandStatus): void {
    if (!this.#alive) return;
    this.#alive = false;
    clearInterval(this.#watch);
    this.#onWarm?.();
    this.#channel.close();
    const tail = [this.#fatal, this.#stderr.trim()].filter(Boolean).join("\n").slice(-2000);
    const reason = status ? "the sandbox process exited" : "the sandbox process was killed";
    this.#readyReject(new Error(tail ? `${reason}: ${tail}` : reason));
    // V8 aborts the whole process when an isolate exceeds its heap limit; a
    // worker cannot raise a signal itself (no run permission), so a signal
    // death with V8's message is that limit.
    const outOfMemory = status?.signal && V8_OOM.test(this.#stderr);
    this.#settle(
      this.#killedFor ??
        (outOfMemory
          ? crashDone("MemoryError", "the sandbox process ran out of JavaScript heap")
          : crashDone("WorkerCrash", tail ? `${reason}: ${tail}` : reason)),
    );
  }

  async #readChannel(): Promise<void> {
    try {
      for await (const line of this.#channel.lines) {
        const message = parseSandboxLine(line);
        if (!message) throw new Error("malformed message from the sandbox process");
        if ("t" in message) {
          if (message.t === "ready") this.#readyResolve();
          else if (message.t === "exiting") this.#retiring = true;
          // A boot that finished during a job was that job's worker.
          else if (message.t === "warm") {
            this.#warm = !this.#pending;
            this.#onWarm?.();
          } else if (message.t === "fatal") this.#fatal = message.message.slice(0, 4000);
          continue;
        }
        // Every event belongs to the job in progress, whose id only the host
        // and this process know; anything else is a broken or forged stream.
        const pending = this.#pending;
        if (!pending || message.id !== pending.id) {
          throw new Error("a message for a job this process was not given");
        }
        const { event } = message;
        if (event.t === "done") {
          this.#settle(event);
        } else if (event.t === "call") {
          this.#call(pending, event);
        } else {
          if (event.t === "started") {
            // The supervisor relays one start per job; anything more is ignored.
            if (pending.started) continue;
            pending.started = true;
            clearTimeout(pending.timer);
            pending.timer = setTimeout(
              () => this.#backstop(),
              pending.timeoutMs + GRACE_MS + 1000,
            );
          }
          pending.onEvent(event);
        }
      }
    } catch (err) {
      this.#stderr += `\n${(err as Error).message}`;
      return this.kill();
    }
    // The channel closed: the process is exiting. Let it, briefly, so its
    // exit status and last words make the report.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#child.status,
      new Promise((resolve) => timer = setTimeout(resolve, 1000)),
    ]);
    clearTimeout(timer);
    this.kill();
  }
}
