/**
 * The idle processes a pool keeps are bounded in all, not only per origin:
 * a host serving many origins keeps those used last and closes the rest.
 */
import { deepEqual, equal } from "assert";
import { MAX_IDLE_KEYS, ProcessPool } from "../src/host/pool.ts";
import { ProcessLimiter } from "../src/host/limiter.ts";
import { FakeProcesses, specFor } from "./helpers/fake_process.ts";

Deno.test("pool: idle processes are kept for the origins used last, at most MAX_IDLE_KEYS of them", async () => {
  const fakes = new FakeProcesses();
  const pool = new ProcessPool({
    size: 1,
    limiter: new ProcessLimiter({ maxProcesses: 64 }),
    start: fakes.start,
  });
  const origins = Array.from({ length: MAX_IDLE_KEYS + 2 }, (_, i) => `o${i}.example`);
  for (const origin of origins) {
    pool.release(specFor(origin), await pool.acquire(specFor(origin), 0));
  }
  deepEqual(fakes.closed, origins.slice(0, 2), "the two idle longest are closed");

  // Taking o2's process and giving it back makes o2 the one used last.
  const o2 = await pool.acquire(specFor(origins[2]), 0);
  pool.release(specFor(origins[2]), o2);
  pool.release(specFor("new.example"), await pool.acquire(specFor("new.example"), 0));
  equal(fakes.closed.at(-1), origins[3], "o3, not o2, was idle longest");

  // A second process for a key that already has its one idle is closed at once.
  const [a, b] = [
    await pool.acquire(specFor(origins[5]), 0),
    await pool.acquire(specFor(origins[5]), 0),
  ];
  pool.release(specFor(origins[5]), a);
  pool.release(specFor(origins[5]), b);
  equal(fakes.closed.at(-1), origins[5]);
  await pool.close();
});
