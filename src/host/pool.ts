/**
 * Warm sandbox processes, keyed by everything that is fixed when a process
 * starts: its workers' Deno permissions (so, in effect, the origin), its
 * interpreters' memory cap (written into the wasm module it compiles), the
 * snapshot it boots from, and the test-only unguarded switch. A process runs
 * one job at a time; each job gets a fresh worker, and the process boots the
 * next worker while it waits.
 *
 * How many processes exist is not the pool's to decide: it starts one only
 * in a slot of its {@link ProcessLimiter}, which several pools may share,
 * and a run that finds neither an idle process nor a free slot waits in the
 * limiter's queue.
 *
 * @module
 */
import { type ProcessSpec, SandboxProcess } from "./process.ts";
import type { Grant, PoolSide, ProcessLimiter } from "./limiter.ts";

/**
 * Keys (in effect, origins) that may hold idle processes at once: each idle
 * process holds about 250 MiB, and a platform serving many origins must not
 * keep one per origin it has ever seen.
 */
export const MAX_IDLE_KEYS = 8;

function keyOf(spec: ProcessSpec): string {
  return JSON.stringify([
    spec.permissions,
    spec.memoryMb,
    spec.snapshotPath ?? null,
    spec.unguarded ?? false,
  ]);
}

/** How a {@link ProcessPool} is made. */
export interface PoolOptions {
  /** Idle processes kept per key; `size` × {@link MAX_IDLE_KEYS} in all. */
  size: number;
  /** The bound this pool draws its processes from. */
  limiter: ProcessLimiter;
  /** Start a process (tests substitute their own). */
  start?: (spec: ProcessSpec) => Promise<SandboxProcess>;
}

interface Idle {
  process: SandboxProcess;
  since: number;
}

/** A keyed pool of idle sandbox processes, drawing from a shared limit. */
export class ProcessPool implements PoolSide {
  /** Ordered from the key idle longest to the one used last. */
  #idle = new Map<string, Idle[]>();
  /** Every process started and not yet exited, busy, idle or leaving. */
  #all = new Set<SandboxProcess>();
  #starting = 0;
  #size: number;
  #limiter: ProcessLimiter;
  #start: (spec: ProcessSpec) => Promise<SandboxProcess>;
  #closed = false;

  /** A pool keeping at most `size` idle processes per key, drawing from `limiter`. */
  constructor(options: PoolOptions) {
    this.#size = options.size;
    this.#limiter = options.limiter;
    this.#start = options.start ?? SandboxProcess.start;
    this.#limiter.register(this);
  }

  /**
   * An idle live process for `spec`, or a newly started one once the limit
   * allows; waits at most `queueTimeoutMs` for that, or until `signal` aborts.
   *
   * @throws {QueueError} the limiter's queue is full, or the wait timed out.
   * @throws {QueueAborted} `signal` aborted the wait.
   */
  async acquire(
    spec: ProcessSpec,
    queueTimeoutMs: number,
    signal?: AbortSignal,
  ): Promise<SandboxProcess> {
    if (this.#closed) throw new Error("the sandbox is closed");
    const key = keyOf(spec);
    const idle = this.takeIdle(key);
    if (idle) return idle;
    const grant: Grant = this.#limiter.tryTake()
      ? { slot: true }
      : await this.#limiter.wait(this, key, queueTimeoutMs, signal);
    return "process" in grant ? grant.process : await this.#startIn(spec);
  }

  /** Start a process in a slot already taken from the limiter. */
  async #startIn(spec: ProcessSpec): Promise<SandboxProcess> {
    if (this.#closed) {
      this.#limiter.giveBack();
      throw new Error("the sandbox is closed");
    }
    let process: SandboxProcess;
    this.#starting++;
    try {
      process = await this.#start(spec);
    } catch (err) {
      this.#limiter.giveBack();
      throw err;
    } finally {
      this.#starting--;
    }
    this.#all.add(process);
    this.#limiter.track(process);
    process.exited.then(() => this.#all.delete(process));
    if (this.#closed) {
      this.#drop(process);
      throw new Error("the sandbox is closed");
    }
    return process;
  }

  /** Give a process back after its job: to a waiting run, to the idle list, or closed. */
  release(spec: ProcessSpec, process: SandboxProcess): void {
    const key = keyOf(spec);
    const idle = this.#idle.get(key) ?? [];
    if (!process.alive || this.#closed || (idle.length >= this.#size && !this.#limiter.queued)) {
      return this.#drop(process);
    }
    // Appended last, and the key re-inserted: the map stays ordered from the
    // key idle longest to the one used last.
    idle.push({ process, since: performance.now() });
    this.#idle.delete(key);
    this.#idle.set(key, idle);
    // A waiting run of this key takes it; one of another key may have it closed.
    this.#limiter.pump();
    this.#trimIdle(key);
    this.#evictBeyond(this.#size * MAX_IDLE_KEYS);
  }

  /** Hand over a live idle process of `key` (the one whose interpreter has booted, if any). */
  takeIdle(key: string): SandboxProcess | undefined {
    const idle = (this.#idle.get(key) ?? []).filter(({ process }) => {
      if (!process.alive) this.#drop(process);
      return process.alive;
    });
    const index = Math.max(0, idle.findIndex(({ process }) => process.warm));
    const [chosen] = idle.splice(index, 1);
    if (idle.length) this.#idle.set(key, idle);
    else this.#idle.delete(key);
    return chosen?.process;
  }

  /** When this pool's longest-idle process became idle. */
  oldestIdle(): number | undefined {
    let oldest: number | undefined;
    for (const idle of this.#idle.values()) {
      for (const { since } of idle) if (oldest === undefined || since < oldest) oldest = since;
    }
    return oldest;
  }

  /** Close this pool's longest-idle process. */
  evictOldestIdle(): void {
    let found: { key: string; index: number; since: number } | undefined;
    for (const [key, idle] of this.#idle) {
      idle.forEach(({ since }, index) => {
        if (!found || since < found.since) found = { key, index, since };
      });
    }
    if (!found) return;
    const idle = this.#idle.get(found.key)!;
    const [{ process }] = idle.splice(found.index, 1);
    if (!idle.length) this.#idle.delete(found.key);
    this.#drop(process);
  }

  /** Keep at most `size` idle processes of `key` once no run waits. */
  #trimIdle(key: string): void {
    const idle = this.#idle.get(key);
    while (idle && idle.length > this.#size) this.#drop(idle.shift()!.process);
    if (idle && !idle.length) this.#idle.delete(key);
  }

  #evictBeyond(limit: number): void {
    let total = 0;
    for (const idle of this.#idle.values()) total += idle.length;
    for (const [key, idle] of this.#idle) {
      while (total > limit && idle.length) {
        this.#drop(idle.shift()!.process);
        total--;
      }
      if (!idle.length) this.#idle.delete(key);
      if (total <= limit) return;
    }
  }

  /** Close (or, if busy, kill) a process; its slot is freed when it has exited. */
  #drop(process: SandboxProcess): void {
    this.#limiter.leaving(process);
    if (process.busy) process.kill();
    else void process.close();
  }

  /** Start processes for `spec` until `size` are idle, in free slots only: it never waits or evicts. */
  async warm(spec: ProcessSpec): Promise<void> {
    const key = keyOf(spec);
    const have = (this.#idle.get(key) ?? []).filter(({ process }) => process.alive).length;
    const starts: Promise<SandboxProcess>[] = [];
    for (let i = have; i < this.#size && this.#limiter.tryTake(); i++) {
      starts.push(this.#startIn(spec));
    }
    // Every process that did start is kept (or closed), whatever the others did.
    const settled = await Promise.allSettled(starts);
    for (const outcome of settled) {
      if (outcome.status === "fulfilled") this.release(spec, outcome.value);
    }
    const failed = settled.find((s) => s.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  /** Every live process, idle or busy. */
  processes(): SandboxProcess[] {
    return [...this.#all].filter((p) => p.alive);
  }

  /** Counts for `stats()`. */
  counts(): { starting: number; busy: number; idle: number; queued: number } {
    let idle = 0;
    for (const list of this.#idle.values()) idle += list.filter((i) => i.process.alive).length;
    return {
      starting: this.#starting,
      busy: this.processes().length - idle,
      idle,
      queued: this.#limiter.queuedFor(this),
    };
  }

  /** End every process, idle or busy, and fail the runs waiting; later `acquire` calls fail. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#limiter.unregister(this, new Error("the sandbox is closed"));
    this.#idle.clear();
    const all = [...this.#all];
    for (const process of all) this.#drop(process);
    await Promise.all(all.map((p) => p.exited));
  }
}
