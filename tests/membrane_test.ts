/**
 * The membrane (DESIGN rule 9): no dangerous value reaches script code by any
 * of the standard routes. One guarded run under `compute` (violations raise,
 * so every refused attempt is counted and the run goes on) tries them all
 * (tests/helpers/membrane_routes.py): names read on script subclasses of
 * `type`, of builtins and of library classes; every public callable of every
 * allowed module called with script-made arguments; exception attributes;
 * C protocols and library callbacks calling the script's functions;
 * iteration over library results; `match` bindings. Each value the script
 * gets is looked at from inside; none may be a module, frame, code object,
 * real traceback, cell, real builtin, refused descriptor or guard object.
 */
import { deepEqual, ok } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";
import { loadPolicy } from "../src/policy/load.ts";

const ROUTES = await Deno.readTextFile(new URL("./helpers/membrane_routes.py", import.meta.url));

Deno.test({
  name: "no dangerous value reaches the script by any standard route",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const compute = await loadPolicy("compute");
    const modules = [...compute.modules.allow].sort();
    const prefix = `import ${modules.join(", ")}\nMODS = {${
      modules.map((m) => `${JSON.stringify(m)}: ${m}`).join(", ")
    }}\n`;
    const sandbox = new Sandbox({
      policy: {
        ...compute,
        on_violation: "raise",
        static_check: false,
        limits: { ...compute.limits, timeout_ms: 180_000 },
      },
      poolSize: 1,
    });
    try {
      const r = await sandbox.run(prefix + ROUTES);
      ok(r.ok, JSON.stringify(r.error));
      const report = JSON.parse(r.stdout.trim().split("\n").pop()!);
      deepEqual(report.escaped, []);
      // The routes were really taken: thousands of values looked at, hundreds refused.
      ok(report.tried > 5000, `only ${report.tried} attempts`);
      ok(report.got > 5000, `only ${report.got} values looked at`);
      ok(report.refused > 100, `only ${report.refused} refusals`);
      ok(r.violations.length > 0, "no refusal was recorded");
    } finally {
      await sandbox.close();
    }
  },
});

Deno.test({
  name:
    "modules that hand out frames and modules (a policy allowing inspect, importlib) hand them to nobody",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const compute = await loadPolicy("compute");
    const policy = {
      ...compute,
      modules: {
        ...compute.modules,
        allow: [...compute.modules.allow, "inspect", "importlib"],
        deny: compute.modules.deny.filter((m) => m !== "importlib"),
      },
      on_violation: "raise" as const,
      static_check: false,
    };
    const code = `
import importlib, inspect, json
out = {}
def attempt(name, fn):
    try:
        v = fn()
        out[name] = type(v).__name__
    except SecurityError:
        out[name] = "refused"
attempt("a frame", lambda: inspect.currentframe())
attempt("frames in a list", lambda: inspect.stack())
attempt("a module", lambda: importlib.import_module("sys"))
attempt("a module through map", lambda: list(map(importlib.import_module, ["sys"])))
attempt("a module as a sort key", lambda: sorted(["sys"], key=importlib.import_module))
attempt("code in a list", lambda: inspect.getmembers(attempt))
attempt("a generator's frame", lambda: inspect.getgeneratorstate((i for i in ())) and inspect.getgeneratorlocals((i for i in ())))
print(json.dumps(out))
`;
    const sandbox = new Sandbox({ policy, poolSize: 0 });
    try {
      const r = await sandbox.run(code);
      ok(r.ok, JSON.stringify(r.error));
      const out = JSON.parse(r.stdout);
      deepEqual(out, {
        "a frame": "refused",
        "frames in a list": "refused",
        "a module": "refused",
        "a module through map": "refused",
        "a module as a sort key": "refused",
        "code in a list": "refused",
        "a generator's frame": "refused",
      });
    } finally {
      await sandbox.close();
    }
  },
});
