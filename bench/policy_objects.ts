/**
 * What `run()` costs with a policy object against the same policy by name,
 * in one process: the first call (snapshot and process start) and the
 * median of the calls after it. `run()` pools sandboxes by the policy's
 * validated content, so an object costs what its name costs once warm.
 *
 * `deno run -A bench/policy_objects.ts [--runs N]`
 *
 * @module
 */
import { parseArgs } from "node:util";
import { loadPolicy, run, shutdown } from "../mod.ts";
import { fmt, median, table } from "./stats.ts";

const { values } = parseArgs({ args: Deno.args, options: { runs: { type: "string" } } });
const RUNS = Number(values.runs ?? 8);
const CODE = "import statistics\nprint(statistics.mean([1, 2, 3]))";

async function timeRuns(policy: () => Parameters<typeof run>[1]): Promise<[number, number[]]> {
  const times: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const t0 = performance.now();
    const result = await run(CODE, policy());
    times.push(performance.now() - t0);
    if (!result.ok || result.stdout !== "2\n") {
      throw new Error(`benchmark run failed: ${JSON.stringify(result.error ?? result.stdout)}`);
    }
  }
  return [times[0], times.slice(1)];
}

// The same content as the built-in `compute`, as a fresh object every call
// (a caller building its policy per request).
const compute = await loadPolicy("compute");
const rows: string[][] = [];
for (
  const [label, options] of [
    ['policy: "compute" (by name)', () => ({ policy: "compute" })],
    ["policy: { ...compute } (new object each run)", () => ({ policy: structuredClone(compute) })],
    [
      'policy: { version: 1, extends: "compute", limits } (new object each run)',
      () => ({ policy: { version: 1 as const, extends: "compute", limits: { timeout_ms: 4000 } } }),
    ],
  ] as const
) {
  const [first, rest] = await timeRuns(options);
  rows.push([label, fmt(first, 0), fmt(median(rest), 0)]);
}
await shutdown();
console.log(`run() latency by policy form, ${RUNS} runs each after the first (ms)\n`);
console.log(table(["policy", "first run", "median after"], rows));
