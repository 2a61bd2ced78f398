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
 *   bounded only by the system). Memory past that cap, or a V8 out-of-memory
 *   abort, is more than the interpreter can hold: a breach sign.
 * - time: the supervisor interrupts, then exits; the host's backstop kills.
 * - output: the supervisor budgets what a job relays; the host caps what the
 *   process writes to its console.
 *
 * Each job leaves the process as it found it, or the process is retired
 * (design rules 8 and 10). The supervisor starts the next worker only when
 * the host says so, so when a job ends the process runs no worker thread but
 * the job's own (which `worker.terminate()` is ending): any other is one the
 * job started (a nested worker keeps running after its parent is
 * terminated). The host also reads Deno's permission audit for what the
 * worker was refused (`permission_audit.ts`). A thread left behind or a
 * refused permission is a breach sign, and retires the process with the
 * result. Then, once the next interpreter has booted, the job's worker must
 * have ended (one spinning in JavaScript or wasm ignores `terminate()`), and
 * the process's resident memory must be back within {@link IDLE_SLACK_MB}
 * of what it held idle before its first job (Blob bytes a worker made stay
 * in a process-wide store after it ends), or it is retired before its next
 * job. Idle processes are checked the same way every {@link IDLE_CHECK_MS}.
 * Thread and memory readings come from `/proc` (Linux only).
 *
 * What the supervisor reports at a job's end (`protocol/messages.ts`
 * `JobEnd`) is combined here with what the host saw: breach signs, the
 * memory growth it measured, and who ended the job.
 *
 * @module
 */
import {
  type CallEvent,
  type DoneEvent,
  type Job,
  type JobEnd,
  parseSandboxLine,
  type RelayedEvent,
} from "../protocol/messages.ts";
import type { HostAnswer } from "../protocol/host_call.ts";
import { CAPS, MAX_BREACH_SIGNS } from "../protocol/caps.ts";
import { crashDone } from "../protocol/crash.ts";
import type { WorkerPermissions } from "../capabilities/permissions.ts";
import type { Wheel } from "../protocol/supervisor_init.ts";
import type { Channel } from "./channel.ts";
import { drain, launch } from "./launch.ts";
import { PermissionAudit } from "./permission_audit.ts";
import {
  peakResidentBytes,
  resetPeakResident,
  residentBytes,
  workerThreadIds,
  workerThreads,
} from "./procfs.ts";
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

/**
 * What a job's caller hears while it runs: the relayed events, then `ended`
 * as soon as its end arrives (before the host's checks of the process).
 */
export type JobEvent = RelayedEvent | { t: "ended" };

/** How long a worker may take to unwind after the deadline interrupt. */
export const GRACE_MS = 400;

/**
 * Resident memory an idle process may hold beyond what it held idle before
 * its first job (MiB). Measured on Linux, Deno 2.9.6: idle at about 250 MiB
 * before the first job, and at most 55 MiB above that after runs that fetch
 * 4 x 6 MiB or fill 200 MiB of their interpreter's memory; a run whose Blobs
 * outlive it leaves hundreds of MiB.
 */
export const IDLE_SLACK_MB = 128;

/** How often an idle process is checked for threads and memory left behind. */
export const IDLE_CHECK_MS = 1000;

/** Readings in a row beyond the idle level that retire a process (a transient peak is not a leftover). */
const IDLE_SAMPLES = 3;

const BOOT_TIMEOUT_MS = 60_000;
const STDERR_KEEP = 8192;
/** What the process may write to stdout + stderr per job (or while idle): nothing legitimate comes close. */
const MAX_CONSOLE_BYTES = 1024 * 1024;
const POLL_MS = 50;
/** How long a finished job's worker thread may take to end before the process is retired. */
const LEFTOVER_WAIT_MS = 3000;
/** What V8 prints when an isolate hits its heap limit and aborts the process. */
const V8_OOM = /Fatal (JavaScript|process) out of memory|JavaScript heap out of memory/;
const MIB = 1024 * 1024;

/** Let `timer` not keep the host alive. */
export function unrefTimer(timer: ReturnType<typeof setInterval>): void {
  // Deno 2.9 returns a Node-style Timeout (which `Deno.unrefTimer` ignores), 2.5 a number.
  if (typeof timer === "number") Deno.unrefTimer(timer);
  else (timer as unknown as { unref(): void }).unref();
}

/** A job's end as the host made it: it killed the process, or never sent the job. */
export function hostEnd(done: DoneEvent, facts: Partial<JobEnd> = {}): JobEnd {
  return {
    done,
    by: "host",
    deadlinePassed: false,
    violationsOmitted: 0,
    breaches: [],
    memoryGrowthBytes: 0,
    ...facts,
  };
}

const mib = (bytes: number) => Math.round(bytes / MIB);

/**
 * Answers one host call of the job (see `host_calls.ts`); rejects when the
 * call is one the guard would never have sent, which ends the job.
 */
export type CallHandler = (call: CallEvent) => Promise<HostAnswer>;

interface Pending {
  id: string;
  timeoutMs: number;
  onEvent: (event: JobEvent) => string | void;
  onCall?: CallHandler;
  resolve: (end: JobEnd) => void;
  timer?: ReturnType<typeof setTimeout>;
  started?: boolean;
  /** Every call id the job used, and how many calls wait for their answers. */
  calls: Set<string>;
  waiting: number;
  /** Resident memory when the job was sent, and its peak since (host readings). */
  rssAtStart?: number;
  rssPeak: number;
  /** The kernel's peak (`VmHWM`) was reset when the job was sent. */
  peakKnown: boolean;
  /** The thread of the job's own worker (the process's only one when the job was sent). */
  thread?: string;
  /** The watch killed the process for holding more than its cap. */
  overCap?: boolean;
}

/** Who a job is run for, when its worker is to be kept for that owner (see {@link SandboxProcess.run}). */
export interface JobOwner {
  /** An opaque key the host chose (a session's id); the process never sees it. */
  owner: string;
}

/** A live sandbox process that runs one job at a time. */
export class SandboxProcess {
  #child: Deno.ChildProcess;
  #channel: Channel;
  #memoryMb: number;
  #audit?: PermissionAudit;
  #pending?: Pending;
  /** The owner this process serves from its first `keep` job on (it is never anyone else's). */
  #owner?: string;
  /** The last job's worker was kept for the owner's next job. */
  #kept = false;
  /** The kept worker's thread (when it could be told). */
  #keptThread?: string;
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
  #killedFor?: JobEnd;
  /** Resident memory when idle, before its first job (the level each job must return to). */
  #idleRss?: number;
  /** The check that the last job left the process as it found it, until it is done. */
  #settling?: Promise<void>;
  #polls = 0;
  /** Idle checks in a row that found the process beyond its idle level. */
  #overIdle = 0;
  #watch: ReturnType<typeof setInterval>;
  #ready: Promise<void>;
  #readyResolve!: () => void;
  #readyReject!: (err: Error) => void;

  private constructor(
    spec: ProcessSpec,
    child: Deno.ChildProcess,
    channel: Channel,
    audit?: PermissionAudit,
  ) {
    this.#child = child;
    this.#channel = channel;
    this.#memoryMb = spec.memoryMb;
    this.#audit = audit;
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
    this.#watch = setInterval(() => this.#poll(), POLL_MS);
    unrefTimer(this.#watch);
    // An idle sandbox must not keep the host alive; a running job does.
    this.#ref(false);
  }

  /** Start a process and wait until it is ready for a job. */
  static async start(spec: ProcessSpec): Promise<SandboxProcess> {
    const { child, channel, audit, grants } = await launch(
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
        audit: true,
      },
    );
    const process = new SandboxProcess(
      spec,
      child,
      channel,
      audit &&
        new PermissionAudit(audit, {
          // While serving, the process reads only its code, Pyodide, the snapshot
          // and wheels (not the channel's socket: it connected before it was ready).
          ownReads: grants.read.filter((path) => !grants.write.includes(path)),
          cwd: grants.cwd,
          workerNet: spec.permissions.net || [],
        }),
    );
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
    return this.#warm && this.alive && !this.busy && !this.#settling;
  }

  /**
   * The owner this process serves, once a job was run for it with `keep`:
   * from then on it runs that owner's jobs only, and must not go back to a
   * pool (its worker holds the owner's state).
   */
  get owner(): string | undefined {
    return this.#owner;
  }

  /**
   * Replace the worker the last `keep` job left (for an owner whose
   * interpreter is not to serve another run) with a fresh one, as after a
   * job that kept nothing: the process stays its owner's, and is retired if
   * the old worker does not end. Nothing to do when no worker was kept.
   */
  replaceWorker(): void {
    if (!this.#kept || !this.#alive || this.busy) return;
    this.#kept = false;
    this.#warm = false;
    this.#send({ t: "next" });
    this.#settling = this.#settle(this.#keptThread);
  }

  /** True while a job is running (or about to). */
  get busy(): boolean {
    return this.#pending !== undefined || this.#claimed;
  }

  /**
   * Run a job. Resolves with how it ended, always: a crash, a kill or a
   * missed deadline end it with the matching error. A process that an
   * earlier job did not leave as it found it is retired instead, and the job
   * ends as a `WorkerCrash` it never started (which the caller may retry
   * elsewhere). The job's host calls go to `onCall`; without it, a call ends
   * the job.
   *
   * A job with `keep` (and its `owner`) leaves its worker, if the worker
   * ended the job itself and the host saw no breach sign, to the owner's
   * next job: the process boots no new interpreter, and runs only that
   * owner's jobs from then on (see {@link SandboxProcess.owner}). A job that
   * ended any other way leaves no worker behind: its owner's next job gets
   * a fresh interpreter, or the retired process's `WorkerCrash`; the caller
   * decides whether that ends what it was keeping.
   *
   * @throws {Error} a job is already running; the memory cap is not the process's; a `keep` job without an owner, or a job of another owner than the one it serves.
   */
  async run(
    job: JobRequest,
    onEvent: (event: JobEvent) => string | void,
    onCall?: CallHandler,
    who?: JobOwner,
  ): Promise<JobEnd> {
    if (job.keep && !who) throw new Error("SandboxProcess.run: a 'keep' job needs its owner");
    if (this.#owner !== undefined && who?.owner !== this.#owner) {
      throw new Error("SandboxProcess.run: this process serves another owner");
    }
    if (!this.alive) {
      return hostEnd(crashDone("WorkerCrash", "sandbox process is gone", "crash"));
    }
    if (this.busy) throw new Error("SandboxProcess.run: a job is already running");
    if (job.keep) this.#owner = who!.owner;
    if (job.memoryMb !== this.#memoryMb) {
      throw new Error("SandboxProcess.run: the job's memory cap is not this process's");
    }
    // Whatever happens to the process before the job is sent (a leftover
    // worker flooding or exhausting it) is not this job's doing.
    this.#claimed = true;
    this.#ref(true);
    try {
      await this.#settling;
      if (!await this.#booted() || !await this.#threadsEnded(1) || this.#refusedWhileIdle()) {
        this.kill();
      }
    } finally {
      this.#claimed = false;
    }
    if (!this.#alive) {
      const why = "the sandbox process was retired before the job started";
      return hostEnd(
        crashDone("WorkerCrash", this.#fatal ? `${why}: ${this.#fatal}` : why, "crash"),
      );
    }
    this.#warm = false;
    this.#stderr = "";
    this.#consoleBytes = 0;
    const id = crypto.randomUUID();
    // The kernel's peak, from now: exact where polling could miss a spike.
    const peakKnown = resetPeakResident(this.pid);
    const rssAtStart = residentBytes(this.pid);
    const [thread] = workerThreadIds(this.pid) ?? [];
    const pending: Pending = {
      thread,
      id,
      timeoutMs: job.timeoutMs,
      onEvent,
      onCall,
      resolve: () => {},
      calls: new Set(),
      waiting: 0,
      rssAtStart,
      rssPeak: rssAtStart ?? 0,
      peakKnown,
    };
    const ended = new Promise<JobEnd>((resolve) => pending.resolve = resolve);
    pending.timer = setTimeout(() => this.#backstop(), BOOT_TIMEOUT_MS);
    this.#pending = pending;
    this.#kept = false;
    this.#send({ t: "run", job: { ...job, id } });
    return this.#afterJob(await ended, pending, job.keep === true);
  }

  /** Ask the process to exit, and kill it if it does not. */
  async close(): Promise<void> {
    if (!this.#alive) return;
    // Whoever waits for this process to exit (a pool freeing its slot for a
    // queued run, close()) must not see the host end first.
    this.#ref(true);
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
    if (this.busy) this.#killFor(hostEnd(done));
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

  /**
   * What the host adds to a job's end: the job's worker must have ended, and
   * the permission audit must show nothing it was refused; a figure the
   * worker reported must be possible. Any breach sign retires the process;
   * otherwise it is checked again once its next interpreter has booted.
   */
  #afterJob(end: JobEnd, pending: Pending, keep: boolean): JobEnd {
    const breaches = [...end.breaches];
    if (pending.peakKnown && this.#alive) {
      pending.rssPeak = Math.max(pending.rssPeak, peakResidentBytes(this.pid) ?? 0);
    }
    if (pending.rssPeak > rssCapBytes(this.#memoryMb) && !pending.overCap) {
      breaches.push(this.#overCap(pending.rssPeak));
    }
    // The supervisor starts the next worker only when told to: until then,
    // any worker thread but the job's own (which may still be ending) was
    // started by the job, and outlives it.
    const threads = this.#alive && !this.#retiring ? workerThreadIds(this.pid) ?? [] : [];
    const started = pending.thread === undefined
      ? Math.max(0, threads.length - 1)
      : threads.filter((id) => id !== pending.thread).length;
    if (started) {
      breaches.push(
        `${started} worker thread${
          started === 1 ? "" : "s"
        } the job started still ran after it ended`,
      );
    }
    breaches.push(...this.#audit?.refusals() ?? []);
    if (!this.#alive) this.#audit?.close();
    if (end.done.wasmBytes > this.#memoryMb * MIB) {
      breaches.push(
        `the worker reported ${mib(end.done.wasmBytes)} MiB of interpreter memory, ` +
          `over its cap of ${this.#memoryMb} MiB`,
      );
    }
    if (end.by === "worker" && end.done.cause === "time" && !end.deadlinePassed) {
      breaches.push("the worker reported a time limit before its deadline");
    }
    const growth = pending.rssAtStart === undefined ? 0 : pending.rssPeak - pending.rssAtStart;
    const result: JobEnd = {
      ...end,
      breaches: breaches.slice(0, MAX_BREACH_SIGNS),
      memoryGrowthBytes: Math.max(end.memoryGrowthBytes, growth, 0),
    };
    if (breaches.length) this.kill();
    else if (this.#alive && keep && end.by === "worker") {
      // The supervisor kept the worker (it does so for a `keep` job its
      // worker ended): it is booted, and the owner's next job goes to it.
      this.#kept = true;
      this.#keptThread = pending.thread;
      this.#warm = true;
    } else if (this.#alive) {
      this.#send({ t: "next" });
      this.#settling = this.#settle(pending.thread);
    }
    return result;
  }

  /**
   * Once the next interpreter has booted and the job's worker has ended:
   * retire the process if it holds more than {@link IDLE_SLACK_MB} beyond
   * its idle level (memory a job left behind), or if the job's worker did not
   * end (a worker spinning in JavaScript or wasm ignores `terminate()`).
   */
  async #settle(jobThread?: string): Promise<void> {
    try {
      // The job's own worker first: where one spinning in JavaScript keeps the
      // next interpreter from booting (Deno 2.5), waiting for the boot would
      // leave the process alive for the boot timeout.
      if (jobThread !== undefined && !await this.#threadGone(jobThread)) return this.kill();
      if (!await this.#booted() || !await this.#threadsEnded(1)) return this.kill();
      // A boot's own allocations settle within a few hundred milliseconds:
      // only memory that stays above the level is left behind.
      for (let sample = 1; !this.#leftAsFound(); sample++) {
        if (sample === IDLE_SAMPLES) return this.kill();
        await new Promise((resolve) => setTimeout(resolve, POLL_MS * 4));
      }
    } finally {
      this.#settling = undefined;
    }
  }

  /**
   * The process holds no more threads and memory than when it was idle
   * before its first job. A kept worker holds its owner's state: only its
   * threads are checked (the resident cap still holds, see `#poll`).
   */
  #leftAsFound(): boolean {
    const threads = workerThreads(this.pid);
    if (threads !== undefined && threads > 1) return false;
    if (this.#kept) return true;
    const rss = residentBytes(this.pid);
    return rss === undefined || this.#idleRss === undefined ||
      rss <= this.#idleRss + IDLE_SLACK_MB * MIB;
  }

  /** Checks of the permission audit while no job ran (a worker left running). */
  #refusedWhileIdle(): boolean {
    return (this.#audit?.refusals().length ?? 0) > 0;
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

  /** Kill the process and end the job in progress (if any) with `end`. */
  #killFor(end: JobEnd): void {
    this.#killedFor ??= end;
    this.kill();
  }

  /**
   * A sign only the host can see that the worker no longer obeys the guard
   * (a host call it would never send): the process is killed and the job
   * ends as a breach saying so.
   */
  #breach(detail: string): void {
    const sign = `the worker broke the protocol: ${detail}`;
    this.#killFor(hostEnd(crashDone("SandboxBreach", sign, "crash"), { breaches: [sign] }));
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
   * True once the process runs at most `max` worker threads (or the OS
   * cannot tell): only its booted interpreter's, once the last job's worker
   * has ended. A normal teardown takes well under 100 ms (seconds on a
   * heavily loaded machine).
   */
  async #threadsEnded(max: number): Promise<boolean> {
    const deadline = Date.now() + LEFTOVER_WAIT_MS;
    for (;;) {
      const threads = workerThreads(this.pid);
      if (threads === undefined || threads <= max) return true;
      if (Date.now() > deadline || !this.#alive) return false;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** True once the worker thread `id` has ended (or the OS cannot tell), within the leftover wait. */
  async #threadGone(id: string): Promise<boolean> {
    const deadline = Date.now() + LEFTOVER_WAIT_MS;
    for (;;) {
      const ids = workerThreadIds(this.pid);
      if (ids === undefined || !ids.includes(id)) return true;
      if (Date.now() > deadline || !this.#alive) return false;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** The watch: memory and console during a job, and an idle process's state. */
  #poll(): void {
    const rss = residentBytes(this.pid);
    if (rss === undefined) return;
    const pending = this.#pending;
    if (pending) pending.rssPeak = Math.max(pending.rssPeak, rss);
    if (rss > rssCapBytes(this.#memoryMb)) {
      const sign = this.#overCap(rss);
      if (pending) pending.overCap = true;
      return this.#killFor(hostEnd(
        crashDone(
          "MemoryError",
          `memory limit of ${this.#memoryMb} MiB exceeded (${sign})`,
          "memory",
        ),
        { breaches: [sign] },
      ));
    }
    const audit = this.#audit?.unread() ?? 0;
    if (audit > 4 * 1024 * 1024) {
      const sign = `the worker made more than ${mib(audit)} MiB of permission checks`;
      return this.#killFor(
        hostEnd(crashDone("SandboxBreach", sign, "crash"), { breaches: [sign] }),
      );
    }
    if (++this.#polls % Math.round(IDLE_CHECK_MS / POLL_MS)) return;
    if (this.#idleRss === undefined || !this.warm) return;
    this.#overIdle = this.#leftAsFound() ? 0 : this.#overIdle + 1;
    if (this.#overIdle >= IDLE_SAMPLES) this.kill();
  }

  #overCap(rss: number): string {
    const cap = rssCapBytes(this.#memoryMb);
    return `the sandbox process held ${mib(rss)} MiB, over its cap of ${mib(cap)} MiB`;
  }

  #console(bytes: number): void {
    this.#consoleBytes += bytes;
    if (this.#consoleBytes > MAX_CONSOLE_BYTES) {
      this.#killFor(hostEnd(
        crashDone("OutputLimitError", "the sandbox process flooded its console", "output"),
      ));
    }
  }

  #backstop(): void {
    const pending = this.#pending;
    if (!pending) return;
    this.#killFor(hostEnd(
      crashDone("TimeoutError", `time limit of ${pending.timeoutMs} ms exceeded`, "time"),
      { deadlinePassed: pending.started === true },
    ));
  }

  #settlePending(end: JobEnd): void {
    const pending = this.#pending;
    if (!pending) return;
    clearTimeout(pending.timer);
    this.#pending = undefined;
    this.#warm = false;
    if (this.#alive) this.#ref(false);
    pending.onEvent({ t: "ended" });
    pending.resolve(end);
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
    // death with V8's message is that limit: JavaScript the interpreter does
    // not run filled it.
    const outOfMemory = status?.signal && V8_OOM.test(this.#stderr);
    const sign = "the sandbox process ran out of JavaScript heap";
    // A job in progress reads what its worker was refused first (`#afterJob`).
    if (!this.#pending) this.#audit?.close();
    this.#settlePending(
      this.#killedFor ??
        (outOfMemory
          ? hostEnd(crashDone("MemoryError", sign, "memory"), { breaches: [sign] })
          : hostEnd(crashDone("WorkerCrash", tail ? `${reason}: ${tail}` : reason, "crash"))),
    );
  }

  async #readChannel(): Promise<void> {
    try {
      for await (const line of this.#channel.lines) {
        const message = parseSandboxLine(line);
        if (!message) throw new Error("malformed message from the sandbox process");
        if ("t" in message) {
          if (message.t === "ready") {
            // What the process did to start is its own.
            this.#audit?.skip();
            this.#readyResolve();
          } else if (message.t === "exiting") this.#retiring = true;
          // A boot that finished during a job was that job's worker.
          else if (message.t === "warm") {
            this.#warm = !this.#pending;
            this.#idleRss ??= residentBytes(this.pid);
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
        if ("end" in message) {
          this.#settlePending(message.end);
          continue;
        }
        const { event } = message;
        if (event.t === "call") {
          this.#call(pending, event);
          continue;
        }
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
        // The host's own checks of an event (a written file) may find a breach sign.
        const sign = pending.onEvent(event);
        if (sign) this.#breach(sign);
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
