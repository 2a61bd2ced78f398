/**
 * What one host call costs (`pyfence.host`: worker → sandbox process → host
 * → back), printed beside a plain run in the same process: the script's own
 * duration with N calls of a function that returns at once, less the same
 * loop without the call, divided by N. For scale, the floor Pyodide itself
 * sets: one `run_sync` of an already resolved JavaScript promise (the
 * interpreter suspending and resuming, as every call does), measured with the
 * guard off.
 *
 * `deno run -A bench/host_calls.ts [--runs R] [--calls N]`
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Sandbox } from "../mod.ts";
import { unguardedForTests } from "../src/host/internal.ts";
import { fmt, median, table } from "./stats.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { runs: { type: "string" }, calls: { type: "string" } },
});
const RUNS = Number(values.runs ?? 7);
const CALLS = Number(values.calls ?? 400);

const sandbox = new Sandbox({
  policy: { version: 1, extends: "default", limits: { host_calls: CALLS } },
  poolSize: 1,
});
const expose = { ping: (n: number) => n, fetchRow: (key: string) => ({ key, values: [1, 2, 3] }) };

async function sample(code: string): Promise<{ wall: number; script: number }> {
  const t0 = performance.now();
  const result = await sandbox.run(code, { expose });
  const wall = performance.now() - t0;
  if (!result.ok) throw new Error(`benchmark run failed: ${JSON.stringify(result.error)}`);
  return { wall, script: result.durationMs };
}

async function medians(code: string): Promise<{ wall: number; script: number }> {
  const samples = [];
  for (let i = 0; i < RUNS; i++) samples.push(await sample(code));
  return {
    wall: median(samples.map((s) => s.wall)),
    script: median(samples.map((s) => s.script)),
  };
}

/** Microseconds per `run_sync` of a resolved promise, median over the runs. */
async function suspendFloor(): Promise<number> {
  const unguarded = new Sandbox(unguardedForTests({ poolSize: 1 }));
  const code = "import js, time\nfrom pyodide.ffi import run_sync\nt = time.perf_counter()\n" +
    `for i in range(${CALLS}):\n    run_sync(js.Promise.resolve(i))\n` +
    `print((time.perf_counter() - t) / ${CALLS} * 1e6)`;
  try {
    const samples = [];
    for (let i = 0; i < RUNS; i++) samples.push(Number((await unguarded.run(code)).stdout));
    return median(samples);
  } finally {
    await unguarded.close();
  }
}

try {
  await sandbox.warm();
  await sample("print(1)");
  const plain = await medians("print(1)");
  const loop = `from pyfence.host import ping, fetchRow\nfor i in range(${CALLS}):\n    pass\n`;
  const empty = await medians(loop.replace("pass", "i + 1"));
  const pings = await medians(loop.replace("pass", "ping(i)"));
  const rows = await medians(loop.replace("pass", "fetchRow('k')"));
  const perCall = (m: { script: number }) => ((m.script - empty.script) / CALLS) * 1000;
  const floor = await suspendFloor();
  console.log(`host calls, ${RUNS} runs each (medians), ${CALLS} calls per run\n`);
  console.log(table(["what", "wall ms", "script ms", "µs per call"], [
    ["plain run: print(1)", fmt(plain.wall), fmt(plain.script, 2), "-"],
    [`loop of ${CALLS}, no call`, fmt(empty.wall), fmt(empty.script, 2), "-"],
    [`loop of ${CALLS} ping(i)`, fmt(pings.wall), fmt(pings.script, 2), fmt(perCall(pings), 0)],
    [
      `loop of ${CALLS} fetchRow('k') → dict`,
      fmt(rows.wall),
      fmt(rows.script, 2),
      fmt(perCall(rows), 0),
    ],
    [`floor: run_sync(resolved promise), guard off`, "-", "-", fmt(floor, 0)],
  ]));
} finally {
  await sandbox.close();
}
