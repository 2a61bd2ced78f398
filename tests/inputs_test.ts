/**
 * `inputs`: the caller's values bound as the script's globals. Plain data
 * only, size- and depth-capped, under names that shadow nothing the script or
 * the guard relies on.
 */
import { deepEqual, equal, match, ok, rejects, throws } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";
import { unguardedForTests } from "../src/host/internal.ts";
import {
  BUILTIN_NAMES,
  checkInputs,
  MAX_INPUT_BYTES,
  MAX_INPUT_DEPTH,
} from "../src/capabilities/inputs.ts";
import { UsageError } from "../src/errors.ts";

function usage(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    ok(err instanceof UsageError, String(err));
    return err;
  }
  throw new Error("expected a UsageError");
}

Deno.test("inputs: names that would replace what the script or guard relies on are refused", () => {
  for (
    const name of [
      "__builtins__",
      "__name__",
      "__import__",
      "__pf_ga__",
      "__pf_val__",
      "__x",
      "print",
      "open",
      "getattr",
      "SecurityError",
      "ImportBlockedError",
      "True",
      "class",
      "match",
      "_",
      "1x",
      "a-b",
      "é",
      "",
    ]
  ) {
    const err = usage(() => checkInputs({ [name]: 1 }));
    equal(err.argument, `inputs.${name}`);
  }
  match(usage(() => checkInputs({ print: 1 })).message, /would shadow the builtin 'print'/);
  match(usage(() => checkInputs({ __name__: 1 })).message, /dunder names/);
  deepEqual(checkInputs({ _cache: 1, rows2: [1] }), { _cache: 1, rows2: [1] });
});

Deno.test("inputs: only plain data, copied once, within the caps", () => {
  class Point {
    x = 1;
  }
  const cyclic: unknown[] = [];
  cyclic.push(cyclic);
  let deep: unknown = 1;
  for (let i = 0; i < MAX_INPUT_DEPTH + 1; i++) deep = [deep];
  const cases: [unknown, RegExp][] = [
    [new Date(0), /^inputs\.v: a Date is not plain data/],
    [() => 1, /a function is not plain data/],
    [NaN, /NaN is not a JSON number/],
    [[1, Infinity], /at \[1\]: Infinity/],
    [{ a: undefined }, /at \["a"\]: undefined is not plain data/],
    [10n, /a bigint/],
    [new Map(), /a Map is not plain data/],
    [new Point(), /a Point is not plain data/],
    [new Uint8Array(2), /a Uint8Array is not plain data/],
    [Symbol("s"), /a symbol/],
    [cyclic, /at \[0\]: a cycle/],
    [deep, /nests deeper than 64 levels/],
    // deno-lint-ignore no-sparse-arrays
    [[1, , 3], /at \[1\]: a hole in an array/],
  ];
  for (const [value, why] of cases) {
    const err = usage(() => checkInputs({ v: value }));
    equal(err.argument, "inputs.v");
    match(err.message, why);
  }
  // A getter runs once; the copy is what was checked.
  let reads = 0;
  const tricky = {
    get x() {
      return reads++ === 0 ? 1 : () => "changed";
    },
  };
  deepEqual(checkInputs({ t: tricky }), { t: { x: 1 } });
  equal(reads, 1);
  // __proto__ as a key is data, not a prototype.
  const parsed = checkInputs({ d: JSON.parse('{"__proto__": {"polluted": 1}}') });
  equal(Object.getPrototypeOf(parsed.d), Object.prototype);
  equal(({} as Record<string, unknown>).polluted, undefined);
  // All inputs together: at most MAX_INPUT_BYTES of JSON, counted in UTF-8.
  const half = "é".repeat(MAX_INPUT_BYTES / 4);
  const big = usage(() => checkInputs({ a: half, b: half, c: "x" }));
  equal(big.argument, "inputs");
  match(big.message, /bytes of JSON; at most 16777216/);
  usage(() => checkInputs([1]));
  usage(() => checkInputs(new Map()));
});

Deno.test({
  name: "inputs: bound as globals of the script, as Python data",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const sandbox = new Sandbox({ policy: "default" });
    try {
      await t.step("values arrive as Python types", async () => {
        const r = await sandbox.run(
          "print(type(rows).__name__, type(cfg).__name__, type(ratio).__name__, type(n).__name__, " +
            "type(name).__name__, flag, nothing)\nsum(rows) * n + ratio",
          {
            inputs: {
              rows: [1, 2, 3],
              cfg: { deep: [{ a: null }] },
              ratio: 0.5,
              n: 10,
              name: "é",
              flag: true,
              nothing: null,
            },
          },
        );
        equal(r.error, undefined, JSON.stringify(r.error));
        equal(r.stdout, "list dict float int str True None\n");
        equal(r.value, 60.5);
      });

      await t.step("the script owns them: mutate, rebind, delete", async () => {
        const r = await sandbox.run("rows.append(4)\ndel n\nrows", {
          inputs: { rows: [1], n: 1 },
        });
        deepEqual(r.value, [1, 4]);
      });

      await t.step("a refused input never reaches a sandbox", async () => {
        const before = sandbox.stats().runs;
        await rejects(
          sandbox.run("print(1)", { inputs: { __builtins__: {} } }),
          (e) => e instanceof UsageError && e.argument === "inputs.__builtins__",
        );
        equal(sandbox.stats().runs, before);
      });
    } finally {
      await sandbox.close();
    }
  },
});

Deno.test({
  name: "inputs: the host's list of builtin names is the interpreter's",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const sandbox = new Sandbox(unguardedForTests({ policy: "default" }));
    try {
      const r = await sandbox.run(
        "import builtins, json\nprint(json.dumps(sorted(n for n in dir(builtins) if n[0] != '_')))",
      );
      ok(r.ok, JSON.stringify(r.error));
      const names: string[] = JSON.parse(r.stdout);
      deepEqual(
        [...BUILTIN_NAMES].filter((n) => n !== "SecurityError" && n !== "ImportBlockedError")
          .sort(),
        names,
      );
    } finally {
      await sandbox.close();
    }
  },
});

Deno.test("inputs: a UsageError also for a bad inputs option shape", () => {
  throws(() => checkInputs("rows"), { argument: "inputs" });
  throws(() => checkInputs(null), { argument: "inputs" });
});
