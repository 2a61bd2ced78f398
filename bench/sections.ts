/**
 * The measurements behind `deno task bench`: the naive baseline, a fresh
 * sandbox process per run, and each isolation level (ready latency,
 * throughput with N runs in flight, idle memory per process and its growth
 * over many runs); guard overhead. Each returns plain data; `compare.ts`
 * prints it.
 *
 * @module
 */
import { naiveRun } from "./naive.ts";
import type { Sandbox } from "../mod.ts";
import { type Level, levelSandbox, makeSandbox, runChecked, SMALL_CODE } from "./sandboxes.ts";
import { fmt, summarize, type Summary } from "./stats.ts";
import { cpuMs, readRss, type RssReading } from "./rss.ts";

const EXPECTED = "499500\n";

/** Report progress on stderr so stdout stays a clean table (or JSON). */
export function progress(text: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(`[bench] ${text}\n`));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs done with several in flight: how fast, and how long each took. */
export interface Load {
  /** Runs completed. */
  runs: number;
  /** Runs in flight at once. */
  inflight: number;
  /** Wall time of the window, ms. */
  wallMs: number;
  /** Completed runs per second. */
  runsPerSecond: number;
  /** Per-run wall latency under this load. */
  latency: Summary;
  /** CPU per run over the window (ms): this process and every sandbox process, all threads. */
  cpuMsPerRun: number;
}

/** `runs` calls of `once`, `inflight` at a time. */
async function drive(
  once: () => Promise<number>,
  runs: number,
  inflight: number,
): Promise<Load> {
  let next = 0;
  const samples: number[] = [];
  const lane = async () => {
    while (next < runs) {
      next++;
      samples.push(await once());
    }
  };
  const cpu0 = cpuMs();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inflight }, lane));
  const wallMs = performance.now() - t0;
  return {
    runs,
    inflight,
    wallMs,
    runsPerSecond: runs / (wallMs / 1000),
    latency: summarize(samples),
    cpuMsPerRun: (cpuMs() - cpu0) / runs,
  };
}

/** Naive baseline: a new worker that calls `loadPyodide()` for every run. */
export async function naiveLoad(runs: number, inflight: number): Promise<Load> {
  await naiveRun(SMALL_CODE); // populate the npm cache and the OS page cache
  return await drive(
    async () => {
      const t0 = performance.now();
      const result = await naiveRun(SMALL_CODE);
      if (!result.ok || result.stdout !== EXPECTED) {
        throw new Error(`naive run failed: ${result.error}`);
      }
      return performance.now() - t0;
    },
    runs,
    inflight,
  );
}

/** A new sandbox process per run (poolSize 0): spawn, boot from the snapshot, run, exit. */
export async function freshLoad(runs: number, inflight: number, guarded: boolean): Promise<Load> {
  const sandbox = makeSandbox(0, guarded, { maxProcesses: inflight });
  try {
    await runChecked(sandbox, SMALL_CODE, EXPECTED); // build or load the snapshot once
    return await drive(
      async () => (await runChecked(sandbox, SMALL_CODE, EXPECTED)).wallMs,
      runs,
      inflight,
    );
  } finally {
    await sandbox.close();
  }
}

/** What one isolation level measured. */
export interface LevelFigures {
  /** The level. */
  level: Level;
  /** One run at a time, each after a pause that lets the pool get ready (ms). */
  ready: Summary;
  /** The pause before each ready run (ms). */
  readyGapMs: number;
  /** One run at a time, back to back. */
  backToBack: Summary;
  /** Runs with `inflight` at once, on a pool of that many processes. */
  load: Load;
  /** Resident memory per sandbox process, idle after its first runs (bytes, mean). */
  idleRssPerProcess: number;
  /** Memory readings (pool idle) by runs done so far. */
  memory: { afterRuns: number; rss: RssReading }[];
  /** Growth of all processes' memory from the end of the throughput window to the last reading. */
  growth: number;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * One isolation level: a pool of `inflight` processes (at most that many),
 * ready latency, back-to-back latency, throughput, then more runs up to
 * `memoryRuns`, memory read with the pool idle.
 */
export async function levelFigures(
  level: Level,
  counts: { warmup: number; serial: number; throughput: number; memoryRuns: number },
  inflight: number,
  guarded: boolean,
  settleMs: number,
): Promise<LevelFigures> {
  const sandbox = levelSandbox(level, inflight, guarded, { maxProcesses: inflight });
  const once = async () => (await runChecked(sandbox, SMALL_CODE, EXPECTED, level)).wallMs;
  try {
    await sandbox.warm();
    // V8 compiles Pyodide's hot wasm functions with its optimizing compiler
    // over a process's first few hundred runs (seconds of CPU in background
    // threads): measured before that, a level's figures are its warm-up's.
    progress(`${level}: ${counts.warmup} warm-up runs`);
    await drive(once, inflight + counts.warmup, inflight);
    await sleep(settleMs);
    const idle = readRss();
    const memory = [{ afterRuns: inflight + counts.warmup, rss: idle }];
    const b2b: number[] = [];
    for (let i = 0; i < counts.serial; i++) b2b.push(await once());
    // Enough idle time for the process to get its next interpreter ready.
    const readyGapMs = level === "tenant" ? 100 : 1000;
    const ready: number[] = [];
    for (let i = 0; i < counts.serial; i++) {
      await sleep(readyGapMs);
      ready.push(await once());
    }
    await sleep(settleMs);
    const load = await drive(once, counts.throughput, inflight);
    let done = inflight + counts.warmup + 2 * counts.serial + counts.throughput;
    await sleep(settleMs);
    const afterWindow = { afterRuns: done, rss: readRss() };
    memory.push(afterWindow);
    while (done < counts.memoryRuns) {
      const batch = Math.min(200, counts.memoryRuns - done);
      progress(`${level}: memory ${done}/${counts.memoryRuns} runs`);
      await drive(once, batch, inflight);
      done += batch;
    }
    await sleep(settleMs);
    const end = { afterRuns: done, rss: readRss() };
    memory.push(end);
    return {
      level,
      ready: summarize(ready),
      readyGapMs,
      backToBack: summarize(b2b),
      load,
      idleRssPerProcess: idle.children.length ? sum(idle.children) / idle.children.length : NaN,
      memory,
      growth: (end.rss.total - afterWindow.rss.total) / afterWindow.rss.total,
    };
  } finally {
    await sandbox.close();
  }
}

/** Most warm-up rounds (every program on each side) before the measured runs (see guardOverhead). */
const MAX_WARM_ROUNDS = 12;

/** A warm-up round within this fraction of the one before counts as settled. */
const SETTLED = 0.05;

/**
 * Median in-sandbox duration of each program, guarded and unguarded, runs
 * interleaved, in one process per side after that side has warmed up.
 *
 * V8 compiles Pyodide's hot wasm functions with its optimizing compiler in
 * background threads over a process's first runs, and how far each process
 * got decides the ratio more than the guard does (a cold unguarded side once
 * came out slower than the guarded one). So both sides run every program,
 * round after round, until a round's time stays within 5% of the last
 * (at most {@link MAX_WARM_ROUNDS} rounds).
 */
export async function guardOverhead(
  programs: { name: string; code: string }[],
  runs: number,
  settleMs: number,
): Promise<{ program: string; guarded: Summary; unguarded: Summary; warmRounds: number }[]> {
  // compute: library_loop.py uses fractions; a loaded machine can stretch these
  // programs past the default 5 s limit.
  const policy = { version: 1, extends: "compute", limits: { timeout_ms: 120_000 } } as const;
  const guarded = makeSandbox(1, true, { policy });
  const unguarded = makeSandbox(1, false, { policy });
  try {
    await Promise.all([guarded.warm(), unguarded.warm()]);
    const round = async (sandbox: Sandbox) => {
      let total = 0;
      for (const { code } of programs) total += (await runChecked(sandbox, code)).durationMs;
      return total;
    };
    let rounds = 0;
    let last: { g: number; u: number } | undefined;
    for (; rounds < MAX_WARM_ROUNDS; rounds++) {
      const now = { g: await round(guarded), u: await round(unguarded) };
      const settled = (a: number, b: number) => Math.abs(a - b) <= SETTLED * b;
      if (last && settled(now.g, last.g) && settled(now.u, last.u)) break;
      last = now;
      progress(
        `guard overhead: warm-up round ${rounds + 1}: ${fmt(now.g)} ms guarded, ${
          fmt(now.u)
        } ms not`,
      );
    }
    const results = [];
    for (const { name, code } of programs) {
      progress(`guard overhead: ${runs} runs each of bench/programs/${name}`);
      const g: number[] = [];
      const u: number[] = [];
      // Each pause lets the other process finish booting its next worker, so
      // the measured run has the CPU to itself.
      for (let i = 0; i < runs; i++) {
        await sleep(settleMs);
        g.push((await runChecked(guarded, code)).durationMs);
        await sleep(settleMs);
        u.push((await runChecked(unguarded, code)).durationMs);
      }
      results.push({
        program: name,
        guarded: summarize(g),
        unguarded: summarize(u),
        warmRounds: rounds + 1,
      });
    }
    return results;
  } finally {
    await Promise.all([guarded.close(), unguarded.close()]);
  }
}
