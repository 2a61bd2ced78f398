/**
 * A burst of runs is bounded: never more than `maxProcesses` sandbox
 * processes, every result still correct; runs beyond the bound wait in a
 * FIFO queue that is bounded in length (`QueueFull`) and in time
 * (`QueueTimeout`), both `error.kind` "queue"; the wait does not count
 * against a run's own `timeoutMs`; an idle process of another origin makes
 * room; `run()` bounds all its policies together.
 */
import { deepEqual, equal, ok } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";
import type { RunResult } from "../src/protocol/result.ts";

function alive(pid: number): boolean {
  try {
    return !Deno.readTextFileSync(`/proc/${pid}/stat`).includes(") Z ");
  } catch {
    return false;
  }
}

/** Call `sample` every few milliseconds until the returned stop() is called. */
function sampling(sample: () => void): () => void {
  sample();
  const timer = setInterval(sample, 5);
  return () => {
    clearInterval(timer);
    sample();
  };
}

/** Wait (bounded) until `ready()` holds. */
async function until(ready: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

Deno.test({
  name:
    "bounded: 20 concurrent runs on maxProcesses 2 are all correct, never more than 2 processes",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // A generous wait: on a loaded machine the last of 20 runs waits long.
    const sandbox = new Sandbox({ maxProcesses: 2, poolSize: 2, queueTimeoutMs: 600_000 });
    const pids = new Set<number>();
    let peakLive = 0;
    let peakListed = 0;
    let peakAlive = 0;
    let peakQueued = 0;
    const stop = sampling(() => {
      const stats = sandbox.stats();
      stats.processes.forEach((p) => pids.add(p.pid));
      peakLive = Math.max(peakLive, stats.live);
      peakListed = Math.max(peakListed, stats.processes.length);
      peakQueued = Math.max(peakQueued, stats.queued);
      // What the OS says of every process this sandbox ever listed, exiting ones included.
      peakAlive = Math.max(peakAlive, [...pids].filter(alive).length);
    });
    try {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => sandbox.run(`print(${i} * ${i})`)),
      );
      stop();
      deepEqual(
        results.map((r) => r.stdout),
        Array.from({ length: 20 }, (_, i) => `${i * i}\n`),
        JSON.stringify(results.find((r) => !r.ok)),
      );
      ok(peakLive <= 2, `stats().live reached ${peakLive}`);
      ok(peakListed <= 2, `stats().processes listed ${peakListed}`);
      ok(peakAlive <= 2, `${peakAlive} of the sandbox's processes were alive at once`);
      ok(peakQueued >= 12, `runs beyond the bound waited (queue peaked at ${peakQueued})`);
      const stats = sandbox.stats();
      equal(stats.maxProcesses, 2);
      equal(stats.maxProcessesFrom, "the maxProcesses option");
      equal(stats.queued, 0);
      equal(stats.queueRefusals, 0);
      equal(stats.runs, 20);
    } finally {
      stop();
      await sandbox.close();
    }
  },
});

Deno.test({
  name:
    "bounded: QueueFull at once, QueueTimeout after queueTimeoutMs, and a queued run's timeoutMs unspent by its wait",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const sandbox = new Sandbox({
      policy: { version: 1, modules: { allow: ["time"] } },
      maxProcesses: 1,
      maxQueue: 2,
      poolSize: 1,
    });
    const pending: Promise<unknown>[] = [];
    try {
      await sandbox.warm();
      const order: string[] = [];
      const track = (name: string, p: Promise<RunResult>) => {
        const tracked = p.then((r) => {
          order.push(name);
          return r;
        });
        pending.push(tracked);
        return tracked;
      };
      // Busy for about a second and a half, well inside its own 5 s limit.
      const slow =
        "import time\nt = time.monotonic()\nwhile time.monotonic() - t < 1.5: pass\nprint('slow')";
      const first = track("first", sandbox.run(slow));
      await until(() => sandbox.stats().busy === 1, "the first run holds the process");
      // Its own limit is 300 ms; it waits about 1.5 s for the process.
      const second = track("second", sandbox.run("print('second')", { timeoutMs: 300 }));
      await until(() => sandbox.stats().queued === 1, "the second run waits");
      const third = track("third", sandbox.run("print('third')", { queueTimeoutMs: 200 }));
      await until(() => sandbox.stats().queued === 2, "the third run waits");
      const fourth = track("fourth", sandbox.run("print('fourth')"));

      const full = await fourth;
      equal(full.ok, false);
      equal(full.error?.type, "QueueFull");
      equal(full.error?.kind, "queue");
      equal(full.stdout, "");
      const late = await third;
      equal(late.error?.type, "QueueTimeout");
      equal(late.error?.kind, "queue");
      equal(late.stdout, "");
      equal((await first).stdout, "slow\n");
      const waited = await second;
      equal(waited.error, undefined, JSON.stringify(waited));
      equal(waited.stdout, "second\n");
      deepEqual(order, ["fourth", "third", "first", "second"]);
      const stats = sandbox.stats();
      equal(stats.queueRefusals, 2);
      equal(stats.queued, 0);
    } finally {
      await sandbox.close();
      await Promise.allSettled(pending);
    }
  },
});

Deno.test({
  name:
    "bounded: a run aborted while it waits for a process ends as Aborted at once, never started",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const sandbox = new Sandbox({
      policy: { version: 1, modules: { allow: ["time"] } },
      maxProcesses: 1,
      poolSize: 1,
    });
    const pending: Promise<unknown>[] = [];
    try {
      const order: string[] = [];
      const slow = "import time\nt = time.monotonic()\nwhile time.monotonic() - t < 1.5: pass";
      const first = sandbox.run(slow).then((r) => (order.push("first"), r));
      pending.push(first);
      await until(() => sandbox.stats().busy === 1, "the first run holds the process");
      const controller = new AbortController();
      const second = sandbox.run("print('never')", { signal: controller.signal })
        .then((r) => (order.push("second"), r));
      pending.push(second);
      await until(() => sandbox.stats().queued === 1, "the second run waits");
      controller.abort();
      const aborted = await second;
      equal(aborted.error?.type, "Aborted");
      equal(aborted.stdout, "");
      equal(sandbox.stats().queued, 0);
      equal((await first).ok, true);
      deepEqual(order, ["second", "first"]);
    } finally {
      await sandbox.close();
      await Promise.allSettled(pending);
    }
  },
});

Deno.test({
  name: "bounded: at the maximum, an idle process of another origin is closed for a waiting run",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const sandbox = new Sandbox({ maxProcesses: 1, poolSize: 1, queueTimeoutMs: 30_000 });
    try {
      const a = await sandbox.run("print('a')", { origin: "https://a.example" });
      equal(a.stdout, "a\n");
      const [idleA] = sandbox.stats().processes.map((p) => p.pid);
      const b = await sandbox.run("print('b')", { origin: "https://b.example" });
      equal(b.stdout, "b\n", JSON.stringify(b));
      const after = sandbox.stats();
      equal(after.processes.length, 1);
      ok(after.processes[0].pid !== idleA, "b.example got a process of its own");
      ok(!alive(idleA), "a.example's idle process was closed");
    } finally {
      await sandbox.close();
    }
  },
});

Deno.test({
  name: "bounded: run() bounds every policy's sandbox with one shared limit, counted by the OS",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // In a process of its own, whose children are exactly its sandbox processes.
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("./helpers/run_burst.ts", import.meta.url).pathname],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(300_000),
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    equal(output.code, 0, stderr);
    const { max, peak, results, left } = JSON.parse(new TextDecoder().decode(output.stdout));
    for (const [got, want] of results) equal(got, want);
    ok(peak <= max, `${peak} sandbox processes alive at once; the bound is ${max}`);
    ok(peak >= 2, `the runs ran side by side (peak ${peak})`);
    equal(left, 0, "shutdown() leaves no process");
  },
});
