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
 * import { loadPolicy, PolicyError } from "@pyfence/pyfence";
 * import assert from "node:assert/strict";
 * await assert.rejects(
 *   loadPolicy({ version: 1, limits: { timeout_ms: -1 } }),
 *   (e) => e instanceof PolicyError && e.keyPath === "limits.timeout_ms",
 * );
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
 * import { Sandbox, UsageError } from "@pyfence/pyfence";
 * import assert from "node:assert/strict";
 * const options = JSON.parse('{ "polcy": "strict" }'); // e.g. from a config file
 * assert.throws(
 *   () => new Sandbox(options),
 *   (e) => e instanceof UsageError && /did you mean 'policy'/.test(e.message),
 * );
 * ```
 */
export class UsageError extends Error {
  /** The option or argument at fault. */
  readonly argument: string;
  /** What is wrong with it (the message without the argument). */
  readonly problem: string;

  /** Create a usage error for `argument` with a human-readable `problem`. */
  constructor(argument: string, problem: string) {
    super(`${argument}: ${problem}`);
    this.name = "UsageError";
    this.argument = argument;
    this.problem = problem;
  }
}

/** What failed on the host side; see {@link SandboxError}. */
export type SandboxFailure =
  /** The sandbox was closed: it runs nothing more. */
  | "closed"
  /** Building the interpreter's memory snapshot failed. */
  | "snapshot"
  /** A package the policy names could not be fetched, or failed its sha256 check. */
  | "packages"
  /** A sandbox process or its interpreter failed to start. */
  | "boot"
  /** This Deno is older than pyfence supports. */
  | "deno-version";

/**
 * The host could not provide a sandbox: it was closed, the interpreter
 * snapshot could not be built, a package could not be fetched or failed its
 * sha256 check, a sandbox process did not start, or this Deno is too old.
 * Nothing of the script ran. `reason` says which; `cause` holds the
 * underlying error, when there is one.
 *
 * @example
 * ```ts
 * import { Sandbox, SandboxError } from "@pyfence/pyfence";
 * import assert from "node:assert/strict";
 * const sandbox = new Sandbox();
 * await sandbox.close();
 * await assert.rejects(
 *   sandbox.run("print(1)"),
 *   (e) => e instanceof SandboxError && e.reason === "closed",
 * );
 * ```
 */
export class SandboxError extends Error {
  /** Which host-side step failed. */
  readonly reason: SandboxFailure;

  /** Create a sandbox error; pass the underlying error as `options.cause`. */
  constructor(reason: SandboxFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SandboxError";
    this.reason = reason;
  }
}
