/**
 * The measurements behind `deno task bench`: latency of the naive baseline,
 * of a fresh pyfence sandbox process and of a warm pool; pool throughput;
 * guard overhead; memory. Each returns plain data; `compare.ts` prints it.
 *
 * @module
 */
import { naiveRun } from "./naive.ts";
import { makeSandbox, runChecked, SMALL_CODE } from "./sandboxes.ts";
import { median, summarize, type Summary } from "./stats.ts";
import { readRss, type RssReading } from "./rss.ts";

const EXPECTED = "499500\n";

/** Report progress on stderr so stdout stays a clean table (or JSON). */
export function progress(text: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(`[bench] ${text}\n`));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Naive baseline: a new worker that calls `loadPyodide()` for every run. */
export async function naiveLatency(runs: number): Promise<Summary> {
  await naiveRun(SMALL_CODE); // populate the npm cache and the OS page cache
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const result = await naiveRun(SMALL_CODE);
    samples.push(performance.now() - t0);
    if (!result.ok || result.stdout !== EXPECTED) {
      throw new Error(`naive run failed: ${result.error}`);
    }
  }
  return summarize(samples);
}

/** A new sandbox process per run (poolSize 0): spawn, boot from the snapshot, run, exit. */
export async function freshLatency(runs: number, guarded: boolean): Promise<Summary> {
  const sandbox = makeSandbox(0, guarded);
  try {
    await runChecked(sandbox, SMALL_CODE, EXPECTED); // build or load the snapshot once
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) samples.push((await runChecked(sandbox, SMALL_CODE)).wallMs);
    return summarize(samples);
  } finally {
    await sandbox.close();
  }
}

/** Warm-pool latency, both back-to-back and with the pool given time to boot its next worker. */
export async function poolLatency(
  runs: number,
  guarded: boolean,
): Promise<{ backToBack: Summary; idle: Summary; gapMs: number }> {
  const sandbox = makeSandbox(1, guarded);
  try {
    await sandbox.warm();
    await runChecked(sandbox, SMALL_CODE, EXPECTED);
    const b2b: number[] = [];
    for (let i = 0; i < runs; i++) b2b.push((await runChecked(sandbox, SMALL_CODE)).wallMs);
    // Enough idle time for the process to boot the next worker before the next run.
    const gapMs = Math.min(3000, Math.max(200, Math.round(median(b2b) * 1.5)));
    const idle: number[] = [];
    for (let i = 0; i < runs; i++) {
      await sleep(gapMs);
      idle.push((await runChecked(sandbox, SMALL_CODE)).wallMs);
    }
    return { backToBack: summarize(b2b), idle: summarize(idle), gapMs };
  } finally {
    await sandbox.close();
  }
}

/** What the throughput-and-memory section measured. */
export interface PoolLoadResult {
  /** Runs in the throughput window. */
  runs: number;
  /** Runs in flight at once. */
  concurrency: number;
  /** Wall time of the throughput window, ms. */
  wallMs: number;
  /** Completed runs per second. */
  runsPerSecond: number;
  /** Per-run wall latency under load. */
  latency: Summary;
  /** Memory readings, each taken with the pool idle, keyed by runs done so far. */
  memory: { afterRuns: number; rss: RssReading }[];
}

async function drive(
  sandbox: ReturnType<typeof makeSandbox>,
  runs: number,
  concurrency: number,
): Promise<number[]> {
  let next = 0;
  const samples: number[] = [];
  const lane = async () => {
    while (next < runs) {
      next++;
      samples.push((await runChecked(sandbox, SMALL_CODE, EXPECTED)).wallMs);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return samples;
}

/**
 * Throughput with `concurrency` runs in flight on a pool of the same size,
 * then more runs up to `totalRuns`, reading memory (pool idle) at the start,
 * after the throughput window and at the end.
 */
export async function poolLoad(
  runs: number,
  totalRuns: number,
  concurrency: number,
  guarded: boolean,
  settleMs: number,
): Promise<PoolLoadResult> {
  const sandbox = makeSandbox(concurrency, guarded);
  try {
    await sandbox.warm();
    await Promise.all(
      Array.from({ length: concurrency }, () => runChecked(sandbox, SMALL_CODE, EXPECTED)),
    );
    let done = concurrency;
    await sleep(settleMs);
    const memory = [{ afterRuns: done, rss: readRss() }];
    const t0 = performance.now();
    const samples = await drive(sandbox, runs, concurrency);
    const wallMs = performance.now() - t0;
    done += runs;
    await sleep(settleMs);
    memory.push({ afterRuns: done, rss: readRss() });
    while (done < totalRuns) {
      const batch = Math.min(100, totalRuns - done);
      progress(`memory: ${done}/${totalRuns} runs`);
      await drive(sandbox, batch, concurrency);
      done += batch;
    }
    await sleep(settleMs);
    memory.push({ afterRuns: done, rss: readRss() });
    return {
      runs,
      concurrency,
      wallMs,
      runsPerSecond: runs / (wallMs / 1000),
      latency: summarize(samples),
      memory,
    };
  } finally {
    await sandbox.close();
  }
}

/** Median in-sandbox duration of `code`, guarded and unguarded, runs interleaved. */
export async function guardOverhead(
  code: string,
  runs: number,
  settleMs: number,
): Promise<{ guarded: Summary; unguarded: Summary }> {
  const guarded = makeSandbox(1, true);
  const unguarded = makeSandbox(1, false);
  try {
    await Promise.all([guarded.warm(), unguarded.warm()]);
    await runChecked(guarded, code);
    await runChecked(unguarded, code);
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
    return { guarded: summarize(g), unguarded: summarize(u) };
  } finally {
    await Promise.all([guarded.close(), unguarded.close()]);
  }
}
