/**
 * The one check every options object of the library goes through: a
 * misspelt key is a {@link UsageError} naming it, never silently ignored.
 *
 * @module
 */
import { UsageError } from "./errors.ts";
import { didYouMean } from "./suggest.ts";

/**
 * Check an options object: `undefined` or a plain object whose keys are all
 * in `known`. Throws a {@link UsageError} naming the first unknown key (as
 * `label.key`) with the closest known one; `notes` explains keys that are
 * known elsewhere (e.g. `policy` on a `Sandbox#run`).
 *
 * @example
 * ```ts
 * import { checkOptionKeys } from "./option_keys.ts";
 * import assert from "node:assert/strict";
 * assert.throws(
 *   () => checkOptionKeys("run() options", { timeoutMS: 10 }, { timeoutMs: true, origin: true }),
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
