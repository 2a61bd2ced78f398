/**
 * "Did you mean": the nearest known name to a mistyped one, for option keys,
 * flags, commands, policy keys and policy names alike.
 *
 * @module
 */
import { closest as nearest, distance } from "npm:fastest-levenshtein@1.0.16";

/**
 * The known name closest to `word`, if it is a likely typo of it (two edits,
 * or a third of its letters for longer words; case ignored) or a known name
 * starts with it; else undefined. Words shorter than 3 letters get no guess.
 *
 * @example
 * ```ts
 * import { closest } from "./suggest.ts";
 * import assert from "node:assert/strict";
 * assert.equal(closest("timeoutMS", ["timeoutMs", "memoryMb"]), "timeoutMs");
 * assert.equal(closest("inputs", ["origin", "files"]), undefined);
 * ```
 */
export function closest(word: string, known: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  if (known.length === 0 || lower.length < 3) return undefined;
  const extended = known.find((k) => k.toLowerCase().startsWith(lower));
  if (extended !== undefined) return extended;
  const byLower = new Map(known.map((k) => [k.toLowerCase(), k]));
  const best = nearest(lower, [...byLower.keys()]);
  return distance(lower, best) <= Math.max(2, Math.floor(lower.length / 3))
    ? byLower.get(best)
    : undefined;
}

/**
 * ` (did you mean 'x'?)` for the closest known name, or an empty string.
 *
 * @example
 * ```ts
 * import { didYouMean } from "./suggest.ts";
 * import assert from "node:assert/strict";
 * assert.equal(didYouMean("--polcy", ["--policy", "--origin"]), " (did you mean '--policy'?)");
 * assert.equal(didYouMean("--zzz", ["--policy"]), "");
 * ```
 */
export function didYouMean(word: string, known: readonly string[]): string {
  const guess = closest(word, known);
  return guess === undefined ? "" : ` (did you mean '${guess}'?)`;
}
