/**
 * Run options may tighten a policy's limits, never loosen them.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { LIMIT_BOUNDS, type Policy } from "./schema.ts";

/** Limit overrides from run options; each may only be tighter than the policy's. */
export interface LimitOverrides {
  /** Wall-clock limit in milliseconds (≤ the policy's `limits.timeout_ms`). */
  timeoutMs?: number;
  /** Memory cap in MiB (≤ the policy's `limits.memory_mb`). */
  memoryMb?: number;
}

function check(
  argument: string,
  value: number,
  current: number,
  [min]: readonly [number, number],
  unit: string,
): void {
  if (!Number.isInteger(value)) {
    throw new UsageError(argument, `must be an integer number of ${unit}, got ${value}`);
  }
  if (value < min) throw new UsageError(argument, `must be at least ${min} ${unit}, got ${value}`);
  if (value > current) {
    throw new UsageError(
      argument,
      `${value} ${unit} is looser than the policy's limit of ${current} ${unit}; ` +
        "options may only tighten a policy",
    );
  }
}

/**
 * A copy of `policy` with its limits tightened by `overrides`. An override
 * looser than the policy, not an integer, or below the schema's minimum
 * throws a {@link UsageError} naming the option (`timeoutMs`, `memoryMb`).
 * The input policy is not modified.
 *
 * @example
 * ```ts
 * import { loadPolicy } from "./load.ts";
 * import { tighten } from "./merge.ts";
 * import assert from "node:assert/strict";
 * const policy = tighten(await loadPolicy("default"), { timeoutMs: 1000 });
 * assert.equal(policy.limits.timeout_ms, 1000);
 * assert.throws(() => tighten(policy, { timeoutMs: 2000 }), /looser than the policy's limit/);
 * ```
 */
export function tighten(policy: Policy, overrides: LimitOverrides = {}): Policy {
  const { timeoutMs, memoryMb } = overrides;
  const limits = { ...policy.limits };
  if (timeoutMs !== undefined) {
    check("timeoutMs", timeoutMs, limits.timeout_ms, LIMIT_BOUNDS.timeout_ms, "ms");
    limits.timeout_ms = timeoutMs;
  }
  if (memoryMb !== undefined) {
    check("memoryMb", memoryMb, limits.memory_mb, LIMIT_BOUNDS.memory_mb, "MiB");
    limits.memory_mb = memoryMb;
  }
  return { ...policy, limits };
}
