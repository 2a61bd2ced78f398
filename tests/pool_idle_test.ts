/**
 * The idle processes a pool keeps are bounded in all, not only per origin:
 * a host serving many origins keeps those used last and closes the rest.
 */
import { deepEqual, equal } from "assert";
import { MAX_IDLE_KEYS, ProcessPool } from "../src/host/pool.ts";
import type { ProcessSpec, SandboxProcess } from "../src/host/process.ts";

/** Stands for a started process: the pool only asks whether it is alive and closes it. */
function fakeProcess(name: string, closed: string[]): SandboxProcess {
  return {
    alive: true,
    warm: true,
    busy: false,
    close: () => closed.push(name),
  } as unknown as SandboxProcess;
}

/** The pool keys processes by their spec; only the origin differs here. */
function specFor(origin: string): ProcessSpec {
  return { permissions: { net: [origin] }, memoryMb: 256 } as unknown as ProcessSpec;
}

Deno.test("pool: idle processes are kept for the origins used last, at most MAX_IDLE_KEYS of them", async () => {
  const closed: string[] = [];
  const pool = new ProcessPool(1);
  const origins = Array.from({ length: MAX_IDLE_KEYS + 2 }, (_, i) => `o${i}.example:443`);
  for (const origin of origins) pool.release(specFor(origin), fakeProcess(origin, closed));
  deepEqual(closed, origins.slice(0, 2), "the two idle longest are closed");

  // Taking o2's process and giving it back makes o2 the one used last.
  const o2 = await pool.acquire(specFor(origins[2]));
  pool.release(specFor(origins[2]), o2);
  pool.release(specFor("new.example:443"), fakeProcess("new", closed));
  equal(closed.at(-1), origins[3], "o3, not o2, was idle longest");

  // A second process for a key that already has its one idle is closed at once.
  pool.release(specFor(origins[5]), fakeProcess("extra", closed));
  equal(closed.at(-1), "extra");
  await pool.close();
});
