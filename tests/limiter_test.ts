/**
 * The bound on sandbox processes and the queue in front of it, with
 * stand-in processes (no interpreter): FIFO service, never more than
 * `maxProcesses` alive (a slot is free only once its process has exited),
 * idle processes of another origin or pool closed to make room, the queue
 * bounded in length and in time, `warm()` keeping what it started.
 */
import { deepEqual, equal, ok, rejects } from "assert";
import { ProcessPool } from "../src/host/pool.ts";
import { machineDefault, ProcessLimiter, QueueAborted, QueueError } from "../src/host/limiter.ts";
import type { SandboxProcess } from "../src/host/process.ts";
import { FakeProcesses, specFor } from "./helpers/fake_process.ts";

const A = specFor("a.example");
const B = specFor("b.example");

function setup(max: number, options: { size?: number; maxQueue?: number } = {}) {
  const fakes = new FakeProcesses();
  const limiter = new ProcessLimiter({ maxProcesses: max, maxQueue: options.maxQueue });
  const pool = new ProcessPool({ size: options.size ?? 1, limiter, start: fakes.start });
  return { fakes, limiter, pool };
}

/** Let the pool's promise chains run. */
const settle = () => new Promise((r) => setTimeout(r, 0));

function isQueueError(type: string) {
  return (e: unknown) => e instanceof QueueError && e.type === type;
}

Deno.test("limiter: runs beyond maxProcesses wait, are served first come first served, and reuse the processes", async () => {
  const { fakes, limiter, pool } = setup(2);
  const served: number[] = [];
  const runs = Array.from({ length: 10 }, (_, i) =>
    pool.acquire(A, 1000).then((p) => {
      served.push(i);
      return p;
    }));
  await settle();
  deepEqual(served, [0, 1]);
  equal(limiter.queued, 8);
  // Each release hands the process to the run that has waited longest.
  for (let i = 0; i < 10; i++) {
    const process = await runs[i];
    pool.release(A, process);
    await settle();
  }
  deepEqual(served, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  equal(fakes.started.length, 2, "no process beyond the first two was started");
  equal(fakes.peak, 2);
  equal(limiter.queued, 0);
  await pool.close();
});

Deno.test("limiter: an idle process of another origin is closed to make room, and its slot is free only once it exited", async () => {
  const { fakes, limiter, pool } = setup(1);
  pool.release(A, await pool.acquire(A, 0));
  fakes.holdExits = true;
  let gotB: SandboxProcess | undefined;
  const b = pool.acquire(B, 1000).then((p) => gotB = p);
  await settle();
  deepEqual(fakes.closed, ["a.example"], "the idle process of a.example was closed");
  equal(gotB, undefined, "b waits until that process has exited");
  equal(limiter.live, 1);
  fakes.holdExits = false;
  fakes.exitHeld();
  await b;
  deepEqual(fakes.started, ["a.example", "b.example"]);
  equal(fakes.peak, 1);
  await pool.close();
});

Deno.test("limiter: a busy process given back while another origin waits is closed for it", async () => {
  const { fakes, pool } = setup(1, { size: 4 });
  const a = await pool.acquire(A, 0);
  const b = pool.acquire(B, 1000);
  await settle();
  pool.release(A, a);
  await b;
  deepEqual(fakes.closed, ["a.example"]);
  deepEqual(fakes.started, ["a.example", "b.example"]);
  equal(fakes.peak, 1);
  await pool.close();
});

Deno.test("limiter: pools sharing a limiter share the bound, and one's idle process makes room for the other", async () => {
  const fakes = new FakeProcesses();
  const limiter = new ProcessLimiter({ maxProcesses: 2 });
  const one = new ProcessPool({ size: 1, limiter, start: fakes.start });
  const two = new ProcessPool({ size: 1, limiter, start: fakes.start });
  const held = [await one.acquire(A, 0), await one.acquire(A, 0)];
  const waiting = two.acquire(A, 1000);
  await settle();
  equal(fakes.started.length, 2, "the second pool may not start a third process");
  one.release(A, held[0]);
  one.release(A, held[1]);
  const got = await waiting;
  ok(!held.includes(got), "a pool never hands its process to another pool");
  equal(fakes.peak, 2);
  equal(fakes.closed.length, 1, "one of the first pool's idle processes made room");
  await Promise.all([one.close(), two.close()]);
  equal(limiter.live, 0);
});

Deno.test("limiter: a full queue refuses at once; a wait past its timeout ends as QueueTimeout", async () => {
  const { limiter, pool } = setup(1, { maxQueue: 1 });
  const busy = await pool.acquire(A, 0);
  const waiting = pool.acquire(A, 5000);
  await rejects(pool.acquire(A, 5000), isQueueError("QueueFull"));
  await rejects(pool.acquire(B, 5000), isQueueError("QueueFull"));
  pool.release(A, busy);
  pool.release(A, await waiting);
  equal(limiter.queued, 0);

  const again = await pool.acquire(A, 0);
  await rejects(pool.acquire(A, 30), isQueueError("QueueTimeout"));
  equal(limiter.queued, 0, "the run that timed out left the queue");
  await rejects(pool.acquire(A, 0), isQueueError("QueueTimeout"), "0 means: do not wait");
  pool.release(A, again);
  await pool.close();
});

Deno.test("limiter: a run's signal takes it out of the queue", async () => {
  const { limiter, pool } = setup(1);
  const busy = await pool.acquire(A, 0);
  const controller = new AbortController();
  const waiting = pool.acquire(A, 5000, controller.signal);
  const behind = pool.acquire(A, 5000);
  await settle();
  equal(limiter.queued, 2);
  controller.abort();
  await rejects(waiting, (e) => e instanceof QueueAborted);
  equal(limiter.queued, 1);
  pool.release(A, busy);
  equal(await behind, busy, "the run behind it got the process");
  await rejects(pool.acquire(A, 5000, controller.signal), (e) => e instanceof QueueAborted);
  pool.release(A, busy);
  await pool.close();
});

Deno.test("limiter: a failed start gives its slot back", async () => {
  const { fakes, limiter, pool } = setup(1);
  fakes.failNext = 1;
  await rejects(pool.acquire(A, 0), /boot failed/);
  equal(limiter.live, 0);
  pool.release(A, await pool.acquire(A, 0));
  equal(limiter.live, 1);
  await pool.close();
  equal(limiter.live, 0);
});

Deno.test("limiter: warm() keeps the processes that started when another start fails, in free slots only", async () => {
  const { fakes, limiter, pool } = setup(2, { size: 3 });
  fakes.failNext = 1;
  await rejects(pool.warm(A), /boot failed/);
  await settle();
  equal(fakes.started.length, 1, "of the two free slots, one start failed and one succeeded");
  const counts = pool.counts();
  equal(counts.idle, 1, "the process that started is idle in the pool");
  equal(limiter.live, 1);
  await pool.warm(A);
  equal(pool.counts().idle, 2, "warm stops at maxProcesses");
  equal(fakes.peak, 2);
  await pool.close();
  deepEqual(fakes.closed.length, 2, "close() ends every process warm() started");
  equal(limiter.live, 0);
});

Deno.test("limiter: closing a pool fails its waiting runs and frees its slots", async () => {
  const { limiter, pool } = setup(1);
  await pool.acquire(A, 0);
  const waiting = pool.acquire(A, 5000);
  const closed = pool.close();
  await rejects(waiting, /the sandbox is closed/);
  await closed;
  equal(limiter.queued, 0);
  equal(limiter.live, 0);
});

Deno.test("limiter: the default maximum follows cores and available memory", () => {
  const GiB = 1024 ** 3;
  equal(machineDefault(2, 23 * GiB).maxProcesses, 4);
  equal(machineDefault(16, 3 * GiB).maxProcesses, 4, "3 GiB holds four 768 MiB budgets");
  equal(machineDefault(2, 0.7 * GiB).maxProcesses, 1, "never below one");
  const unknown = machineDefault(3, null);
  equal(unknown.maxProcesses, 6);
  ok(unknown.from.includes("unknown"), unknown.from);
  equal(
    machineDefault(2, 23 * GiB).from,
    "max(1, min(2 × 2 cores, 23552 MiB available / 768 MiB)) = 4",
  );
});
