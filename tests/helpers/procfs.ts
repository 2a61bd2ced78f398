/**
 * Linux /proc readings for tests that must show a runaway sandbox really
 * stopped: the CPU time of this process's descendants, and RSS.
 */

function statOf(pid: number): { ppid: number; cpuTicks: number } | undefined {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // Fields after the parenthesised command name; utime and stime are 14 and 15.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

/** PIDs of every live descendant of `root`. */
export function descendants(root = Deno.pid): number[] {
  const parent = new Map<number, number>();
  for (const e of Deno.readDirSync("/proc")) {
    const pid = Number(e.name);
    if (!Number.isInteger(pid)) continue;
    const s = statOf(pid);
    if (s) parent.set(pid, s.ppid);
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, pp] of parent) {
      if (pp === p) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(root);
  return out;
}

/** Total CPU seconds the descendants of this process burn during `ms`. */
export async function descendantCpuSeconds(ms: number): Promise<number> {
  const before = new Map(descendants().map((p) => [p, statOf(p)?.cpuTicks ?? 0]));
  await new Promise((r) => setTimeout(r, ms));
  let ticks = 0;
  for (const pid of descendants()) {
    const now = statOf(pid)?.cpuTicks;
    if (now !== undefined) ticks += now - (before.get(pid) ?? 0);
  }
  return ticks / 100; // USER_HZ is 100 on Linux
}
