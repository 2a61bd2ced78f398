/**
 * A session's per-call latency beside a fresh `sandbox.run()`, in one
 * process: the same small script, run N times in one session (globals
 * kept, no interpreter boot) and N times as separate runs on a warm
 * sandbox, back to back (each run's interpreter is discarded and the next
 * one boots while the caller waits), and with a pause between runs long
 * enough for the next interpreter to be booted already.
 *
 * `deno run -A bench/session.ts [--runs N]`
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Sandbox } from "../mod.ts";
import { fmt, median, percentile, table } from "./stats.ts";

const { values } = parseArgs({ args: Deno.args, options: { runs: { type: "string" } } });
const RUNS = Number(values.runs ?? 20);
const CODE = "total = sum(range(1000))\ntotal";

async function timed(call: () => Promise<{ ok: boolean; value?: unknown }>): Promise<number> {
  const t0 = performance.now();
  const result = await call();
  const ms = performance.now() - t0;
  if (!result.ok || result.value !== 499500) {
    throw new Error(`benchmark run failed: ${JSON.stringify(result)}`);
  }
  return ms;
}

await using sandbox = new Sandbox({ policy: "compute", poolSize: 1, maxProcesses: 2 });
await sandbox.warm();
// One untimed call each first: the process's V8 tiers up on its first runs.
const session = await sandbox.session();
await timed(() => session.run(CODE));
await timed(() => sandbox.run(CODE));

const inSession: number[] = [];
const backToBack: number[] = [];
const booted: number[] = [];
for (let i = 0; i < RUNS; i++) {
  inSession.push(await timed(() => session.run(CODE)));
  backToBack.push(await timed(() => sandbox.run(CODE)));
}
for (let i = 0; i < RUNS; i++) {
  // Long enough for the next interpreter to boot on a loaded machine.
  await new Promise((r) => setTimeout(r, 1500));
  booted.push(await timed(() => sandbox.run(CODE)));
}
await session.close();

const row = (label: string, xs: number[]) => [label, fmt(median(xs)), fmt(percentile(xs, 95))];
console.log(`${RUNS} calls each of ${JSON.stringify(CODE)}, policy compute`);
console.log(table(["", "p50 ms", "p95 ms"], [
  row("session.run() (same interpreter, globals kept)", inSession),
  row("sandbox.run(), back to back (waits for the next boot)", backToBack),
  row("sandbox.run(), an interpreter already booted", booted),
]));
console.log(`load average: ${Deno.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
