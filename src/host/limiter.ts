/**
 * The bound on sandbox processes: at most `maxProcesses` alive at once
 * (starting, busy, idle, or on their way out), however many pools draw from
 * it, and a bounded FIFO queue of the runs waiting for one.
 *
 * A slot is taken before a process is started and given back only when the
 * OS process has exited, so the bound is on processes that exist, not on
 * what the pools believe. A run waiting at the head of the queue is served
 * by an idle process of its own pool and key (in effect, origin), else by a
 * free slot; at the maximum, idle processes of other keys are closed (the
 * one idle longest first) to make room, one for each waiting run that no
 * exiting process will already make room for.
 *
 * @module
 */
import type { SandboxProcess } from "./process.ts";
import { rssCapBytes } from "./process_limits.ts";
import { DEFAULT_LIMITS } from "../policy/schema.ts";

/** Memory budgeted per sandbox process when choosing the default maximum: its resident cap under the default `memory_mb`. */
export const PROCESS_BUDGET_BYTES: number = rssCapBytes(DEFAULT_LIMITS.memory_mb);

/** Default bound on the runs waiting for a process. */
export const DEFAULT_MAX_QUEUE = 1000;

/** Default wait for a process before a run ends as `QueueTimeout` (ms). */
export const DEFAULT_QUEUE_TIMEOUT_MS = 60_000;

/** The most `maxProcesses` may be. */
export const MAX_PROCESSES_LIMIT = 1024;

/** Why a run never started. */
export class QueueError extends Error {
  /** `QueueTimeout`: it waited past its `queueTimeoutMs`; `QueueFull`: the queue was full. */
  readonly type: "QueueTimeout" | "QueueFull";

  /** Create a queue error of `type`. */
  constructor(type: "QueueTimeout" | "QueueFull", message: string) {
    super(message);
    this.name = "QueueError";
    this.type = type;
  }
}

/** A run's `signal` aborted it while it waited: it never started. */
export class QueueAborted extends Error {
  /** Create the error. */
  constructor() {
    super("the run was aborted while it waited for a sandbox process");
    this.name = "QueueAborted";
  }
}

/** What a limiter needs of a pool drawing from it. */
export interface PoolSide {
  /** Hand over a live idle process of `key`, if there is one. */
  takeIdle(key: string): SandboxProcess | undefined;
  /** When this pool's longest-idle process became idle, if it has any. */
  oldestIdle(): number | undefined;
  /** Close this pool's longest-idle process. */
  evictOldestIdle(): void;
}

/** A process for a waiting run: one handed over, or a slot to start one in. */
export type Grant = { process: SandboxProcess } | { slot: true };

interface Waiter {
  pool: PoolSide;
  key: string;
  resolve: (grant: Grant) => void;
  reject: (err: Error) => void;
  timer?: ReturnType<typeof setTimeout>;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** The default `maxProcesses` on this machine, and how it was reached. */
export interface MachineDefault {
  /** `max(1, min(2 × cores, floor(available memory / PROCESS_BUDGET_BYTES)))`. */
  maxProcesses: number;
  /** The formula with this machine's figures, for `stats()`. */
  from: string;
}

const MIB = 1024 * 1024;

function granted(descriptor: Deno.PermissionDescriptor): boolean {
  try {
    return Deno.permissions.querySync(descriptor).state === "granted";
  } catch {
    return false;
  }
}

/** Bytes of memory this process may still use: what the system has available, within a cgroup (v2) limit. Never prompts for a permission. */
function availableMemory(): number | undefined {
  let available: number | undefined;
  if (granted({ name: "sys", kind: "systemMemoryInfo" })) {
    available = Deno.systemMemoryInfo().available;
  } else if (granted({ name: "read", path: "/proc/meminfo" })) {
    try {
      const kb = /^MemAvailable:\s+(\d+) kB$/m.exec(Deno.readTextFileSync("/proc/meminfo"))?.[1];
      if (kb !== undefined) available = Number(kb) * 1024;
    } catch {
      // not Linux
    }
  }
  if (available === undefined) return undefined;
  const cgroup = "/sys/fs/cgroup";
  if (granted({ name: "read", path: cgroup })) {
    try {
      const max = Deno.readTextFileSync(`${cgroup}/memory.max`).trim();
      const current = Number(Deno.readTextFileSync(`${cgroup}/memory.current`).trim());
      if (max !== "max") available = Math.min(available, Number(max) - current);
    } catch {
      // no cgroup v2 memory controller
    }
  }
  return available;
}

/**
 * The default `maxProcesses`: two per core (a process boots its next
 * interpreter while another runs), and no more than the memory available
 * holds at {@link PROCESS_BUDGET_BYTES} each; at least one. Where the memory
 * cannot be read without asking for a permission (`available` null), cores
 * alone decide.
 */
export function machineDefault(
  cores: number = navigator.hardwareConcurrency || 1,
  available: number | null = availableMemory() ?? null,
): MachineDefault {
  const byCores = 2 * cores;
  if (available === null) {
    return {
      maxProcesses: byCores,
      from: `2 × ${cores} cores = ${byCores} (available memory unknown)`,
    };
  }
  const byMemory = Math.floor(available / PROCESS_BUDGET_BYTES);
  const maxProcesses = Math.max(1, Math.min(byCores, byMemory));
  return {
    maxProcesses,
    from: `max(1, min(2 × ${cores} cores, ${Math.floor(available / MIB)} MiB available / ${
      PROCESS_BUDGET_BYTES / MIB
    } MiB)) = ${maxProcesses}`,
  };
}

/** The shared bound on live sandbox processes and the queue of runs waiting for one. */
export class ProcessLimiter {
  /** Live processes allowed at once. */
  readonly maxProcesses: number;
  /** How `maxProcesses` was chosen. */
  readonly maxProcessesFrom: string;
  /** Runs allowed to wait at once. */
  readonly maxQueue: number;
  #live = 0;
  #queue: Waiter[] = [];
  #pools = new Set<PoolSide>();
  /** Processes started in a slot that have not exited yet. */
  #tracked = new Set<SandboxProcess>();
  /** Those of them already on their way out: each will free a slot. */
  #leaving = new Set<SandboxProcess>();

  /** A limiter of `maxProcesses` (default: {@link machineDefault}) and a queue of `maxQueue`. */
  constructor(options: { maxProcesses?: number; maxQueue?: number } = {}) {
    const machine = options.maxProcesses === undefined ? machineDefault() : undefined;
    this.maxProcesses = options.maxProcesses ?? machine!.maxProcesses;
    this.maxProcessesFrom = machine?.from ?? "the maxProcesses option";
    this.maxQueue = options.maxQueue ?? DEFAULT_MAX_QUEUE;
  }

  /** Processes counted against the maximum: starting, alive, or exiting. */
  get live(): number {
    return this.#live;
  }

  /** Runs waiting for a process, from every pool. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Runs of `pool` waiting for a process. */
  queuedFor(pool: PoolSide): number {
    return this.#queue.filter((w) => w.pool === pool).length;
  }

  /** Let `pool` draw from this limiter (its idle processes may be evicted for others). */
  register(pool: PoolSide): void {
    this.#pools.add(pool);
  }

  /** `pool` is closed: its waiting runs fail with `reason`, its idle processes are no longer offered. */
  unregister(pool: PoolSide, reason: Error): void {
    this.#pools.delete(pool);
    for (const waiter of this.#queue.filter((w) => w.pool === pool)) {
      this.#remove(waiter);
      waiter.reject(reason);
    }
  }

  /** A slot now, without waiting, if one is free and no run is waiting for it. */
  tryTake(): boolean {
    if (this.#queue.length || this.#live >= this.maxProcesses) return false;
    this.#live++;
    return true;
  }

  /** A slot whose process failed to start: give it back. */
  giveBack(): void {
    this.#live--;
    this.pump();
  }

  /** Count `process` (started in a slot) until it exits. */
  track(process: SandboxProcess): void {
    this.#tracked.add(process);
    process.exited.then(() => {
      this.#tracked.delete(process);
      this.#leaving.delete(process);
      this.#live--;
      this.pump();
    });
  }

  /** `process` is being closed or killed: a slot is on its way. */
  leaving(process: SandboxProcess): void {
    if (this.#tracked.has(process)) this.#leaving.add(process);
  }

  /**
   * Wait (FIFO, at most `timeoutMs`, until `signal` aborts) for a process
   * for `key` of `pool`: one handed over, or a slot to start one in.
   *
   * @throws {QueueError} `QueueFull` at once, or `QueueTimeout` after `timeoutMs`.
   * @throws {QueueAborted} `signal` aborted the wait.
   */
  wait(pool: PoolSide, key: string, timeoutMs: number, signal?: AbortSignal): Promise<Grant> {
    if (signal?.aborted) return Promise.reject(new QueueAborted());
    if (this.#queue.length >= this.maxQueue) {
      return Promise.reject(
        new QueueError(
          "QueueFull",
          `${this.#queue.length} runs are already waiting for a sandbox process (maxQueue ${this.maxQueue})`,
        ),
      );
    }
    return new Promise<Grant>((resolve, reject) => {
      const waiter: Waiter = { pool, key, resolve, reject, signal };
      this.#queue.push(waiter);
      this.pump();
      if (!this.#queue.includes(waiter)) return;
      waiter.onAbort = () => {
        this.#remove(waiter);
        reject(new QueueAborted());
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      waiter.timer = setTimeout(() => {
        this.#remove(waiter);
        reject(
          new QueueError(
            "QueueTimeout",
            `no sandbox process was free for this run within ${timeoutMs} ms (maxProcesses ${this.maxProcesses})`,
          ),
        );
      }, timeoutMs);
    });
  }

  /**
   * Serve the waiting runs, in order, while processes or slots allow; then,
   * at the maximum, close idle processes to make room for those still
   * waiting. Called whenever a process becomes idle or exits.
   */
  pump(): void {
    while (this.#queue.length) {
      const head = this.#queue[0];
      const process = head.pool.takeIdle(head.key);
      if (process) {
        this.#remove(head);
        head.resolve({ process });
      } else if (this.#live < this.maxProcesses) {
        this.#live++;
        this.#remove(head);
        head.resolve({ slot: true });
      } else break;
    }
    while (this.#queue.length > this.#leaving.size) {
      let oldest: PoolSide | undefined;
      let since = Infinity;
      for (const pool of this.#pools) {
        const at = pool.oldestIdle();
        if (at !== undefined && at < since) [oldest, since] = [pool, at];
      }
      if (!oldest) return;
      oldest.evictOldestIdle();
    }
  }

  #remove(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    if (waiter.onAbort) waiter.signal?.removeEventListener("abort", waiter.onAbort);
    const index = this.#queue.indexOf(waiter);
    if (index >= 0) this.#queue.splice(index, 1);
  }
}

const assigned = new WeakMap<object, ProcessLimiter>();

/**
 * Mark a `SandboxOptions` object so the sandbox built from it draws from
 * `limiter` instead of a limit of its own (how `run()` bounds all its
 * sandboxes together). Not part of any public type.
 */
export function withLimiter<T extends object>(options: T, limiter: ProcessLimiter): T {
  assigned.set(options, limiter);
  return options;
}

/** The limiter `options` was marked with by {@link withLimiter}, if any. */
export function limiterOf(options: object): ProcessLimiter | undefined {
  return assigned.get(options);
}
