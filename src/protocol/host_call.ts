/**
 * Host calls: the one request/response channel from a script to its host
 * (worker → sandbox process → host → back). A call names a service and a
 * function and carries JSON text of an argument list; the answer carries JSON
 * text of plain data, or an error. Host functions (`expose`) are the service
 * `host`; a new service is one handler on the host (`host/host_calls.ts`)
 * and one small Python wrapper (`pyfence_guard/calls.py`).
 *
 * Only plain data crosses: `null`, booleans, finite numbers, strings, arrays
 * and plain objects with string keys, nested at most
 * `CAPS.host_data_depth` levels (the argument list counts as one) and at most
 * `CAPS.host_data_bytes` of UTF-8 JSON. No live object of either side ever
 * reaches the other: the guard turns Python values into JSON text before
 * they leave the interpreter, and the host turns what a handler returns into
 * JSON text before it leaves the host (refusing functions, cycles and class
 * instances rather than letting `JSON.stringify` drop or mangle them).
 *
 * The message shapes are in `messages.ts` (the worker event `call`, the host
 * command `answer`), validated there like every other message.
 *
 * @module
 */
import { CAPS } from "./caps.ts";

/** A call's correlation id: random per call, chosen by the worker. */
export const CALL_ID = /^[A-Za-z0-9_-]{8,64}$/;

/** A service name (`host`; issue 18 adds `storage`, `cookies`). */
export const SERVICE_NAME = /^[a-z][a-z0-9_]{0,31}$/;

/** A function name within a service: an ASCII identifier. */
export const FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,99}$/;

/**
 * Why a call failed, as the script sees it:
 * - `HostError`: the handler threw, returned something that is not plain
 *   data, or returned more than one answer may carry (the script may catch it);
 * - `TimeoutError`: the run's deadline passed while the call waited;
 * - `HostCallLimitError`: the run's budget of calls or bytes is spent (the
 *   run ends as a limit).
 */
export type HostCallErrorType = "HostError" | "TimeoutError" | "HostCallLimitError";

/** The host's answer to one call. */
export type HostAnswer =
  | { call: string; ok: true; data: string }
  | { call: string; ok: false; error: { type: HostCallErrorType; message: string } };

/** Something that is not plain data, found at `path` (`[0].rows[3]`; empty: the value itself). */
export class PlainDataError extends Error {
  /** Where in the value: `[0].rows[3]`, or empty for the value itself. */
  readonly path: string;
  /** What was found there. */
  readonly problem: string;

  /** Create the error for `problem` at `path`. */
  constructor(path: string, problem: string) {
    super(path ? `${problem} at ${path}` : problem);
    this.name = "PlainDataError";
    this.path = path;
    this.problem = problem;
  }
}

function keyPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function kindOf(value: object): string {
  const proto = Object.getPrototypeOf(value);
  const name = proto?.constructor?.name;
  return typeof name === "string" && name ? `a ${name} object` : "an object with a prototype";
}

/**
 * JSON text of `value` if it is plain data, else a {@link PlainDataError}
 * naming what is not and where: a function, a symbol, a bigint, a number
 * JSON cannot hold, a cycle, an object with a prototype other than
 * `Object.prototype` (a `Map`, a `Date`, a class instance), or nesting deeper
 * than `maxDepth`. `undefined` becomes `null` at the top and in arrays and is
 * left out of objects, as in `JSON.stringify`.
 *
 * @example
 * ```ts
 * import { plainJson } from "./host_call.ts";
 * import assert from "node:assert/strict";
 * assert.equal(plainJson({ a: [1, "x", null], b: undefined }), '{"a":[1,"x",null]}');
 * assert.throws(() => plainJson({ f: () => 1 }), /a function at \.f/);
 * const cyclic: Record<string, unknown> = {};
 * cyclic.self = cyclic;
 * assert.throws(() => plainJson(cyclic), /a cycle/);
 * ```
 */
export function plainJson(value: unknown, maxDepth: number = CAPS.host_data_depth): string {
  const ancestors = new Set<object>();
  const walk = (v: unknown, path: string, depth: number): unknown => {
    switch (typeof v) {
      case "string":
      case "boolean":
      case "undefined":
        return v;
      case "number":
        if (!Number.isFinite(v)) throw new PlainDataError(path, `${v} (JSON has no such number)`);
        return v;
      case "function":
        throw new PlainDataError(path, "a function");
      case "symbol":
        throw new PlainDataError(path, "a symbol");
      case "bigint":
        throw new PlainDataError(path, "a bigint");
    }
    if (v === null) return null;
    const obj = v as object;
    if (ancestors.has(obj)) {
      throw new PlainDataError(path, "a cycle (a value that contains itself)");
    }
    if (depth >= maxDepth) throw new PlainDataError(path, `nesting deeper than ${maxDepth} levels`);
    ancestors.add(obj);
    try {
      if (Array.isArray(obj)) {
        const out: unknown[] = [];
        for (let i = 0; i < obj.length; i++) {
          out.push(walk(obj[i], `${path}[${i}]`, depth + 1) ?? null);
        }
        return out;
      }
      const proto = Object.getPrototypeOf(obj);
      if (proto !== Object.prototype && proto !== null) throw new PlainDataError(path, kindOf(obj));
      // A null prototype: a key `__proto__` stays an ordinary key.
      const out: Record<string, unknown> = Object.create(null);
      for (const key of Object.keys(obj)) {
        const item = walk((obj as Record<string, unknown>)[key], keyPath(path, key), depth + 1);
        if (item !== undefined) out[key] = item;
      }
      return out;
    } finally {
      ancestors.delete(obj);
    }
  };
  return JSON.stringify(walk(value, "", 0) ?? null);
}

/** How deeply `value` (parsed JSON) nests arrays and objects; walks without recursion. */
function depthOf(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    max = Math.max(max, d + 1);
    for (const item of Array.isArray(v) ? v : Object.values(v)) stack.push([item, d + 1]);
  }
  return max;
}

/**
 * The argument list of a call from its JSON text, or `undefined` when the
 * text is not a JSON array nested at most `maxDepth` levels (the guard never
 * sends one: a sign the worker no longer obeys it). Objects come back with
 * their keys as data (`JSON.parse` never sets a prototype).
 *
 * @example
 * ```ts
 * import { parseCallArgs } from "./host_call.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseCallArgs('[1, {"k": "v"}]'), [1, { k: "v" }]);
 * assert.equal(parseCallArgs('{"not": "a list"}'), undefined);
 * assert.equal(parseCallArgs("[".repeat(100) + "]".repeat(100)), undefined);
 * ```
 */
export function parseCallArgs(
  text: string,
  maxDepth: number = CAPS.host_data_depth,
): unknown[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || depthOf(value) > maxDepth) return undefined;
  return value;
}
