/**
 * Options accepted by `run()` and `Sandbox#run()`, and the one check every
 * options object of the library goes through: a misspelt key is a
 * {@link UsageError}, never silently ignored.
 *
 * @module
 */
import type { PolicyInput } from "../policy/schema.ts";
import { UsageError } from "../errors.ts";
import { didYouMean } from "../suggest.ts";

/** The read-only files a script may `open()`: text, or bytes for binary. */
export type Files = Record<string, string | Uint8Array>;

/** Options for one run. */
export interface RunOptions {
  /** A built-in policy name (`default`, `strict`, `compute`), a path to a YAML file, or a policy object (validated like a file). Default `"default"`. */
  policy?: string | PolicyInput;
  /** The script's origin, e.g. `https://a.example`. Omitted or `"null"`: no network. */
  origin?: string;
  /** The read-only virtual file system the script sees. */
  files?: Files;
  /** Tighten the policy's wall-clock limit (milliseconds); a looser value is an error. */
  timeoutMs?: number;
  /** Tighten the policy's memory limit (MiB); a looser value is an error. */
  memoryMb?: number;
  /** Called with each chunk of output as it arrives (the result still holds all of it). */
  onOutput?: (stream: "stdout" | "stderr", text: string) => void;
}

/** The keys of {@link RunOptions}; a `Record` so that the compiler keeps it complete. */
export const RUN_OPTION_KEYS: Record<keyof RunOptions, true> = {
  policy: true,
  origin: true,
  files: true,
  timeoutMs: true,
  memoryMb: true,
  onOutput: true,
};

/**
 * Check an options object: `undefined` or a plain object whose keys are all
 * in `known`. Throws a {@link UsageError} naming the first unknown key (as
 * `label.key`) with the closest known one; `notes` explains keys that are
 * known elsewhere (e.g. `policy` on a `Sandbox#run`).
 *
 * @example
 * ```ts
 * import { checkOptionKeys, RUN_OPTION_KEYS } from "./options.ts";
 * import assert from "node:assert/strict";
 * assert.throws(
 *   () => checkOptionKeys("run() options", { timeoutMS: 10 }, RUN_OPTION_KEYS),
 *   { argument: "run() options.timeoutMS", message: /unknown option \(did you mean 'timeoutMs'\?\)/ },
 * );
 * ```
 */
export function checkOptionKeys(
  label: string,
  options: unknown,
  known: Readonly<Record<string, true>>,
  notes: Readonly<Record<string, string>> = {},
): void {
  if (options === undefined) return;
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new UsageError(
      label,
      `must be an object, got ${options === null ? "null" : typeof options}`,
    );
  }
  const names = Object.keys(known);
  for (const key of Object.keys(options)) {
    if (Object.hasOwn(known, key)) continue;
    const note = Object.hasOwn(notes, key) ? `; ${notes[key]}` : didYouMean(key, names);
    throw new UsageError(`${label}.${key}`, `unknown option${note}; known: ${names.join(", ")}`);
  }
}
