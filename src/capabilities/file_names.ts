/**
 * The rule for virtual file names, written once: the host refuses such a name
 * in `files` (a {@link UsageError}), and the guard, which receives these rules
 * in its configuration (`GuardConfig.file_names`), refuses to open such a path
 * (a filesystem violation) and reports a literal one in `pyfence check`. Each
 * pattern means the same to JavaScript's `RegExp` and Python's `re`.
 *
 * @module
 */
import { UsageError } from "../errors.ts";

/** One thing that makes a file name unusable: a pattern found in it, and what it means. */
export interface FileNameRule {
  /** A regular expression (the syntax JavaScript and Python share) that matches a bad name. */
  pattern: string;
  /** What is wrong with a name the pattern matches. */
  problem: string;
}

/** What makes a virtual file name unusable, in the order names are checked. */
export const FILE_NAME_RULES: readonly FileNameRule[] = Object.freeze([
  { pattern: "\\x00", problem: "contains NUL" },
  { pattern: "[\\x01-\\x1f\\x7f]", problem: "contains a control character" },
  { pattern: "\\\\", problem: "contains a backslash; names use '/'" },
  { pattern: "^(/|[A-Za-z]:)", problem: "is absolute; names are relative" },
  { pattern: "(^|/)\\.\\.(/|$)", problem: "contains '..'" },
]);

const COMPILED = FILE_NAME_RULES.map((r) => ({ re: new RegExp(r.pattern), problem: r.problem }));

/**
 * What is wrong with `name` as a virtual file name, or `undefined`.
 *
 * @example
 * ```ts
 * import { fileNameProblem } from "./file_names.ts";
 * import assert from "node:assert/strict";
 * assert.equal(fileNameProblem("data/in.csv"), undefined);
 * assert.equal(fileNameProblem("../etc/passwd"), "contains '..'");
 * assert.equal(fileNameProblem("C:x"), "is absolute; names are relative");
 * ```
 */
export function fileNameProblem(name: string): string | undefined {
  return COMPILED.find((r) => r.re.test(name))?.problem;
}

/**
 * Normalise a virtual file name: `./a//b.csv` → `a/b.csv`. A name
 * {@link fileNameProblem} objects to, or one that names no file, throws a
 * {@link UsageError} for `files`.
 *
 * @example
 * ```ts
 * import { normalizeFileName } from "./file_names.ts";
 * import assert from "node:assert/strict";
 * assert.equal(normalizeFileName("./data//in.csv"), "data/in.csv");
 * assert.throws(() => normalizeFileName("../etc/passwd"), /contains '\.\.'/);
 * ```
 *
 * @throws {UsageError} when the name is unusable.
 */
export function normalizeFileName(name: string): string {
  const shown = JSON.stringify(name);
  const problem = fileNameProblem(name);
  if (problem !== undefined) throw new UsageError("files", `file name ${shown} ${problem}`);
  const parts = name.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.length === 0) throw new UsageError("files", `file name ${shown} names no file`);
  return parts.join("/");
}
