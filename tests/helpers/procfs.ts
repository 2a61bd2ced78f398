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

/**
 * CPU seconds that `pids` and their descendants burn during `ms`. Processes
 * that exit meanwhile stop counting.
 */
export async function cpuSeconds(pids: number[], ms: number): Promise<number> {
  const tree = () => [...new Set(pids.flatMap((p) => [p, ...descendants(p)]))];
  const before = new Map(tree().map((p) => [p, statOf(p)?.cpuTicks ?? 0]));
  await new Promise((r) => setTimeout(r, ms));
  let ticks = 0;
  for (const pid of tree()) {
    const now = statOf(pid)?.cpuTicks;
    if (now !== undefined) ticks += now - (before.get(pid) ?? now);
  }
  return ticks / 100; // USER_HZ is 100 on Linux
}
