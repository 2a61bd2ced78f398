/**
 * Python version ranges, as written in a policy's `python:` key
 * (`">=3.12"`, `">=3.12,<3.15"`, `"~=3.13"`, `"==3.14.*"`).
 *
 * The grammar is a small subset of PEP 440 specifiers: one or more
 * comparators separated by commas and/or spaces, each an operator
 * (`==`, `!=`, `>=`, `<=`, `>`, `<`, `~=`; none means `==`) and a release
 * `X[.Y[.Z…]]`. `==` and `!=` accept a trailing `.*` for a prefix match.
 * Releases compare numerically with missing parts as zero (`3.12` = `3.12.0`).
 *
 * @module
 */

/** Comparison operators allowed in a Python version range. */
export type RangeOperator = "==" | "!=" | ">=" | "<=" | ">" | "<" | "~=";

/** One comparator of a parsed range, e.g. `>=3.12`. */
export interface Comparator {
  /** The operator. */
  op: RangeOperator;
  /** The release numbers, e.g. `[3, 12]`. */
  release: number[];
  /** `==3.14.*` / `!=3.14.*`: compare as a prefix. */
  wildcard: boolean;
}

const COMPARATOR = /^(==|!=|>=|<=|>|<|~=)?\s*(\d+(?:\.\d+)*)(\.\*)?$/;

/**
 * Parse a range into comparators. Throws a `SyntaxError` naming the part it
 * could not read.
 *
 * @example
 * ```ts
 * import { parsePythonRange } from "./python_range.ts";
 * import assert from "node:assert/strict";
 * assert.equal(parsePythonRange(">=3.12,<3.15").length, 2);
 * ```
 */
export function parsePythonRange(range: string): Comparator[] {
  const parts = range.trim().split(/\s*,\s*|\s+(?=[=!<>~])/).filter((p) => p !== "");
  if (parts.length === 0) throw new SyntaxError("empty version range");
  return parts.map((part) => {
    const m = COMPARATOR.exec(part);
    if (!m) {
      throw new SyntaxError(
        `cannot read '${part}'; expected e.g. '>=3.12', '>=3.12,<3.15', '~=3.13' or '==3.14.*'`,
      );
    }
    const op = (m[1] ?? "==") as RangeOperator;
    const wildcard = m[3] !== undefined;
    if (wildcard && op !== "==" && op !== "!=") {
      throw new SyntaxError(`'${part}': '.*' is only allowed with '==' or '!='`);
    }
    const release = m[2].split(".").map(Number);
    if (op === "~=" && release.length < 2) {
      throw new SyntaxError(`'${part}': '~=' needs at least two parts, e.g. '~=3.12'`);
    }
    return { op, release, wildcard };
  });
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

function startsWith(version: number[], prefix: number[]): boolean {
  return prefix.every((n, i) => (version[i] ?? 0) === n);
}

function satisfies(version: number[], c: Comparator): boolean {
  const cmp = compare(version, c.release);
  switch (c.op) {
    case "==":
      return c.wildcard ? startsWith(version, c.release) : cmp === 0;
    case "!=":
      return c.wildcard ? !startsWith(version, c.release) : cmp !== 0;
    case ">=":
      return cmp >= 0;
    case "<=":
      return cmp <= 0;
    case ">":
      return cmp > 0;
    case "<":
      return cmp < 0;
    case "~=":
      // ~=3.12 means >=3.12 and ==3.*; ~=3.12.1 means >=3.12.1 and ==3.12.*
      return cmp >= 0 && startsWith(version, c.release.slice(0, -1));
  }
}

/**
 * Whether a Python version (`"3.14.2"`; a suffix such as `rc1` or `+pyodide`
 * after the release is ignored) satisfies a range. Throws a `SyntaxError` for
 * an unreadable range or version.
 *
 * @example
 * ```ts
 * import { pythonSatisfies } from "./python_range.ts";
 * import assert from "node:assert/strict";
 * assert.equal(pythonSatisfies(">=3.12", "3.14.2"), true);
 * assert.equal(pythonSatisfies(">=3.12,<3.14", "3.14.2"), false);
 * ```
 */
export function pythonSatisfies(range: string, version: string): boolean {
  const m = /^\s*(\d+(?:\.\d+)*)/.exec(version);
  if (!m) throw new SyntaxError(`cannot read Python version '${version}'`);
  const release = m[1].split(".").map(Number);
  return parsePythonRange(range).every((c) => satisfies(release, c));
}
