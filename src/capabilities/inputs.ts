/**
 * The caller's `inputs`: values bound as the script's globals. They cross into
 * the interpreter as JSON, so only plain data is accepted, copied here once
 * (a getter runs once, a prototype is never consulted) and capped in UTF-8
 * bytes of that JSON; a name may not shadow anything the script or the guard
 * relies on.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { utf8Bytes } from "../protocol/caps.ts";

/** A JSON value, as an input may hold it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | {
  [key: string]: JsonValue;
};

/** Bytes of the JSON of all inputs together (UTF-8). */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;
/** Nesting of arrays and objects within one input. */
export const MAX_INPUT_DEPTH = 64;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Python's keywords and soft keywords (3.14): a global of that name cannot be used. */
const KEYWORDS: ReadonlySet<string> = new Set(
  ("False None True and as assert async await break class continue def del elif else except " +
    "finally for from global if import in is lambda nonlocal not or pass raise return try while " +
    "with yield case match type _").split(" "),
);

/**
 * The public names of Python's `builtins` module (CPython 3.14; checked
 * against the interpreter by `tests/inputs_test.ts`) and the exceptions the
 * guard adds: an input never shadows one.
 */
export const BUILTIN_NAMES: ReadonlySet<string> = new Set([
  ...(
    "ArithmeticError AssertionError AttributeError BaseException BaseExceptionGroup " +
    "BlockingIOError BrokenPipeError BufferError BytesWarning ChildProcessError " +
    "ConnectionAbortedError ConnectionError ConnectionRefusedError ConnectionResetError " +
    "DeprecationWarning EOFError Ellipsis EncodingWarning EnvironmentError Exception " +
    "ExceptionGroup False FileExistsError FileNotFoundError FloatingPointError FutureWarning " +
    "GeneratorExit IOError ImportError ImportWarning IndentationError IndexError InterruptedError " +
    "IsADirectoryError KeyError KeyboardInterrupt LookupError MemoryError ModuleNotFoundError " +
    "NameError None NotADirectoryError NotImplemented NotImplementedError OSError OverflowError " +
    "PendingDeprecationWarning PermissionError ProcessLookupError PythonFinalizationError " +
    "RecursionError ReferenceError ResourceWarning RuntimeError RuntimeWarning StopAsyncIteration " +
    "StopIteration SyntaxError SyntaxWarning SystemError SystemExit TabError TimeoutError True " +
    "TypeError UnboundLocalError UnicodeDecodeError UnicodeEncodeError UnicodeError " +
    "UnicodeTranslateError UnicodeWarning UserWarning ValueError Warning ZeroDivisionError abs " +
    "aiter all anext any ascii bin bool breakpoint bytearray bytes callable chr classmethod " +
    "compile complex copyright credits delattr dict dir divmod enumerate eval exec exit filter " +
    "float format frozenset getattr globals hasattr hash help hex id input int isinstance " +
    "issubclass iter len license list locals map max memoryview min next object oct open ord pow " +
    "print property quit range repr reversed round set setattr slice sorted staticmethod str sum " +
    "super tuple type vars zip"
  ).split(" "),
  // The guard's own.
  "SecurityError",
  "ImportBlockedError",
]);

/** Why `name` cannot be an input's name, if it cannot. */
function nameProblem(name: string): string | undefined {
  if (!IDENTIFIER.test(name)) {
    return "is not a Python identifier (ASCII letters, digits and '_', not starting with a digit)";
  }
  if (name.startsWith("__")) {
    return "starts with '__': dunder names and the guard's own names are the interpreter's";
  }
  if (KEYWORDS.has(name)) return "is a Python keyword";
  if (BUILTIN_NAMES.has(name)) return `would shadow the builtin '${name}'; choose another name`;
  return undefined;
}

function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "number") return String(value); // NaN, Infinity
  if (typeof value === "bigint") return "a bigint";
  if (typeof value === "function") return "a function";
  if (typeof value === "symbol") return "a symbol";
  const name = (value as { constructor?: { name?: unknown } })?.constructor?.name;
  return typeof name === "string" && name ? `a ${name}` : "an object that is not plain";
}

/** A copy of `value` as plain JSON data, or a problem naming where it is not. */
function plainCopy(value: unknown): JsonValue {
  const ancestors = new Set<object>();
  const walk = (v: unknown, depth: number, path: string): JsonValue => {
    if (v === null || typeof v === "boolean" || typeof v === "string") return v;
    if (typeof v === "number") {
      if (Number.isFinite(v)) return v;
      throw new PathProblem(path, `${describe(v)} is not a JSON number`);
    }
    if (typeof v !== "object") throw new PathProblem(path, `${describe(v)} is not plain data`);
    const array = Array.isArray(v);
    const proto = Object.getPrototypeOf(v);
    if (!array && proto !== Object.prototype && proto !== null) {
      throw new PathProblem(path, `${describe(v)} is not plain data`);
    }
    if (ancestors.has(v)) throw new PathProblem(path, "a cycle (a value that contains itself)");
    if (depth >= MAX_INPUT_DEPTH) {
      throw new PathProblem(path, `nests deeper than ${MAX_INPUT_DEPTH} levels`);
    }
    ancestors.add(v);
    try {
      if (array) {
        const list = v as unknown[];
        const out: JsonValue[] = [];
        for (let i = 0; i < list.length; i++) {
          if (!(i in list)) throw new PathProblem(`${path}[${i}]`, "a hole in an array");
          out.push(walk(list[i], depth + 1, `${path}[${i}]`));
        }
        return out;
      }
      const out: Record<string, JsonValue> = {};
      for (const key of Object.keys(v)) {
        Object.defineProperty(out, key, {
          value: walk(
            (v as Record<string, unknown>)[key],
            depth + 1,
            `${path}[${JSON.stringify(key)}]`,
          ),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    } finally {
      ancestors.delete(v);
    }
  };
  return walk(value, 0, "");
}

class PathProblem extends Error {
  constructor(readonly path: string, readonly problem: string) {
    super(problem);
  }
}

/**
 * Validate the caller's `inputs` and return a plain copy: each key a Python
 * identifier that shadows no builtin, keyword or dunder; each value plain
 * JSON data (null, booleans, finite numbers, strings, arrays, plain
 * objects), nested at most {@link MAX_INPUT_DEPTH} deep, all of it at most
 * {@link MAX_INPUT_BYTES} bytes of JSON. Whole numbers arrive in Python as
 * `int`, others as `float`; objects as `dict`, arrays as `list`.
 *
 * @throws {UsageError} naming `inputs.NAME` (or `inputs`), with what is wrong and where.
 *
 * @example
 * ```ts
 * import { checkInputs } from "./inputs.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(checkInputs({ rows: [1, 2, 3] }), { rows: [1, 2, 3] });
 * assert.throws(() => checkInputs({ print: 1 }), { argument: "inputs.print" });
 * assert.throws(() => checkInputs({ when: new Date() }), /a Date is not plain data/);
 * ```
 */
export function checkInputs(inputs: unknown): Record<string, JsonValue> {
  if (inputs === undefined) return {};
  if (
    inputs === null || typeof inputs !== "object" || Array.isArray(inputs) ||
    ![Object.prototype, null].includes(Object.getPrototypeOf(inputs))
  ) {
    throw new UsageError("inputs", "must be a plain object mapping names to values");
  }
  const out: Record<string, JsonValue> = {};
  for (const name of Object.keys(inputs)) {
    const problem = nameProblem(name);
    if (problem) throw new UsageError(`inputs.${name}`, `the name ${problem}`);
    try {
      out[name] = plainCopy((inputs as Record<string, unknown>)[name]);
    } catch (err) {
      if (!(err instanceof PathProblem)) throw err;
      throw new UsageError(
        `inputs.${name}`,
        `${err.path ? `at ${err.path}: ` : ""}${err.problem}; inputs are plain data ` +
          "(null, booleans, finite numbers, strings, arrays and plain objects)",
      );
    }
  }
  const size = utf8Bytes(JSON.stringify(out));
  if (size > MAX_INPUT_BYTES) {
    throw new UsageError(
      "inputs",
      `${size} bytes of JSON; at most ${MAX_INPUT_BYTES} (use files for bulk data)`,
    );
  }
  return out;
}
