/**
 * The origin spec's four test classes (SECURITY_MODEL.md, "Testing
 * Security"), each asserting the specific outcome, plus the guard's contract:
 * violations are typed, recorded with kind and line, and (by default) end the
 * script even when it catches them.
 */
import { deepEqual, equal, match, ok } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";

import { loadPolicy } from "../src/policy/load.ts";

const sandbox = new Sandbox({ policy: "default" });
// The same policy with the static check off, so the runtime guard is what refuses.
const runtimeOnly = new Sandbox({
  policy: { ...(await loadPolicy("default")), static_check: false },
});
const raisePolicy = new Sandbox({
  policy: {
    version: 1,
    on_violation: "raise",
    static_check: false,
    modules: { allow: ["json", "math"], deny: ["os", "sys", "subprocess"] },
  } as never,
});
const ORIGIN = "https://app.example";

async function py(code: string, files?: Record<string, string>) {
  return await sandbox.run(code, { origin: ORIGIN, files });
}

Deno.test({
  name: "spec test classes",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    for (
      const mod of ["os", "sys", "subprocess", "socket", "pickle", "importlib", "js", "pyodide"]
    ) {
      await t.step(`1. import ${mod} is blocked with ImportBlockedError`, async () => {
        const code = `print("before")\nimport ${mod}\nprint("after")`;
        // Default: the static check rejects the script before it runs.
        const r = await py(code);
        equal(r.ok, false);
        equal(r.error?.type, "ImportBlockedError");
        equal(r.stdout, "");
        equal(r.violations[0].kind, "static");
        equal(r.violations[0].line, 2);
        match(r.violations[0].detail, new RegExp(`^import: .*'${mod}'`));
        // Without it, the guard's own compile-time check still refuses the
        // import statement, as an import violation.
        const late = await runtimeOnly.run(code, { origin: ORIGIN });
        equal(late.error?.type, "ImportBlockedError");
        equal(late.stdout, "");
        equal(late.violations.length, 1);
        equal(late.violations[0].kind, "import");
        equal(late.violations[0].line, 2);
        match(late.violations[0].detail, new RegExp(`'${mod}'`));
      });
    }
    await t.step(
      "1. submodules of denied packages are blocked (urllib.request, xml.etree)",
      async () => {
        for (const mod of ["urllib.request", "xml.etree.ElementTree", "http.client"]) {
          const r = await py(`import ${mod}`);
          equal(r.error?.type, "ImportBlockedError", mod);
        }
      },
    );
    await t.step("2. open('/etc/passwd') raises SecurityError (filesystem)", async () => {
      const r = await py(`f = open('/etc/passwd', 'r')\nprint(f.read())`);
      equal(r.ok, false);
      equal(r.error?.type, "SecurityError");
      equal(r.violations[0].kind, "filesystem");
      ok(!r.stdout.includes("root:"));
    });
    await t.step("2. virtual files are readable; traversal and writes are not", async () => {
      const files = { "data.csv": "a,b\n1,2\n" };
      const good = await py(`print(open('data.csv').read().splitlines()[1])`, files);
      equal(good.ok, true, JSON.stringify(good.error));
      equal(good.stdout, "1,2\n");
      for (
        const bad of [
          "open('../data.csv')",
          "open('data.csv', 'w')",
          "open('data.csv', 'a')",
          "open('x/../../etc/passwd')",
        ]
      ) {
        const r = await py(bad, files);
        equal(r.error?.type, "SecurityError", bad);
        equal(r.violations[0]?.kind, "filesystem", bad);
      }
    });
    await t.step("3. urllib.request.urlopen to another origin is blocked", async () => {
      const code =
        `import urllib.request\nresponse = urllib.request.urlopen('http://evil.com/data')`;
      const r = await py(code);
      equal(r.error?.type, "ImportBlockedError");
      equal(r.violations[0].kind, "static");
      match(r.violations[0].detail, /^import: .*urllib\.request/);
      const late = await runtimeOnly.run(code, { origin: ORIGIN });
      equal(late.error?.type, "ImportBlockedError");
      equal(late.violations[0].kind, "import");
      match(late.violations[0].detail, /urllib\.request/);
    });
    await t.step("4. exec and eval are refused", async () => {
      for (
        const code of [
          `exec('print("malicious code")')`,
          `eval('__import__("os")')`,
          `compile('1', 's', 'eval')`,
        ]
      ) {
        const r = await py(code);
        equal(r.ok, false, code);
        equal(r.error?.type, "SecurityError", code);
        ok(!r.stdout.includes("malicious"));
        ok(r.violations.length >= 1, code);
      }
    });
    await t.step("a caught violation still ends the script (terminate)", async () => {
      const r = await py(
        `print("before")\ntry:\n    open("/etc/passwd")\nexcept BaseException:\n    print("caught")\nfinally:\n    print("finally")\nprint("still running")`,
      );
      equal(r.ok, false);
      equal(r.error?.type, "SecurityError");
      equal(r.stdout, "before\n");
      equal(r.violations.length, 1);
      equal(r.violations[0].kind, "filesystem");
      equal(r.violations[0].line, 3);
    });
    await t.step(
      "SecurityError is a PermissionError; ImportBlockedError an ImportError",
      async () => {
        const r = await raisePolicy.run(
          // CPython cannot give one class both OSError's and ImportError's
          // layout, so ImportBlockedError is an ImportError, not a SecurityError.
          `print(issubclass(SecurityError, PermissionError), issubclass(ImportBlockedError, ImportError))\n` +
            `try:\n    open('/etc/passwd')\nexcept PermissionError as e:\n    print(type(e).__name__)\nprint("went on")`,
        );
        equal(r.ok, true, JSON.stringify(r));
        equal(r.stdout, "True True\nSecurityError\nwent on\n");
        deepEqual(r.violations.map((v) => v.kind), ["filesystem"]);
      },
    );
    await t.step("allowed modules work", async () => {
      const r = await py(
        `import json, math, random, re, collections, itertools, datetime\n` +
          `print(json.dumps({'a': math.floor(2.5)}), re.sub('a', 'b', 'aa'), list(itertools.islice(itertools.count(), 3)))\n` +
          `print(collections.Counter('aab').most_common(1), datetime.date(2020, 1, 2).isoformat())`,
      );
      equal(r.ok, true, JSON.stringify(r.error));
      equal(r.stdout, `{"a": 2} bb [0, 1, 2]\n[('a', 2)] 2020-01-02\n`);
    });
    await t.step("a script error is reported with its Python type and traceback", async () => {
      const r = await py(`def f():\n    return 1 / 0\nf()`);
      equal(r.ok, false);
      equal(r.error?.type, "ZeroDivisionError");
      match(r.error?.traceback ?? "", /line 2/);
      ok(!(r.error?.traceback ?? "").includes("pyfence_guard"), r.error?.traceback);
      equal(r.violations.length, 0);
    });
    await sandbox.close();
    await raisePolicy.close();
    await runtimeOnly.close();
  },
});
