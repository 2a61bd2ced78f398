/**
 * The tripwire beneath the rewrite (src/python/pyfence_guard/tripwire.py):
 * CPython's audit hooks fire in C whatever route led there. Each case gives
 * the script, in a test-only way (tests/helpers/guard_direct.ts), an object
 * the guard never hands out (the real `getattr`, `sys`, `exec`, a module's
 * namespace), standing in for a way around the guard, and takes the next
 * step an escape would: the run must end as a violation the hook reported,
 * whatever the script catches. Library and guard uses of the same events
 * (namedtuple, enum, dataclasses, tracebacks, checked exec) must not trip.
 */
import { equal, match, ok } from "assert";
import { DirectGuard } from "./helpers/guard_direct.ts";
import { loadPolicy } from "../src/policy/load.ts";

/** Real objects for the script, as a way around the guard would give them. */
const LEAK = `import builtins, sys
import pyfence_guard
_real_exec = builtins.exec
_make_builtins = pyfence_guard.make_builtins
def make_builtins(*args, **kwargs):
    d, dynamic = _make_builtins(*args, **kwargs)
    d["leaked_getattr"] = builtins.getattr
    d["leaked_sys"] = sys
    d["leaked_exec"] = _real_exec
    d["leaked_namespace"] = sys.modules["json"].__dict__
    return d, dynamic
pyfence_guard.make_builtins = make_builtins
`;

/** Each escape's next step; the script catches everything and tries to go on. */
const STEPS: [string, string, RegExp][] = [
  [
    "a generator's frame through the real getattr",
    `def gen():\n    yield 1\nx = leaked_getattr(gen(), "gi_frame")`,
    /tripwire: object\.__getattr__/,
  ],
  [
    "a traceback's frame",
    `try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    tb = leaked_getattr(e, "__traceback__")\nx = leaked_getattr(tb, "tb_frame")`,
    /tripwire: object\.__getattr__/,
  ],
  [
    "a function's code object",
    `def f():\n    pass\nx = leaked_getattr(f, "__code__")`,
    /tripwire: object\.__getattr__/,
  ],
  ["sys._getframe", `x = leaked_getattr(leaked_sys, "_getframe")()`, /tripwire: sys\._getframe/],
  [
    "the real builtins' getattr, reached from sys.modules (issue 15, item 1)",
    `real = leaked_sys.modules["builtins"].getattr\ndef gen():\n    yield 1\nx = real(gen(), "gi_frame")`,
    /tripwire: object\.__getattr__/,
  ],
  [
    "gc.get_referrers",
    `x = leaked_sys.modules["gc"].get_referrers(leaked_sys)`,
    /tripwire: gc\.get_referrers/,
  ],
  [
    "the real open()",
    `x = leaked_getattr(leaked_sys.modules["io"], "open")("/etc/passwd")`,
    /tripwire: open/,
  ],
  ["os.listdir", `x = leaked_sys.modules["os"].listdir("/")`, /tripwire: os\.listdir/],
  ["the real exec()", `leaked_exec("y = 1")`, /tripwire: (exec|compile)/],
  [
    "an audit hook of the script's own",
    `leaked_sys.addaudithook(lambda *a: None)`,
    /tripwire: sys\.addaudithook/,
  ],
  ["a tracer", `leaked_sys.settrace(lambda *a: None)`, /tripwire: sys\.settrace/],
];

Deno.test({
  name:
    "the tripwire ends the run when a frame, code, gc, open, exec or os is reached beneath the guard",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const policy = { ...await loadPolicy("default"), static_check: false };
    const direct = new DirectGuard(policy, LEAK);
    try {
      for (const [what, step, detail] of STEPS) {
        await t.step(what, async () => {
          const code = `try:\n${
            indent(step)
          }\nexcept BaseException as e:\n    print("caught", type(e).__name__)\nprint("went on")\n`;
          const r = await direct.run(code);
          const where = JSON.stringify(r);
          equal(r.result.ok, false, where);
          ok(!r.stdout.includes("went on"), `the script went on: ${where}`);
          equal(r.violations.length, 1, where);
          match(r.violations[0].detail, detail, where);
          equal(r.result.error?.type, "SecurityError", where);
        });
      }
      await t.step("under on_violation: raise too (a tripwire always ends the run)", async () => {
        const r = await direct.run(
          `def gen():\n    yield 1\ntry:\n    leaked_getattr(gen(), "gi_frame")\nexcept BaseException:\n    pass\nprint("went on")\n`,
          { ...policy, on_violation: "raise" },
        );
        equal(r.stdout, "", JSON.stringify(r));
        match(r.violations[0].detail, /tripwire/);
      });
      await t.step("a metaclass __prepare__ handing the body a module's namespace", async () => {
        const r = await direct.run(
          `class M(type):\n    @classmethod\n    def __prepare__(mcls, name, bases):\n        return leaked_namespace\nclass X(metaclass=M):\n    y = 1\nprint("went on")\n`,
        );
        equal(r.stdout, "", JSON.stringify(r));
        match(r.violations[0].detail, /__prepare__ returned the namespace of a module/);
      });
    } finally {
      direct.close();
    }
  },
});

Deno.test({
  name: "library and guard uses of the same events do not trip",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const direct = new DirectGuard(await loadPolicy("compute"));
    const r = await direct.run(
      `from collections import namedtuple
from dataclasses import dataclass, field
import enum, typing, functools, json
P = namedtuple("P", "x y")
E = enum.Enum("E", "a b")
T = typing.NamedTuple("T", [("a", int)])
@dataclass
class D:
    x: "int" = 0
    tags: list = field(default_factory=list)
@functools.lru_cache
def f(n):
    return n * 2
class Proto(typing.Protocol):
    def m(self) -> int: ...
print(P(1, 2), E.a, T(1), D(), f(2), typing.get_type_hints(D), json.dumps({"a": [1]}))
def gen():
    yield from range(3)
print(list(gen()))
raise ValueError("the guard reads this traceback")
`,
    ).finally(() => direct.close());
    equal(r.violations.length, 0, JSON.stringify(r));
    equal(r.result.error?.type, "ValueError");
    match(r.result.error?.traceback ?? "", /line 20/);
    equal(
      r.stdout,
      "P(x=1, y=2) E.a T(a=1) D(x=0, tags=[]) 4 {'x': <class 'int'>, 'tags': <class 'list'>} " +
        '{"a": [1]}\n[0, 1, 2]\n',
    );
  },
});

function indent(code: string): string {
  return code.split("\n").map((l) => "    " + l).join("\n");
}
