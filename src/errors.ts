/**
 * Errors a caller can act on. Anything the *script* does never throws: it is
 * reported in the {@link RunResult}. These are thrown for the caller's own
 * mistakes: a bad policy, a bad option, a bad command line.
 *
 * @module
 */

/**
 * A policy file or object is invalid. `keyPath` names the offending key, for
 * example `limits.timeout_ms` or `modules.allow[3]`.
 *
 * @example
 * ```ts
 * import { PolicyError } from "@pyfence/pyfence";
 * try {
 *   throw new PolicyError("limits.timeout_ms", "must be a positive integer");
 * } catch (e) {
 *   if (e instanceof PolicyError) console.error(e.keyPath);
 * }
 * ```
 */
export class PolicyError extends Error {
  /** Dotted path of the offending key (empty for the whole document). */
  readonly keyPath: string;
  /** The policy file, when the policy came from one. */
  readonly file?: string;

  /** Create a policy error for `keyPath` with a human-readable `problem`. */
  constructor(keyPath: string, problem: string, file?: string) {
    const where = [file, keyPath].filter(Boolean).join(": ");
    super(where ? `${where}: ${problem}` : problem);
    this.name = "PolicyError";
    this.keyPath = keyPath;
    this.file = file;
  }
}

/**
 * An option or command-line argument is invalid. `argument` names it, for
 * example `--timeout` or `options.origin`.
 *
 * @example
 * ```ts
 * import { UsageError } from "@pyfence/pyfence";
 * const e = new UsageError("--timeout", "must be a positive integer, got 'soon'");
 * console.log(e.message); // --timeout: must be a positive integer, got 'soon'
 * ```
 */
export class UsageError extends Error {
  /** The option or argument at fault. */
  readonly argument: string;

  /** Create a usage error for `argument` with a human-readable `problem`. */
  constructor(argument: string, problem: string) {
    super(`${argument}: ${problem}`);
    this.name = "UsageError";
    this.argument = argument;
  }
}
