/**
 * A burst of concurrent `run()` calls on one `Sandbox`: the wall time, the
 * most sandbox processes alive at once and the most resident memory they
 * held together (VmRSS of every descendant of this process, sampled from
 * /proc every 20 ms), and whether every result was right.
 *
 * Baseline, in the same run: the issue's burst of 20 with the bound lifted
 * (`maxProcesses: 20`, one process per run, which is what pyfence did before
 * it had a bound), then the same 20 and the full burst (200 by default)
 * under the machine's default bound. Each burst starts cold (snapshot built,
 * no process warm). The queue wait is raised to 10 minutes so that a loaded
 * machine shows slow runs rather than refused ones; the longest wall time of
 * a run says how the default 60 s would have fared.
 *
 * Usage: deno run -A bench/burst.ts [--runs N] [--json]   (Linux: reads /proc)
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Sandbox } from "../mod.ts";
import { PROCESS_BUDGET_BYTES } from "../src/host/limiter.ts";
import { descendants, rssOf } from "./rss.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { runs: { type: "string", default: "200" }, json: { type: "boolean" } },
});
const RUNS = Number(values.runs);
const MIB = 1024 * 1024;

/** What one burst measured. */
interface Burst {
  label: string;
  runs: number;
  maxProcesses: number;
  wallMs: number;
  peakProcesses: number;
  peakRssMib: number;
  budgetMib: number;
  slowestRunMs: number;
  correct: number;
  errors: string[];
}

async function burst(label: string, runs: number, maxProcesses?: number): Promise<Burst> {
  const sandbox = new Sandbox({ poolSize: 2, maxProcesses, queueTimeoutMs: 600_000 });
  await sandbox.prepare();
  const bound = sandbox.stats().maxProcesses;
  let peakProcesses = 0;
  let peakRss = 0;
  const sample = () => {
    const pids = descendants();
    peakProcesses = Math.max(peakProcesses, pids.length);
    peakRss = Math.max(peakRss, pids.reduce((sum, pid) => sum + rssOf(pid), 0));
  };
  const timer = setInterval(sample, 20);
  const t0 = performance.now();
  const results = await Promise.all(
    Array.from({ length: runs }, async (_, i) => {
      const start = performance.now();
      // A burst may make the host fail (a process that cannot boot in time): count it, go on.
      const r = await sandbox.run(`print(${i} * 7)`).catch((e: Error) => ({
        stdout: "",
        error: { type: `thrown ${e.name}: ${e.message.slice(0, 80)}` },
      }));
      return { r, i, ms: performance.now() - start };
    }),
  );
  const wallMs = performance.now() - t0;
  clearInterval(timer);
  sample();
  await sandbox.close();
  // The next burst starts with no sandbox process left (bounded wait).
  for (let i = 0; i < 200 && descendants().length; i++) await new Promise((r) => setTimeout(r, 50));
  const wrong = results.filter(({ r, i }) => r.stdout !== `${i * 7}\n`);
  return {
    label,
    runs,
    maxProcesses: bound,
    wallMs: Math.round(wallMs),
    peakProcesses,
    peakRssMib: Math.round(peakRss / MIB),
    budgetMib: Math.round(bound * PROCESS_BUDGET_BYTES / MIB),
    slowestRunMs: Math.round(Math.max(...results.map((x) => x.ms))),
    correct: runs - wrong.length,
    errors: [...new Set(wrong.map(({ r }) => r.error?.type ?? "wrong output"))],
  };
}

const load = () => Deno.loadavg().map((x) => x.toFixed(2)).join(" ");
const loadBefore = load();
const bursts = [
  await burst("unbounded (maxProcesses 20), the baseline", 20, 20),
  await burst("default bound", 20),
  await burst("default bound", RUNS),
];
const from = new Sandbox({ poolSize: 0 }).stats().maxProcessesFrom;

if (values.json) {
  console.log(
    JSON.stringify({ loadBefore, loadAfter: load(), maxProcessesFrom: from, bursts }, null, 2),
  );
} else {
  console.log(`cores ${navigator.hardwareConcurrency}; default maxProcesses: ${from}`);
  console.log(`load average before: ${loadBefore}; after: ${load()}`);
  console.log(
    "| burst | runs | maxProcesses | wall time | peak processes | peak RSS (all sandbox processes) | RSS budget (maxProcesses × 768 MiB) | slowest run | correct |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const b of bursts) {
    console.log(
      `| ${b.label} | ${b.runs} | ${b.maxProcesses} | ${
        (b.wallMs / 1000).toFixed(1)
      } s | ${b.peakProcesses} | ${b.peakRssMib} MiB | ${b.budgetMib} MiB | ${
        (b.slowestRunMs / 1000).toFixed(1)
      } s | ${b.correct}/${b.runs}${b.errors.length ? ` (${b.errors.join(", ")})` : ""} |`,
    );
  }
}
