/**
 * `deno task bench`: pyfence against the naive way of running Python from
 * Deno (a new worker calling `loadPyodide()` per run), all measured in this
 * one process and printed as one table beside that baseline, with the load
 * average and the issue's goals. The figures are also written as JSON to
 * `--out` (default `bench/results/latest.json`).
 *
 * Rows: naive; a fresh sandbox process per run; `isolation: "run"` (a fresh
 * worker per run in a warm process); `isolation: "tenant"` (one interpreter
 * reset in place between a tenant's runs), each with `--inflight` runs at
 * once (default 4). Then guard overhead (guard on vs off, in-sandbox time).
 *
 * "tenant" always runs 1,000 warm-up runs, 2,000 with `--inflight` at once
 * (its interpreters are replaced every 250 runs: a shorter window would
 * catch all of them at once) and memory to run 5,200, over 2,000 runs.
 *
 * Flags: `--json` prints the JSON instead of tables; `--full` uses the
 * issue's counts (memory over 2,000 runs for "run" too); `--quick` cuts
 * every count (for trying the script, not for figures).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import {
  freshLoad,
  guardOverhead,
  type LevelFigures,
  levelFigures,
  type Load,
  naiveLoad,
  progress,
} from "./sections.ts";
import { guardProblem, type Level, supportsTenant } from "./sandboxes.ts";
import { fmt, table } from "./stats.ts";
import { mib } from "./rss.ts";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    json: { type: "boolean" },
    quick: { type: "boolean" },
    full: { type: "boolean" },
    inflight: { type: "string", default: "4" },
    out: { type: "string" },
  },
});
const INFLIGHT = Number(flags.inflight);
if (!Number.isInteger(INFLIGHT) || INFLIGHT < 1 || INFLIGHT > 64) {
  console.error(`--inflight must be an integer from 1 to 64, got ${flags.inflight}`);
  Deno.exit(2);
}
const OUT = flags.out ?? fileURLToPath(new URL("./results/latest.json", import.meta.url));
const q = (n: number, quick: number, full: number) => flags.quick ? quick : flags.full ? full : n;
const COUNTS = {
  naive: q(8, 4, 16),
  fresh: q(16, 4, 40),
  warmup: { run: q(16, 4, 40), tenant: q(1000, 40, 1000) },
  serial: q(20, 3, 50),
  throughput: { run: q(60, 8, 200), tenant: q(2000, 20, 2000) },
  memoryRuns: { run: q(300, 40, 2000), tenant: q(5200, 200, 5200) },
  guard: q(5, 1, 7),
};
const SETTLE_MS = 1500;
const PROGRAMS = ["cpu_loop.py", "call_loop.py", "library_loop.py", "arith_loop.py"];

const started = performance.now();
const loadBefore = Deno.loadavg();
const problem = await guardProblem();
const guarded = problem === undefined;
if (!guarded) progress(`guard not usable (${problem}); pyfence figures are UNGUARDED`);
const levels: Level[] = supportsTenant() ? ["run", "tenant"] : ["run"];

progress(`naive: ${COUNTS.naive} runs, ${INFLIGHT} in flight`);
const naive = await naiveLoad(COUNTS.naive, INFLIGHT);
progress(`fresh sandbox process per run: ${COUNTS.fresh} runs, ${INFLIGHT} in flight`);
const fresh = await freshLoad(COUNTS.fresh, INFLIGHT, guarded);
const perLevel: LevelFigures[] = [];
for (const level of levels) {
  progress(
    `isolation "${level}": ${COUNTS.serial} serial runs twice, ` +
      `${COUNTS.throughput[level]} with ${INFLIGHT} in flight, memory to ${
        COUNTS.memoryRuns[level]
      }`,
  );
  perLevel.push(
    await levelFigures(
      level,
      {
        warmup: COUNTS.warmup[level],
        serial: COUNTS.serial,
        throughput: COUNTS.throughput[level],
        memoryRuns: COUNTS.memoryRuns[level],
      },
      INFLIGHT,
      guarded,
      SETTLE_MS,
    ),
  );
}
const programs = await Promise.all(
  PROGRAMS.map(async (name) => ({
    name,
    code: await Deno.readTextFile(new URL(`./programs/${name}`, import.meta.url)),
  })),
);
const overheads = (guarded ? await guardOverhead(programs, COUNTS.guard, SETTLE_MS) : [])
  .map(({ program, ...result }) => ({ program, result }));
const loadAfter = Deno.loadavg();
const totalSeconds = (performance.now() - started) / 1000;

const ratioOf = (program: string) => {
  const r = overheads.find((o) => o.program === program)?.result;
  return r ? r.guarded.p50 / r.unguarded.p50 : NaN;
};
const of = (level: Level) => perLevel.find((f) => f.level === level);
const MIB = 1024 * 1024;
const goals: { goal: string; value: number; ok: boolean }[] = [];
const goal = (name: string, value: number | undefined, ok: (v: number) => boolean) =>
  goals.push({ goal: name, value: value ?? NaN, ok: value !== undefined && ok(value) });
goal(
  `"tenant" >= 100 runs/s, ${INFLIGHT} in flight`,
  of("tenant")?.load.runsPerSecond,
  (v) => v >= 100,
);
goal(`"tenant" ready p50 <= 5 ms`, of("tenant")?.ready.p50, (v) => v <= 5);
goal(`"run" >= 10 runs/s, ${INFLIGHT} in flight`, of("run")?.load.runsPerSecond, (v) => v >= 10);
goal("guard overhead <= 1.2x (cpu_loop.py, attributes)", ratioOf("cpu_loop.py"), (v) => v <= 1.2);
goal("guard overhead <= 1.05x (arith_loop.py)", ratioOf("arith_loop.py"), (v) => v <= 1.05);
for (const f of perLevel) {
  goal(`"${f.level}" idle RSS per process <= 160 MiB`, f.idleRssPerProcess / MIB, (v) => v <= 160);
  const [, window, end] = f.memory;
  goal(
    `"${f.level}" memory flat, runs ${window.afterRuns}-${end.afterRuns} (growth < 5%)`,
    f.growth * 100,
    (v) => v < 5,
  );
}

const report = {
  guarded,
  guardProblem: problem,
  inflight: INFLIGHT,
  machine: { cpus: navigator.hardwareConcurrency, loadBefore, loadAfter },
  totalSeconds,
  counts: COUNTS,
  naive,
  fresh,
  levels: perLevel,
  levelsMissing: (["run", "tenant"] as Level[]).filter((l) => !levels.includes(l)),
  guardOverhead: overheads.map(({ program, result }) => ({
    program,
    ...result,
    ratio: result.guarded.p50 / result.unguarded.p50,
  })),
  goals,
};
await Deno.mkdir(dirname(OUT), { recursive: true });
await Deno.writeTextFile(OUT, JSON.stringify(report, null, 2) + "\n");

if (flags.json) {
  console.log(JSON.stringify(report, null, 2));
  Deno.exit(0);
}

const loadText = (l: number[]) => l.map((x) => x.toFixed(2)).join(" ");
const mode = guarded ? "guarded" : "UNGUARDED (guard not usable yet)";
console.log(
  `\npyfence benchmark: print(sum(range(1000))), ${mode}, ${INFLIGHT} in flight; ` +
    `${navigator.hardwareConcurrency} CPUs, load average ${loadText(loadBefore)} before, ` +
    `${loadText(loadAfter)} after\n`,
);
const dash = "-";
const row = (name: string, load: Load, f?: LevelFigures) => [
  name,
  f ? fmt(f.ready.p50) : dash,
  f ? fmt(f.backToBack.p50) : dash,
  fmt(load.runsPerSecond, 2),
  `${fmt(load.runsPerSecond / naive.runsPerSecond, 1)}x`,
  fmt(load.latency.p50),
  fmt(load.latency.p95),
  fmt(load.cpuMsPerRun),
  f ? mib(f.idleRssPerProcess) : dash,
  f ? fmt(f.growth * 100, 1) : dash,
];
console.log(table(
  [
    "variant",
    "ready p50 ms",
    "serial p50 ms",
    "runs/s",
    "vs naive",
    "load p50 ms",
    "load p95 ms",
    "CPU ms/run",
    "idle MiB/proc",
    "mem growth %",
  ],
  [
    row("naive: new worker + loadPyodide()", naive),
    row("fresh sandbox process per run", fresh),
    ...perLevel.map((f) => row(`isolation "${f.level}" (pooled)`, f.load, f)),
    ...report.levelsMissing.map((l) => [`isolation "${l}"`, "not built", ...Array(8).fill(dash)]),
  ],
));
console.log(
  `ready = one run after ${perLevel.map((f) => `${f.readyGapMs} ms ("${f.level}")`).join(", ")} ` +
    `idle; serial = back to back; load = ${INFLIGHT} in flight on a pool of ${INFLIGHT}; ` +
    `all after ${
      perLevel.map((f) => `${COUNTS.warmup[f.level]} ("${f.level}")`).join(", ")
    } warm-up runs, idle MiB/proc too; CPU ms/run = the load window's CPU time (this ` +
    `process and every sandbox process, all threads) per run, ${navigator.hardwareConcurrency} ` +
    `CPUs in all; ` +
    `mem growth = all processes, from the end of the load window to the last of ` +
    `${perLevel.map((f) => `${f.memory.at(-1)!.afterRuns} ("${f.level}")`).join(", ")} runs`,
);
console.log("\nGuard overhead (CPU-bound programs in bench/programs/, in-sandbox ms)\n");
if (overheads.length) {
  console.log(table(
    ["program", "runs", "guard off p50", "guard on p50", "on/off"],
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
console.log("\nGoals (issue 19)\n");
console.log(table(
  ["goal", "measured", "met"],
  goals.map((g) => [g.goal, fmt(g.value, 2), g.ok ? "yes" : "NO"]),
));
console.log(`\nJSON: ${OUT}; total bench time ${fmt(totalSeconds, 0)} s`);
