/**
 * Watching one run from outside its sandbox process: its CPU time and memory
 * growth, read by the host from `/proc` (Linux), never taken from the worker;
 * periodic samples and limit warnings for a caller's `onEvent`.
 *
 * CPU time is the whole sandbox process's (`utime + stime` of
 * `/proc/PID/stat`, every thread, ended ones included) from the script's
 * start to its end, in the kernel's 10 ms ticks. On other systems it is not
 * measured (`cpuTimeMs` is absent) and samples carry no CPU or memory figure.
 *
 * @module
 */
import { residentBytes } from "./procfs.ts";
import { type RunEvent, SAMPLE_MS, WARN_AT, type WarnedResource } from "./events.ts";

const LINUX = Deno.build.os === "linux";
/** Linux's USER_HZ, the unit of `/proc/PID/stat` times: 100 on every architecture Deno runs on. */
const TICKS_PER_SECOND = 100;

/** CPU time of `pid` so far (ms), or `undefined` where it cannot be read. */
export function cpuTimeMs(pid: number): number | undefined {
  if (!LINUX) return undefined;
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // The command name (field 2) may hold spaces and parentheses: count fields after its end.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

/** The limits a run is warned about. */
export interface MonitorLimits {
  /** The script's time limit (ms). */
  timeoutMs: number;
  /** The interpreter's memory cap (MiB). */
  memoryMb: number;
  /** The output cap (bytes). */
  outputBytes: number;
}

/** Watches one run's sandbox process while the script runs. */
export class RunMonitor {
  #limits: MonitorLimits;
  #emit?: (event: RunEvent) => void;
  #pid?: number;
  #startedAt = 0;
  #cpuAtStart?: number;
  #cpuLast?: number;
  #rssAtStart?: number;
  #outputBytes = 0;
  #warned = new Set<WarnedResource>();
  #timers: ReturnType<typeof setTimeout>[] = [];
  #interval?: ReturnType<typeof setInterval>;

  /** A monitor for a run with `limits`; `emit` receives samples and warnings (none without it). */
  constructor(limits: MonitorLimits, emit?: (event: RunEvent) => void) {
    this.#limits = limits;
    this.#emit = emit;
  }

  /** The script started in process `pid`. */
  start(pid: number): void {
    if (this.#pid !== undefined) return;
    this.#pid = pid;
    this.#startedAt = performance.now();
    this.#cpuAtStart = this.#cpuLast = cpuTimeMs(pid);
    this.#rssAtStart = residentBytes(pid);
    // Samples also keep the last CPU reading, for a process killed before the end.
    this.#interval = setInterval(() => this.#sample(), SAMPLE_MS);
    if (this.#emit) {
      const timeAt = this.#limits.timeoutMs * WARN_AT;
      this.#timers.push(
        setTimeout(() => this.#warn("time", timeAt, this.#limits.timeoutMs), timeAt),
      );
    }
  }

  /** `bytes` of output were accepted. */
  output(bytes: number): void {
    this.#outputBytes += bytes;
    if (this.#outputBytes >= this.#limits.outputBytes * WARN_AT) {
      this.#warn("output", this.#outputBytes, this.#limits.outputBytes);
    }
  }

  /** The script ended: stop watching; its CPU time, where measured. */
  stop(): { cpuTimeMs?: number } {
    clearInterval(this.#interval);
    this.#timers.forEach(clearTimeout);
    this.#timers = [];
    if (this.#pid === undefined || this.#cpuAtStart === undefined) return {};
    const now = cpuTimeMs(this.#pid) ?? this.#cpuLast!;
    return { cpuTimeMs: Math.max(0, now - this.#cpuAtStart) };
  }

  #sample(): void {
    const pid = this.#pid!;
    const cpu = cpuTimeMs(pid);
    if (cpu !== undefined) this.#cpuLast = cpu;
    const rss = residentBytes(pid);
    const memoryBytes = rss === undefined || this.#rssAtStart === undefined
      ? undefined
      : Math.max(0, rss - this.#rssAtStart);
    if (!this.#emit) return;
    this.#emit({
      type: "sample",
      elapsedMs: Math.round(performance.now() - this.#startedAt),
      ...(cpu === undefined || this.#cpuAtStart === undefined
        ? {}
        : { cpuTimeMs: cpu - this.#cpuAtStart }),
      ...(memoryBytes === undefined ? {} : { memoryBytes }),
      outputBytes: this.#outputBytes,
    });
    const memoryLimit = this.#limits.memoryMb * 1024 * 1024;
    if (memoryBytes !== undefined && memoryBytes >= memoryLimit * WARN_AT) {
      this.#warn("memory", memoryBytes, memoryLimit);
    }
  }

  #warn(resource: WarnedResource, used: number, limit: number): void {
    if (!this.#emit || this.#warned.has(resource)) return;
    this.#warned.add(resource);
    this.#emit({ type: "warning", resource, used: Math.round(used), limit });
  }
}
