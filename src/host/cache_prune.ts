/**
 * The cache directory does not grow without end: every pyfence version (its
 * guard, its sandbox code) and every set of preloaded modules gets a
 * snapshot of its own (30 MiB) and a directory of sandbox code, and an
 * upgrade leaves the old ones behind. Each host process marks what it uses
 * (its modification time, at each launch, once a day at most), and whenever it writes a new
 * entry it removes the entries nobody marked for {@link STALE_AFTER_DAYS}
 * days, and temporary files a crash left. All of it is best effort: a
 * read-only cache (a deployed one) is used as it is.
 *
 * @module
 */
import { join } from "node:path";

/** Days an unused snapshot or sandbox code directory stays in the cache. */
export const STALE_AFTER_DAYS = 30;

const DAY_MS = 24 * 60 * 60 * 1000;

/** The entries pruning may remove: what pyfence writes, and nothing else. */
const ENTRY = /^(snapshot-[0-9a-f]{24}\.bin|sandbox-[0-9a-f]{24})$/;
const TEMPORARY = /^snapshot-[0-9a-f]{24}\.bin\..+\.tmp$/;

/** When this process last marked each path. */
const marked = new Map<string, number>();

/**
 * Record that this process uses `path` (a snapshot or a sandbox code
 * directory): at most once a day, so that a host running for months keeps
 * what it uses.
 */
export async function markUsed(path: string, now = Date.now()): Promise<void> {
  if (now - (marked.get(path) ?? -Infinity) < DAY_MS) return;
  marked.set(path, now);
  const date = new Date(now);
  await Deno.utime(path, date, date).catch(() => {});
}

/**
 * Remove from `dir` the snapshots and sandbox code directories not marked
 * as used for {@link STALE_AFTER_DAYS} days (never `keep`), and temporary
 * snapshot files older than a day. Returns the names removed.
 */
export async function pruneStale(dir: string, keep: string, now = Date.now()): Promise<string[]> {
  const removed: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      const path = join(dir, entry.name);
      const stale = ENTRY.test(entry.name)
        ? STALE_AFTER_DAYS * DAY_MS
        : TEMPORARY.test(entry.name)
        ? DAY_MS
        : undefined;
      if (stale === undefined || path === keep || marked.has(path)) continue;
      try {
        const { mtime } = await Deno.lstat(path);
        if (!mtime || now - mtime.getTime() < stale) continue;
        await Deno.remove(path, { recursive: true });
        removed.push(entry.name);
      } catch {
        // gone already, or not ours to remove
      }
    }
  } catch {
    // no cache directory, or not readable
  }
  return removed;
}
