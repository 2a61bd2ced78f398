/**
 * The cache directory does not grow without end: snapshots and sandbox code
 * nobody marked as used for 30 days go when a new snapshot is written; what
 * is in use, what is recent and what pyfence did not write stay.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { markUsed, pruneStale, STALE_AFTER_DAYS } from "../src/host/cache_prune.ts";

const DAY = 24 * 60 * 60 * 1000;
const key = (c: string) => c.repeat(24);

Deno.test("cache pruning removes stale snapshots and sandbox code, and only those", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const now = Date.now();
    const old = new Date(now - (STALE_AFTER_DAYS + 1) * DAY);
    const recent = new Date(now - (STALE_AFTER_DAYS - 1) * DAY);
    const entries: Record<string, Date> = {
      [`snapshot-${key("a")}.bin`]: old, // stale: removed
      [`snapshot-${key("b")}.bin`]: recent, // used lately: kept
      [`snapshot-${key("c")}.bin`]: old, // the one just written: kept
      [`snapshot-${key("d")}.bin`]: old, // marked by this process now: kept
      [`snapshot-${key("e")}.bin.1234.tmp`]: new Date(now - 2 * DAY), // crashed build: removed
      [`snapshot-${key("f")}.bin.5678.tmp`]: new Date(now - 60_000), // a build in progress: kept
      "notes.txt": old, // not pyfence's: kept
    };
    for (const [name, time] of Object.entries(entries)) {
      await Deno.writeTextFile(join(dir, name), "x");
      await Deno.utime(join(dir, name), time, time);
    }
    for (
      const [name, time] of [[`sandbox-${key("a")}`, old], [`sandbox-${key("b")}`, recent]] as const
    ) {
      await Deno.mkdir(join(dir, name));
      await Deno.writeTextFile(join(dir, name, "supervisor.js"), "");
      await Deno.utime(join(dir, name), time, time);
    }
    await markUsed(join(dir, `snapshot-${key("d")}.bin`), now);
    const removed = await pruneStale(dir, join(dir, `snapshot-${key("c")}.bin`), now);
    assert.deepEqual(removed.sort(), [
      `sandbox-${key("a")}`,
      `snapshot-${key("a")}.bin`,
      `snapshot-${key("e")}.bin.1234.tmp`,
    ]);
    const left = [];
    for await (const e of Deno.readDir(dir)) left.push(e.name);
    assert.deepEqual(left.sort(), [
      "notes.txt",
      `sandbox-${key("b")}`,
      `snapshot-${key("b")}.bin`,
      `snapshot-${key("c")}.bin`,
      `snapshot-${key("d")}.bin`,
      `snapshot-${key("f")}.bin.5678.tmp`,
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache pruning of a missing or read-only directory does nothing", async () => {
  assert.deepEqual(await pruneStale("/nonexistent/pyfence-cache", ""), []);
  // Marking a file that cannot be touched is not an error either.
  await markUsed("/nonexistent/pyfence-cache/snapshot.bin");
});
