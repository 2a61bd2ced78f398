/**
 * `deno task bench`: pyfence against the naive way of running Python from
 * Deno (a new worker calling `loadPyodide()` per run), all measured in this
 * one process, printed side by side with ratios and the targets.
 *
 * Flags: `--json` prints one JSON object instead of tables; `--full` uses the
 * issue's run counts (naive 10, others 50, throughput 200, memory 500; about
 * 8 minutes on a 2-core machine, since a fresh interpreter costs ~1 s of CPU);
 * `--quick` cuts every count (for trying the script, not for figures). The
 * default fits in about 4 minutes.
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  freshLatency,
  guardOverhead,
  naiveLatency,
  poolLatency,
  poolLoad,
  progress,
} from "./sections.ts";
import { guardProblem } from "./sandboxes.ts";
import { fmt, table } from "./stats.ts";
import { mib } from "./rss.ts";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    json: { type: "boolean" },
    quick: { type: "boolean" },
    full: { type: "boolean" },
  },
});
const q = (n: number, quick: number, full: number) => flags.quick ? quick : flags.full ? full : n;
const COUNTS = {
  naive: q(6, 2, 10),
  fresh: q(20, 3, 50),
  pool: q(20, 3, 50),
  throughput: q(100, 10, 200),
  memoryTotal: q(250, 20, 500),
  guard: q(5, 1, 7),
};
const SETTLE_MS = 1500;
const PROGRAMS = ["cpu_loop.py", "call_loop.py", "library_loop.py", "arith_loop.py"];

const started = performance.now();
const loadBefore = Deno.loadavg();
const problem = await guardProblem();
const guarded = problem === undefined;
if (!guarded) progress(`guard not usable (${problem}); pyfence figures are UNGUARDED`);

progress(`naive: ${COUNTS.naive} runs`);
const naive = await naiveLatency(COUNTS.naive);
progress(`fresh sandbox process per run: ${COUNTS.fresh} runs`);
const fresh = await freshLatency(COUNTS.fresh, guarded);
progress(`warm pool: ${COUNTS.pool} back-to-back + ${COUNTS.pool} idle-spaced runs`);
const pool = await poolLatency(COUNTS.pool, guarded);
progress(`throughput: ${COUNTS.throughput} runs, concurrency 2; memory to ${COUNTS.memoryTotal}`);
const load = await poolLoad(COUNTS.throughput, COUNTS.memoryTotal, 2, guarded, SETTLE_MS);
const overheads: { program: string; result: Awaited<ReturnType<typeof guardOverhead>> }[] = [];
for (const program of guarded ? PROGRAMS : []) {
  progress(`guard overhead: ${COUNTS.guard} runs each of bench/programs/${program}`);
  const code = await Deno.readTextFile(new URL(`./programs/${program}`, import.meta.url));
  overheads.push({ program, result: await guardOverhead(code, COUNTS.guard, SETTLE_MS) });
}
const overhead = overheads[0]?.result;
const totalSeconds = (performance.now() - started) / 1000;

const [idleMem, , endMem] = load.memory;
const afterWindow = load.memory[1];
const idlePerProcess = idleMem.rss.children.length
  ? idleMem.rss.children.reduce((a, b) => a + b, 0) / idleMem.rss.children.length
  : NaN;
const childSum = (r: typeof idleMem.rss) => r.children.reduce((a, b) => a + b, 0);
const growth = (endMem.rss.total - afterWindow.rss.total) / afterWindow.rss.total;
const overheadRatio = overhead ? overhead.guarded.p50 / overhead.unguarded.p50 : NaN;

const targets = [
  { target: "warm-pool p50 <= 5 ms (idle-spaced)", value: pool.idle.p50, ok: pool.idle.p50 <= 5 },
  {
    target: "fresh-from-snapshot >= 15x faster than naive (p50)",
    value: naive.p50 / fresh.p50,
    ok: naive.p50 / fresh.p50 >= 15,
  },
  {
    target: ">= 30 fresh-interpreter runs/s (pool, concurrency 2)",
    value: load.runsPerSecond,
    ok: load.runsPerSecond >= 30,
  },
  {
    target: "guard overhead <= 1.10x (cpu_loop.py)",
    value: overheadRatio,
    ok: overheadRatio <= 1.1,
  },
  {
    target: `no memory growth over ${endMem.afterRuns - afterWindow.afterRuns} runs (< 5%)`,
    value: growth * 100,
    ok: growth < 0.05,
  },
];

const report = {
  guarded,
  guardProblem: problem,
  machine: { cpus: navigator.hardwareConcurrency, loadBefore, loadAfter: Deno.loadavg() },
  totalSeconds,
  latency: { naive, fresh, poolBackToBack: pool.backToBack, poolIdle: pool.idle },
  poolIdleGapMs: pool.gapMs,
  throughput: {
    runs: load.runs,
    concurrency: load.concurrency,
    wallMs: load.wallMs,
    runsPerSecond: load.runsPerSecond,
    latency: load.latency,
  },
  guardOverhead: overheads.map(({ program, result }) => ({
    program,
    ...result,
    ratio: result.guarded.p50 / result.unguarded.p50,
  })),
  memory: { readings: load.memory, idlePerProcessBytes: idlePerProcess, growth },
  targets,
};

if (flags.json) {
  console.log(JSON.stringify(report, null, 2));
  Deno.exit(0);
}

const mode = guarded ? "guarded" : "UNGUARDED (guard not usable yet)";
const ratio = (x: number) => `${fmt(naive.p50 / x, 1)}x`;
console.log(
  `\npyfence benchmark: print(sum(range(1000))), pyfence ${mode}; ` +
    `${navigator.hardwareConcurrency} CPUs, load ${loadBefore.map((l) => l.toFixed(2)).join(" ")}`,
);
console.log("\n1. Per-run latency (host wall clock, ms)\n");
const latencyRow = (name: string, s: typeof naive) => [
  name,
  String(s.n),
  fmt(s.p50),
  fmt(s.p95),
  fmt(s.min),
  ratio(s.p50),
];
console.log(table(["variant", "runs", "p50", "p95", "min", "naive/this p50"], [
  latencyRow("(a) naive: new worker + loadPyodide()", naive),
  latencyRow("(b) pyfence fresh process, poolSize 0", fresh),
  latencyRow("(c) pyfence warm pool, back-to-back", pool.backToBack),
  latencyRow(`(c) pyfence warm pool, ${pool.gapMs} ms apart`, pool.idle),
]));
console.log(`\n2. Throughput (poolSize ${load.concurrency}, ${load.concurrency} in flight)\n`);
console.log(table(["runs", "wall s", "runs/s", "p50 ms", "p95 ms"], [[
  String(load.runs),
  fmt(load.wallMs / 1000, 2),
  fmt(load.runsPerSecond, 2),
  fmt(load.latency.p50),
  fmt(load.latency.p95),
]]));
console.log("\n3. Guard overhead (CPU-bound programs in bench/programs/, run durationMs)\n");
if (overheads.length) {
  console.log(table(
    ["program", "runs", "unguarded med ms", "guarded med ms", "guarded/unguarded"],
    overheads.map(({ program, result: r }) => [
      program,
      String(r.guarded.n),
      fmt(r.unguarded.p50),
      fmt(r.guarded.p50),
      `${fmt(r.guarded.p50 / r.unguarded.p50, 2)}x`,
    ]),
  ));
  console.log("(cpu_loop.py uses objects and attributes; arith_loop.py uses none)");
} else {
  console.log(`skipped: ${problem}`);
}
console.log("\n4. Memory (RSS MiB, pool idle; host = this Deno process)\n");
console.log(table(
  ["after runs", "host", "sandbox procs", "procs", "total"],
  load.memory.map(({ afterRuns, rss }) => [
    String(afterRuns),
    mib(rss.host),
    mib(childSum(rss)),
    String(rss.children.length),
    mib(rss.total),
  ]),
));
console.log(
  `idle RSS per pooled process: ${mib(idlePerProcess)} MiB; growth from run ` +
    `${afterWindow.afterRuns} to ${endMem.afterRuns}: ${fmt(growth * 100, 1)}%`,
);
console.log("\nTargets\n");
console.log(table(
  ["target", "measured", "met"],
  targets.map((t) => [t.target, fmt(t.value, 2), t.ok ? "yes" : "NO"]),
));
console.log(`\ntotal bench time ${fmt(totalSeconds, 0)} s`);
