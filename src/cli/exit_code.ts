/**
 * The CLI's exit codes, derived from a run's result.
 *
 * @module
 */
import { LIMIT_ERRORS, type RunResult } from "../protocol/result.ts";

/** Exit codes of `pyfence`. */
export const ExitCode = {
  /** The script ran to its end. */
  Ok: 0,
  /** The script raised an exception, or its interpreter crashed or could not start. */
  ScriptError: 1,
  /** Bad usage or a bad policy. */
  Usage: 2,
  /** The script attempted something its policy forbids. */
  Violation: 3,
  /** The script hit a resource limit: time, memory, output, recursion or code size. */
  Limit: 4,
} as const;

/** The exit code for a run's result. */
export function exitCodeOf(result: RunResult): number {
  if (result.ok) return ExitCode.Ok;
  // A probe (`imports: probe`) was the script's to catch: what ended the run decides.
  if (result.violations.some((v) => !v.probe)) return ExitCode.Violation;
  if (result.error && LIMIT_ERRORS.has(result.error.type)) return ExitCode.Limit;
  return ExitCode.ScriptError;
}
