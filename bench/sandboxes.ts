/**
 * How the benchmarks build pyfence sandboxes: guarded (the real thing) or,
 * as the "same Pyodide with no guard" baseline, through the internal test
 * switch.
 *
 * @module
 */
import { Sandbox } from "../mod.ts";
import { unguardedForTests } from "../src/host/internal.ts";

/** The one-line program every latency figure runs. */
export const SMALL_CODE = "print(sum(range(1000)))";

/** A sandbox with `poolSize` warm processes, with or without the Python guard. */
export function makeSandbox(poolSize: number, guarded: boolean): Sandbox {
  return guarded ? new Sandbox({ poolSize }) : new Sandbox(unguardedForTests({ poolSize }));
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

/** Run `code` once and fail loudly if it did not print `expected`. */
export async function runChecked(
  sandbox: Sandbox,
  code: string,
  expected?: string,
): Promise<{ wallMs: number; durationMs: number }> {
  const t0 = performance.now();
  const result = await sandbox.run(code);
  const wallMs = performance.now() - t0;
  if (!result.ok || (expected !== undefined && result.stdout !== expected)) {
    const why = result.error ? `${result.error.type}: ${result.error.message}` : result.stdout;
    throw new Error(`benchmark run failed: ${why.slice(0, 500)}`);
  }
  return { wallMs, durationMs: result.durationMs };
}
