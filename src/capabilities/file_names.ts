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
import { CAPS, utf8Bytes } from "../protocol/caps.ts";

/** One segment of a file name, in UTF-8 bytes, as file systems allow (`vfs.py` agrees). */
const MAX_SEGMENT_BYTES = 255;

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
 * {@link fileNameProblem} objects to, one that names no file, or one too long
 * for a file system (over `CAPS.path_bytes`, or 255 bytes in a segment)
 * throws a {@link UsageError} for `files`. The one path rule of the host: for
 * the caller's files and for what a script wrote.
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
  const normal = parts.join("/");
  if (
    utf8Bytes(normal) > CAPS.path_bytes || parts.some((p) => utf8Bytes(p) > MAX_SEGMENT_BYTES)
  ) {
    throw new UsageError(
      "files",
      `file name ${shown} is too long (at most ${CAPS.path_bytes} bytes, ` +
        `${MAX_SEGMENT_BYTES} per segment, in UTF-8)`,
    );
  }
  return normal;
}
