/**
 * Warm sandbox processes, keyed by everything that is fixed when a process
 * starts: its workers' Deno permissions (so, in effect, the origin), its
 * interpreters' memory cap (written into the wasm module it compiles), the
 * snapshot it boots from, and the test-only unguarded switch. A process runs
 * one job at a time; each job gets a fresh worker, and the process boots the
 * next worker while it waits.
 *
 * @module
 */
import { type ProcessSpec, SandboxProcess } from "./process.ts";

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

/** A keyed pool of idle sandbox processes. */
export class ProcessPool {
  #idle = new Map<string, SandboxProcess[]>();
  #all = new Set<SandboxProcess>();
  #size: number;
  #closed = false;

  /**
   * Keep at most `size` idle processes per key, and `size` times
   * {@link MAX_IDLE_KEYS} in all (the one idle longest is closed first).
   */
  constructor(size: number) {
    this.#size = size;
  }

  /** An idle live process for `spec`, or a newly started one. */
  async acquire(spec: ProcessSpec): Promise<SandboxProcess> {
    if (this.#closed) throw new Error("the sandbox is closed");
    const idle = (this.#idle.get(keyOf(spec)) ?? []).filter((p) => {
      if (!p.alive) this.#all.delete(p);
      return p.alive;
    });
    // Prefer a process whose next interpreter has already booted.
    const index = Math.max(0, idle.findIndex((p) => p.warm));
    const [chosen] = idle.splice(index, 1);
    this.#idle.set(keyOf(spec), idle);
    if (chosen) return chosen;
    const process = await SandboxProcess.start(spec);
    this.#all.add(process);
    if (this.#closed) {
      process.kill();
      throw new Error("the sandbox is closed");
    }
    return process;
  }

  /** Give a process back after its job. */
  release(spec: ProcessSpec, process: SandboxProcess): void {
    const key = keyOf(spec);
    const idle = this.#idle.get(key) ?? [];
    if (!process.alive || this.#closed || idle.length >= this.#size) {
      this.#all.delete(process);
      process.close();
      return;
    }
    // Appended last, and a key re-inserted when it gets a process: the map
    // is ordered from the key idle longest to the one used last.
    idle.push(process);
    this.#idle.delete(key);
    this.#idle.set(key, idle);
    this.#evictBeyond(this.#size * MAX_IDLE_KEYS);
  }

  #evictBeyond(limit: number): void {
    let total = 0;
    for (const idle of this.#idle.values()) total += idle.length;
    for (const [key, idle] of this.#idle) {
      if (total <= limit) return;
      const process = idle.shift();
      if (!process) {
        this.#idle.delete(key);
        continue;
      }
      if (idle.length === 0) this.#idle.delete(key);
      this.#all.delete(process);
      process.close();
      total--;
    }
  }

  /** Start processes for `spec` until `size` are idle. */
  async warm(spec: ProcessSpec): Promise<void> {
    const key = keyOf(spec);
    const idle = this.#idle.get(key) ?? [];
    this.#idle.set(key, idle);
    const missing = this.#size - idle.filter((p) => p.alive).length;
    const started = await Promise.all(
      Array.from({ length: Math.max(0, missing) }, () => SandboxProcess.start(spec)),
    );
    for (const process of started) {
      this.#all.add(process);
      this.release(spec, process);
    }
  }

  /** Every live process, idle or busy. */
  processes(): SandboxProcess[] {
    return [...this.#all].filter((p) => p.alive);
  }

  /** End every process, idle or busy; later `acquire` calls fail. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#idle.clear();
    const all = [...this.#all];
    this.#all.clear();
    await Promise.all(all.map((p) => (p.busy ? p.kill() : p.close())));
  }
}
