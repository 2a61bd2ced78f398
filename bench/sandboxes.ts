/**
 * How the benchmarks build pyfence sandboxes: guarded (the real thing) or,
 * as the "same Pyodide with no guard" baseline, through the internal test
 * switch; at either isolation level.
 *
 * @module
 */
import { Sandbox, type SandboxOptions } from "../mod.ts";
import { unguardedForTests } from "../src/host/internal.ts";

/** The one-line program every latency figure runs. */
export const SMALL_CODE = "print(sum(range(1000)))";

/** The isolation levels the bench compares (`tenant` only where the sandbox offers it). */
export type Level = "run" | "tenant";

/** The tenant key every bench run of a `"tenant"` sandbox uses. */
export const BENCH_TENANT = "bench";

/** A sandbox with `poolSize` warm processes, with or without the Python guard. */
export function makeSandbox(
  poolSize: number,
  guarded: boolean,
  extra: Omit<SandboxOptions, "poolSize"> = {},
): Sandbox {
  const options = { poolSize, ...extra };
  return guarded ? new Sandbox(options) : new Sandbox(unguardedForTests(options));
}

/** A sandbox at isolation `level` (the `tenant` level needs {@link supportsTenant}). */
export function levelSandbox(
  level: Level,
  poolSize: number,
  guarded: boolean,
  extra: Omit<SandboxOptions, "poolSize"> = {},
): Sandbox {
  return makeSandbox(
    poolSize,
    guarded,
    level === "run" ? extra : { ...extra, isolation: level } as SandboxOptions,
  );
}

/** Whether this pyfence has `isolation: "tenant"`. */
export function supportsTenant(): boolean {
  try {
    new Sandbox({ isolation: "tenant" } as SandboxOptions);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the guarded path works yet: runs {@link SMALL_CODE} once and
 * returns the failure message, or `undefined` when it printed the right answer.
 */
export async function guardProblem(): Promise<string | undefined> {
  const sandbox = makeSandbox(0, true);
  try {
    const result = await sandbox.run(SMALL_CODE);
    if (result.ok && result.stdout === "499500\n") return undefined;
    return result.error ? `${result.error.type}: ${result.error.message}` : "wrong output";
  } finally {
    await sandbox.close();
  }
}

/** Run `code` once (as tenant {@link BENCH_TENANT} at that level) and fail loudly if it did not print `expected`. */
export async function runChecked(
  sandbox: Sandbox,
  code: string,
  expected?: string,
  level: Level = "run",
): Promise<{ wallMs: number; durationMs: number }> {
  const t0 = performance.now();
  const result = await sandbox.run(
    code,
    level === "tenant" ? { tenant: BENCH_TENANT } as Record<string, unknown> : {},
  );
  const wallMs = performance.now() - t0;
  if (!result.ok || (expected !== undefined && result.stdout !== expected)) {
    const why = result.error ? `${result.error.type}: ${result.error.message}` : result.stdout;
    throw new Error(`benchmark run failed: ${why.slice(0, 500)}`);
  }
  return { wallMs, durationMs: result.durationMs };
}
