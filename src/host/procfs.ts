/**
 * What the host can learn about a sandbox process from the operating system
 * rather than from the process itself (which, after a breach, may lie):
 * its resident memory, its peak, and its worker threads. Linux only, from `/proc`; on
 * other systems both return `undefined` and the checks built on them are
 * skipped (see `process.ts`).
 *
 * @module
 */

const LINUX = Deno.build.os === "linux";

function statusBytes(pid: number, field: "VmRSS" | "VmHWM"): number | undefined {
  if (!LINUX) return undefined;
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kb = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/** Resident memory of `pid` in bytes (`VmRSS`), or `undefined` if unknown. */
export function residentBytes(pid: number): number | undefined {
  return statusBytes(pid, "VmRSS");
}

/**
 * The most resident memory `pid` has held (`VmHWM`) since it started or
 * since {@link resetPeakResident}: exact, where polling `VmRSS` can miss a
 * short peak. `undefined` if unknown.
 */
export function peakResidentBytes(pid: number): number | undefined {
  return statusBytes(pid, "VmHWM");
}

/**
 * Start `pid`'s peak resident memory again from its current resident memory
 * (`clear_refs`, which a process's owner may write). False if it could not.
 */
export function resetPeakResident(pid: number): boolean {
  if (!LINUX) return false;
  try {
    Deno.writeTextFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/**
 * The thread ids of `pid`'s Web Worker threads, or `undefined` if unknown.
 * Deno names each worker's OS thread `worker-<n>`; the thread ends when the
 * worker has really stopped, which `worker.terminate()` does not guarantee.
 */
export function workerThreadIds(pid: number): string[] | undefined {
  if (!LINUX) return undefined;
  try {
    const ids: string[] = [];
    for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
      try {
        if (Deno.readTextFileSync(`/proc/${pid}/task/${task.name}/comm`).startsWith("worker-")) {
          ids.push(task.name);
        }
      } catch {
        // the thread ended meanwhile
      }
    }
    return ids;
  } catch {
    return undefined;
  }
}

/** How many Web Worker threads `pid` has, or `undefined` if unknown. */
export function workerThreads(pid: number): number | undefined {
  return workerThreadIds(pid)?.length;
}
