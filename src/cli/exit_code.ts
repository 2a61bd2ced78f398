/**
 * The CLI's exit codes, derived from a run's result: from the error's
 * `kind`, which the trusted side decides, never from its `type`, which a
 * script can choose.
 *
 * @module
 */
import type { ErrorKind, RunResult } from "../protocol/result.ts";

/** Exit codes of `pyfence`. */
export const ExitCode = {
  /** The script ran to its end. */
  Ok: 0,
  /** The script raised an exception, or its interpreter crashed or could not start. */
  ScriptError: 1,
  /** Bad usage or a bad policy. */
  Usage: 2,
  /** The script attempted something its policy forbids, or broke out of the guard. */
  Violation: 3,
  /** The script hit a resource limit: time, memory, output, recursion, response or code size. */
  Limit: 4,
} as const;

const BY_KIND: Record<ErrorKind, number> = {
  script: ExitCode.ScriptError,
  crash: ExitCode.ScriptError,
  queue: ExitCode.ScriptError,
  closed: ExitCode.ScriptError,
  violation: ExitCode.Violation,
  limit: ExitCode.Limit,
};

/** The exit code for a run's result. */
export function exitCodeOf(result: RunResult): number {
  if (result.ok) return ExitCode.Ok;
  return result.error ? BY_KIND[result.error.kind] : ExitCode.ScriptError;
}
