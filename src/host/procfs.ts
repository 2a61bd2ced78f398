/**
 * What the host can learn about a sandbox process from the operating system
 * rather than from the process itself (which, after a breach, may lie):
 * its resident memory and its worker threads. Linux only, from `/proc`; on
 * other systems both return `undefined` and the checks built on them are
 * skipped (see `process.ts`).
 *
 * @module
 */

const LINUX = Deno.build.os === "linux";

/** Resident memory of `pid` in bytes (`VmRSS`), or `undefined` if unknown. */
export function residentBytes(pid: number): number | undefined {
  if (!LINUX) return undefined;
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/**
 * How many Web Worker threads `pid` has, or `undefined` if unknown. Deno
 * names each worker's OS thread `worker-<n>`; the thread ends when the worker
 * has really stopped, which `worker.terminate()` does not guarantee.
 */
export function workerThreads(pid: number): number | undefined {
  if (!LINUX) return undefined;
  try {
    let count = 0;
    for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
      try {
        if (Deno.readTextFileSync(`/proc/${pid}/task/${task.name}/comm`).startsWith("worker-")) {
          count++;
        }
      } catch {
        // the thread ended meanwhile
      }
    }
    return count;
  } catch {
    return undefined;
  }
}
