/**
 * Linux /proc readings for the memory benchmark: the resident set size of
 * this process and of every descendant (the sandbox processes).
 *
 * @module
 */

function parentOf(pid: number): number | undefined {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // Fields after the parenthesised command name; ppid is the second.
    return Number(text.slice(text.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/** PIDs of every live descendant of `root` (default: this process). */
export function descendants(root: number = Deno.pid): number[] {
  const children = new Map<number, number[]>();
  for (const entry of Deno.readDirSync("/proc")) {
    const pid = Number(entry.name);
    if (!Number.isInteger(pid)) continue;
    const ppid = parentOf(pid);
    if (ppid === undefined) continue;
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      out.push(child);
      walk(child);
    }
  };
  walk(root);
  return out;
}

/** VmRSS of `pid` in bytes, or 0 if it is gone. */
export function rssOf(pid: number): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return kb ? Number(kb[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** One memory reading: this process and its descendants. */
export interface RssReading {
  /** `Deno.memoryUsage().rss` of this process, bytes. */
  host: number;
  /** VmRSS of each live descendant, bytes. */
  children: number[];
  /** host + every child, bytes. */
  total: number;
}

/** Read host RSS and the RSS of every descendant process. */
export function readRss(): RssReading {
  const host = Deno.memoryUsage().rss;
  const children = descendants().map(rssOf).filter((b) => b > 0);
  return { host, children, total: host + children.reduce((a, b) => a + b, 0) };
}

/** Bytes as MiB with one decimal. */
export function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

function cpuTicks(pid: number, withReaped: boolean): number {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
    // utime, stime (every thread, ended ones included); cutime, cstime: reaped children.
    return Number(f[11]) + Number(f[12]) + (withReaped ? Number(f[13]) + Number(f[14]) : 0);
  } catch {
    return 0;
  }
}

/**
 * CPU time used so far (ms) by this process, its live descendants and the
 * children it has reaped: a window's difference is what its runs cost,
 * sandbox processes that exited during it included. NaN off Linux.
 */
export function cpuMs(): number {
  if (Deno.build.os !== "linux") return NaN;
  let ticks = cpuTicks(Deno.pid, true);
  for (const pid of descendants()) ticks += cpuTicks(pid, true);
  return ticks * 1000 / TICKS_PER_SECOND;
}
