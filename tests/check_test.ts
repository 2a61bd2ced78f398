/**
 * Static analysis (`check()`, `pyfence check`): every finding at once, with
 * line and column, nothing executed; no false positives on benign programs.
 */
import { deepEqual, equal, ok } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";
import { hasSharedCorpus, loadAttacks, loadBenign, SHARED_CORPUS } from "./helpers/corpus.ts";

Deno.test({
  name: "static analysis",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const sandbox = new Sandbox({ policy: "default" });
    const compute = new Sandbox({ policy: "compute" });
    try {
      await t.step("all findings at once, with line and column", async () => {
        const code = [
          "import json", //                     1 fine
          "import os", //                       2 import
          "from subprocess import run", //      3 import
          "x = eval('1')", //                    4 dynamic code
          "y = ().__class__.__globals__", //     5 dunder attributes
          "open('/etc/passwd')", //              6 a literal path open() refuses
          "breakpoint()", //                     7 denied builtin
        ].join("\n");
        const r = await sandbox.check(code);
        equal(r.ok, false);
        const lines = [...new Set(r.findings.map((f) => f.line))].sort();
        deepEqual(lines, [2, 3, 4, 5, 6, 7], JSON.stringify(r.findings));
        const byLine = (n: number) => r.findings.filter((f) => f.line === n);
        equal(byLine(2)[0].kind, "import");
        equal(byLine(2)[0].col, 1, "columns are 1-based");
        ok(byLine(5).some((f) => f.kind === "attribute" && /__globals__/.test(f.detail)));
        equal(byLine(6)[0].kind, "filesystem");
      });
      await t.step("class bodies that choose namespaces are findings", async () => {
        const code = [
          "class A:", //                                1
          "    __module__ = 'sys'", //                  2
          "class B:", //                                3
          "    __annotations__ = {'x': int}", //        4
          "class C:", //                                5
          "    __qualname__ = 'os.path'", //            6
          "class D:", //                                7
          "    def __repr__(self):", //                 8 fine
          "        return 'D'", //                      9
        ].join("\n");
        const r = await sandbox.check(code);
        deepEqual(
          [...new Set(r.findings.map((f) => f.line))],
          [2, 4, 6],
          JSON.stringify(r.findings),
        );
        ok(r.findings.every((f) => f.kind === "name"), JSON.stringify(r.findings));
      });
      await t.step(
        "dunder chains from a literal or a built-in, and interpreter internals",
        async () => {
          const code = [
            "a = ().__class__.__base__.__subclasses__()", //           1 chain from a literal
            "b = [].__class__.__mro__[1].__subclasses__()", //         2 through a subscript
            "c = type(1).__base__.__subclasses__()", //                3 type() of a literal
            "d = ''.__class__.__name__", //                            4 any chain from a literal
            "def f(): pass", //                                         5
            "e = f.__globals__", //                                    6 always
            "g = getattr(f, '__builtins__')", //                       7 a string naming one
            "h = __builtins__", //                                     8 the name
            "class P:", //                                              9
            "    pass", //                                              10
            "i = P.__subclasses__()", //                               11 fine: the script's class
            "j = type(P).__name__", //                                 12 fine: one dunder
            "k = super", //                                             13 fine
            "m = type(i).__bases__[0].__name__", //                    14 fine: the script's value
          ].join("\n");
          for (const s of [sandbox, compute]) {
            const r = await s.check(code);
            equal(r.ok, false);
            deepEqual(
              [...new Set(r.findings.map((f) => f.line))],
              [1, 2, 3, 4, 6, 7, 8],
              JSON.stringify(r.findings),
            );
            ok(r.findings.slice(0, 3).every((f) => /__subclasses__/.test(f.detail)));
            ok(r.findings.find((f) => f.line === 6)!.detail.includes("__globals__"));
            ok(r.findings.filter((f) => f.line === 8).every((f) => /__builtins__/.test(f.detail)));
          }
        },
      );
      await t.step("a namedtuple's _fields in a format field is no finding", async () => {
        const r = await compute.check(
          "from collections import namedtuple\nP = namedtuple('P', 'x y')\n" +
            "print('{0._fields}'.format(P(1, 2)))\nprint('{0._secret}'.format(P(1, 2)))\n",
        );
        deepEqual(r.findings.map((f) => [f.line, f.kind]), [[4, "attribute"]]);
      });
      await t.step("nothing is executed", async () => {
        const r = await sandbox.check("while True:\n    pass\n");
        deepEqual(r, { ok: true, findings: [] });
      });
      await t.step("syntax errors are findings, not crashes", async () => {
        const r = await sandbox.check("def f(:\n");
        equal(r.ok, false);
        equal(r.findings[0].kind, "syntax");
        equal(r.findings[0].line, 1);
        equal(r.findings[0].col, 7, "columns are 1-based, as Python counts a syntax error's");
      });
      const corpus = await hasSharedCorpus();
      await t.step({
        name: "no false positives on the benign corpus (default and compute)",
        ignore: !corpus,
        fn: async () => {
          for (const b of await loadBenign(new URL("benign/", SHARED_CORPUS))) {
            deepEqual(await sandbox.check(b.code), { ok: true, findings: [] }, b.name);
            deepEqual(await compute.check(b.code), { ok: true, findings: [] }, b.name);
          }
        },
      });
      await t.step({
        name: "the corpus' import, builtins and introspection attacks are found",
        ignore: !corpus,
        fn: async () => {
          const attacks = await loadAttacks(new URL("escapes/", SHARED_CORPUS));
          const classes = new Set([
            "import",
            "builtins",
            "introspection",
            "frame-walk",
            "js-bridge",
          ]);
          const missed: string[] = [];
          for (const a of attacks.filter((a) => classes.has(a.className))) {
            if ((await sandbox.check(a.code)).ok) missed.push(a.name);
          }
          deepEqual(missed, []);
        },
      });
    } finally {
      await sandbox.close();
      await compute.close();
    }
  },
});

Deno.test({
  name: "static analysis never throws for the script: oversize and parser bombs are findings",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const sandbox = new Sandbox({ policy: "strict" });
    try {
      const limit = (await sandbox.policy()).limits.code_bytes;
      const big = await sandbox.check("x = 1\n".repeat(limit / 6 + 1));
      equal(big.ok, false);
      equal(big.findings[0].kind, "size");
      const deep = await sandbox.check("(".repeat(30_000) + ")".repeat(30_000));
      equal(deep.ok, false);
      equal(deep.findings[0].kind, "syntax", JSON.stringify(deep.findings));
    } finally {
      await sandbox.close();
    }
  },
});
