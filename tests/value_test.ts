/**
 * `result.value`: the final expression of a script, as in a notebook cell.
 * Plain data comes back as JSON data; anything else as its repr(), which runs
 * the script's code under the guard and the deadline; a repr that raises is
 * the run's error.
 */
import { deepEqual, equal, match, ok } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";
import { CAPS } from "../src/protocol/caps.ts";
import { RunRecorder } from "../src/host/recorder.ts";
import { hostEnd } from "../src/host/process.ts";
import { parseWorkerEvent } from "../src/protocol/messages.ts";

Deno.test({
  name: "result.value",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const sandbox = new Sandbox({ policy: "compute", poolSize: 2 });
    const run = (code: string, timeoutMs?: number) => sandbox.run(code, { timeoutMs });
    try {
      await t.step("plain data is JSON data", async () => {
        const r = await run(
          "rows = [1, 2, 3]\n{'sum': sum(rows), 'mean': sum(rows) / 3, 'tags': ('a', 'é'), " +
            "'ok': True, 'none': None, 'nested': [[1], {'x': -0.5}]}",
        );
        equal(r.ok, true, JSON.stringify(r.error));
        deepEqual(r.value, {
          sum: 6,
          mean: 2,
          tags: ["a", "é"],
          ok: true,
          none: null,
          nested: [[1], { x: -0.5 }],
        });
        equal(r.valueRepr, undefined);
        equal((await run("'text'")).value, "text");
        equal((await run("x = 2\nx ** 10")).value, 1024);
      });

      await t.step("no final expression, or None: no key", async () => {
        for (const code of ["x = 1", "print('hi')", "None", "def f(): return 1", ""]) {
          const r = await run(code);
          equal(r.ok, true, code);
          ok(!("value" in r) && !("valueRepr" in r), `${code}: ${JSON.stringify(r)}`);
        }
        // Only the last top-level statement counts.
        ok(!("value" in await run("if True:\n    42")));
      });

      await t.step("what JSON cannot carry exactly comes back as its repr", async () => {
        const cases: [string, string][] = [
          ["2 ** 64", "18446744073709551616"],
          ["float('nan')", "nan"],
          ["[1, float('inf')]", "[1, inf]"],
          ["{1: 'a'}", "{1: 'a'}"],
          ["{1, 2}", "{1, 2}"],
          ["b'ab'", "b'ab'"],
          ["import collections\ncollections.Counter('aab')", "Counter({'a': 2, 'b': 1})"],
          ["x = []\nx.append(x)\nx", "[[...]]"],
          ["import math\nmath", "<module 'math'>"],
          ["len", "<built-in function len>"],
        ];
        for (const [code, repr] of cases) {
          const r = await run(code);
          equal(r.ok, true, `${code}: ${JSON.stringify(r.error)}`);
          equal(r.valueRepr, true, code);
          equal(r.value, repr, code);
        }
        const fn = await run("def f(): pass\nf");
        match(fn.value as string, /^<function f at 0x[0-9a-f]+>$/);
        const cls = await run("class Point:\n    pass\nPoint");
        equal(cls.value, "<class '__main__.Point'>");
      });

      await t.step("a script's __repr__ runs under the guard", async () => {
        const shown = await run(
          "class P:\n    def __repr__(self):\n        return 'P(1)'\nP()",
        );
        equal(shown.value, "P(1)");
        equal(shown.valueRepr, true);
        // A str subclass whose methods lie is read as the text it holds.
        const sub = await run(
          "class S(str):\n    def encode(self, *a):\n        return b'lie'\n" +
            "    def __len__(self):\n        return 0\n" +
            "class P:\n    def __repr__(self):\n        return S('honest')\nP()",
        );
        equal(sub.value, "honest");
        // The guard still decides inside it.
        const sneaky = await run(
          "class P:\n    def __repr__(self):\n        return str(open('/etc/passwd').read())\nP()",
        );
        equal(sneaky.ok, false);
        equal(sneaky.violations[0].kind, "filesystem");
        ok(!("value" in sneaky));
      });

      await t.step("a __repr__ that raises is the run's error", async () => {
        const r = await run(
          "class P:\n    def __repr__(self):\n        raise ValueError('no repr')\nP()",
        );
        equal(r.ok, false);
        equal(r.error?.type, "ValueError");
        equal(r.error?.message, "no repr");
        match(r.error?.traceback ?? "", /line 3, in __repr__/);
        ok(!("value" in r));
        const bad = await run("class P:\n    def __repr__(self):\n        return 5\nP()");
        equal(bad.error?.type, "TypeError");
      });

      await t.step("a __repr__ that loops ends at the deadline", async () => {
        const started = performance.now();
        const r = await run(
          "class P:\n    def __repr__(self):\n        while True:\n            pass\nP()",
          1000,
        );
        equal(r.ok, false);
        equal(r.error?.type, "TimeoutError");
        ok(performance.now() - started < 5000);
        ok(!("value" in r));
      });

      await t.step("a huge value is cut at the cap", async () => {
        const big = await run("class P:\n    def __repr__(self):\n        return 'x' * 10**6\nP()");
        equal(big.ok, true, JSON.stringify(big.error));
        equal(big.valueRepr, true);
        const text = big.value as string;
        ok(new TextEncoder().encode(text).length <= CAPS.value_bytes, `${text.length}`);
        ok(text.endsWith("… [cut: 1000000 bytes]"), text.slice(-60));
        // Plain data over the cap: its repr, cut.
        const list = await run("list(range(200_000))");
        equal(list.valueRepr, true);
        const listed = list.value as string;
        ok(listed.startsWith("[0, 1, 2, ") && /… \[cut: \d+ bytes\]$/.test(listed));
        // Deeper than the cap: its repr.
        const deep = await run(
          `x = []\nfor _ in range(${CAPS.value_depth + 5}):\n    x = [x]\nx`,
        );
        equal(deep.valueRepr, true);
        match(deep.value as string, /^\[\[\[\[/);
        const fits = await run(`x = 0\nfor _ in range(${CAPS.value_depth - 1}):\n    x = [x]\nx`);
        equal(fits.valueRepr, undefined);
      });

      await t.step("an error or SystemExit leaves no value", async () => {
        ok(!("value" in await run("1 / 0\n5")));
        const exit = await run("raise SystemExit(0)\n5");
        equal(exit.ok, true);
        ok(!("value" in exit));
      });
    } finally {
      await sandbox.close();
    }
  },
});

Deno.test("the host re-checks a value: JSON, and nested no deeper than the cap", () => {
  const done = (value: { json: string } | { repr: string }) => ({
    t: "done" as const,
    ok: true,
    value,
    wasmBytes: 0,
  });
  const recorder = () => new RunRecorder({ outputBytes: 100, terminateOnViolation: true });
  deepEqual(recorder().finish(hostEnd(done({ json: '{"a":[1]}' }))).value, { a: [1] });
  const repr = recorder().finish(hostEnd(done({ repr: "<x>" })));
  deepEqual([repr.value, repr.valueRepr], ["<x>", true]);
  // A worker's `done` is validated where every worker message is (the
  // supervisor breaks the job off on a malformed one): not JSON, or too deep, is malformed.
  equal(parseWorkerEvent(done({ json: '{"a":[1]}' }))?.t, "done");
  equal(parseWorkerEvent(done({ json: "not json" })), undefined);
  const deep = "[".repeat(CAPS.value_depth + 1) + "]".repeat(CAPS.value_depth + 1);
  equal(parseWorkerEvent(done({ json: deep })), undefined);
  const deepest = "[".repeat(CAPS.value_depth) + "]".repeat(CAPS.value_depth);
  equal(parseWorkerEvent(done({ json: deepest }))?.t, "done");
});
