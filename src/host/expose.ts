/**
 * Host functions: what a caller exposes to one run (`run(code, { expose })`),
 * offered to the script as `pyfence.host` through the host-call channel
 * (service `host`). The caller's functions receive the arguments as plain
 * data and answer with plain data; they never see a Python object, and the
 * script never sees them.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import type { HostService } from "./host_calls.ts";

/**
 * A function a script may call by name (see `RunOptions.expose`). It gets
 * the script's arguments as plain data (JSON values) and returns plain data,
 * or a promise of it; what it throws reaches the script as `HostError` with
 * the message only.
 */
export type HostFunction = (...args: never[]) => unknown;

/** Host functions by the name the script imports them as (`from pyfence.host import lookup`). */
export type HostFunctions = Record<string, HostFunction>;

/** Functions one run may be given. */
const MAX_FUNCTIONS = 256;

// An ASCII identifier not starting with `_`: `pyfence.host`'s private and
// dunder names are the guard's, and the script could not import them anyway.
const NAME = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;
const PYTHON_KEYWORDS = new Set([
  "False",
  "None",
  "True",
  "and",
  "as",
  "assert",
  "async",
  "await",
  "break",
  "class",
  "continue",
  "def",
  "del",
  "elif",
  "else",
  "except",
  "finally",
  "for",
  "from",
  "global",
  "if",
  "import",
  "in",
  "is",
  "lambda",
  "nonlocal",
  "not",
  "or",
  "pass",
  "raise",
  "return",
  "try",
  "while",
  "with",
  "yield",
]);
/** Names `pyfence.host` has itself. */
const RESERVED = new Set(["HostError"]);

/**
 * The names of `expose` after checking it: a plain object of at most 256
 * functions, each named by an ASCII Python identifier that does not start
 * with `_`, is not a keyword and is not `HostError`. Anything else is a
 * {@link UsageError} naming the entry (`expose.__import__`).
 *
 * @example
 * ```ts
 * import { exposedNames } from "./expose.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(exposedNames({ lookup: () => 1, add: (a: number, b: number) => a + b }), [
 *   "add",
 *   "lookup",
 * ]);
 * assert.throws(() => exposedNames({ __import__: () => 1 }), /expose\.__import__: /);
 * ```
 */
export function exposedNames(expose: unknown): string[] {
  if (expose === undefined) return [];
  if (
    expose === null || typeof expose !== "object" || Array.isArray(expose) ||
    ![Object.prototype, null].includes(Object.getPrototypeOf(expose))
  ) {
    throw new UsageError("expose", "must be an object mapping names to functions");
  }
  const names = Object.keys(expose);
  if (names.length > MAX_FUNCTIONS) {
    throw new UsageError("expose", `at most ${MAX_FUNCTIONS} functions, got ${names.length}`);
  }
  for (const name of names) {
    const problem = !NAME.test(name)
      ? "a host function's name must be an ASCII Python identifier not starting with '_'"
      : PYTHON_KEYWORDS.has(name)
      ? "is a Python keyword"
      : RESERVED.has(name)
      ? "is pyfence.host's own name"
      : typeof (expose as Record<string, unknown>)[name] !== "function"
      ? `must be a function, got ${typeof (expose as Record<string, unknown>)[name]}`
      : undefined;
    if (problem) throw new UsageError(`expose.${name}`, problem);
  }
  return names.sort();
}

/**
 * The `host` service of one run: calls the exposed function by name, with
 * the arguments spread and no `this`.
 */
export function exposeService(expose: HostFunctions): HostService {
  // Copied now: a caller changing its object during the run changes nothing.
  const functions = new Map(Object.entries(expose));
  return {
    has: (name) => functions.has(name),
    call: (name, args) => (functions.get(name) as (...args: unknown[]) => unknown)(...args),
  };
}
