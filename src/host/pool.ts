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
 * How many it keeps idle follows the load: at least `size` per key, and as
 * many as that key's runs had in flight at once lately (so a steady load of
 * N runs at a time does not start and close processes run after run), back
 * to `size` once no such peak has been seen for {@link SHRINK_AFTER_MS}.
 *
 * @module
 */
import { type ProcessSpec, SandboxProcess } from "./process.ts";
import type { Grant, PoolSide, ProcessLimiter } from "./limiter.ts";
import { unrefTimer } from "./process.ts";

/**
 * Keys (in effect, origins) that may hold idle processes at once: each idle
 * process holds about 250 MiB, and a platform serving many origins must not
 * keep one per origin it has ever seen.
 */
export const MAX_IDLE_KEYS = 8;

/** How long a key keeps idle processes for its last peak of runs in flight (ms). */
export const SHRINK_AFTER_MS = 30_000;

/** The key of `spec`'s processes; with `owner`, of those that served that owner (see {@link ProcessPool.release}). */
function keyOf(spec: ProcessSpec, owner?: string): string {
  return JSON.stringify([
    spec.permissions,
    spec.memoryMb,
    spec.snapshotPath ?? null,
    spec.unguarded ?? false,
    ...(owner === undefined ? [] : [owner]),
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
  /** Override {@link SHRINK_AFTER_MS} (tests). */
  shrinkAfterMs?: number;
}

/** A key's most runs in flight at once, and when that was last reached. */
interface Demand {
  peak: number;
  at: number;
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
  /** Runs in flight per key, and each key's recent peak of them. */
  #busy = new Map<string, number>();
  #demand = new Map<string, Demand>();
  #shrinkAfterMs: number;
  #shrinkTimer?: ReturnType<typeof setInterval>;

  /** A pool keeping `size` idle processes per key (more under load), drawing from `limiter`. */
  constructor(options: PoolOptions) {
    this.#size = options.size;
    this.#limiter = options.limiter;
    this.#start = options.start ?? SandboxProcess.start;
    this.#shrinkAfterMs = options.shrinkAfterMs ?? SHRINK_AFTER_MS;
    this.#limiter.register(this);
  }

  /** Idle processes `key` may keep now: `size`, or its recent peak of runs in flight. */
  #target(key: string): number {
    const demand = this.#demand.get(key);
    if (!demand || performance.now() - demand.at > this.#shrinkAfterMs) return this.#size;
    return Math.max(this.#size, demand.peak);
  }

  /** A run of `key` got its process: count it, and its key's peak. */
  #began(key: string): void {
    const busy = (this.#busy.get(key) ?? 0) + 1;
    this.#busy.set(key, busy);
    const demand = this.#demand.get(key);
    const now = performance.now();
    if (!demand || busy >= demand.peak || now - demand.at > this.#shrinkAfterMs) {
      this.#demand.set(key, { peak: busy, at: now });
    }
    if (busy > this.#size) this.#shrinkLater();
  }

  /** Check now and then, while some key keeps more than `size` idle, whether its peak is past. */
  #shrinkLater(): void {
    if (this.#shrinkTimer !== undefined || this.#closed) return;
    this.#shrinkTimer = setInterval(() => {
      let grown = false;
      for (const key of [...this.#idle.keys()]) {
        this.#trimIdle(key);
        if (this.#target(key) > this.#size) grown = true;
      }
      if (!grown) {
        clearInterval(this.#shrinkTimer);
        this.#shrinkTimer = undefined;
      }
    }, Math.max(10, this.#shrinkAfterMs / 2));
    unrefTimer(this.#shrinkTimer);
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
    owner?: string,
  ): Promise<SandboxProcess> {
    if (this.#closed) throw new Error("the sandbox is closed");
    const key = keyOf(spec, owner);
    // An owner's own idle process first, else one no owner has used yet.
    const idle = this.takeIdle(key) ??
      (owner === undefined ? undefined : this.takeIdle(keyOf(spec)));
    if (idle) {
      this.#began(key);
      return idle;
    }
    const grant: Grant = this.#limiter.tryTake()
      ? { slot: true }
      : await this.#limiter.wait(this, key, queueTimeoutMs, signal);
    const process = "process" in grant ? grant.process : await this.#startIn(spec);
    this.#began(key);
    return process;
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

  /**
   * Give a process back after its job: to a waiting run, to the idle list, or
   * closed (always closed when not `reusable`). A process that served an
   * owner holds that owner's state: it is kept, if at all, for that owner's
   * runs only (`owner` given as to {@link acquire}), never anyone else's.
   */
  release(spec: ProcessSpec, process: SandboxProcess, owner?: string, reusable = true): void {
    const key = keyOf(spec, owner);
    const busy = (this.#busy.get(key) ?? 1) - 1;
    if (busy > 0) this.#busy.set(key, busy);
    else this.#busy.delete(key);
    const idle = this.#idle.get(key) ?? [];
    if (
      !reusable || !process.alive || this.#closed || process.owner !== owner ||
      (idle.length >= this.#target(key) && !this.#limiter.queued)
    ) {
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
    this.#evictBeyond(this.#idleLimit());
  }

  /** Idle processes kept in all: `size` for each of {@link MAX_IDLE_KEYS} keys, plus what load added. */
  #idleLimit(): number {
    let grown = 0;
    for (const key of this.#idle.keys()) grown += this.#target(key) - this.#size;
    return this.#size * MAX_IDLE_KEYS + grown;
  }

  /**
   * Close (or kill, if busy) a process taken with {@link acquire} that will
   * not be given back (a session's, when it ends); its slot is freed when it
   * has exited.
   */
  retire(process: SandboxProcess): void {
    this.#drop(process);
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

  /** Keep at most the idle processes `key` may keep now, once no run waits. */
  #trimIdle(key: string): void {
    const idle = this.#idle.get(key);
    const keep = this.#target(key);
    while (idle && idle.length > keep) this.#drop(idle.shift()!.process);
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
    clearInterval(this.#shrinkTimer);
    this.#limiter.unregister(this, new Error("the sandbox is closed"));
    this.#idle.clear();
    const all = [...this.#all];
    for (const process of all) this.#drop(process);
    await Promise.all(all.map((p) => p.exited));
  }
}
