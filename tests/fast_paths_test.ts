/**
 * The guard's fast paths (src/python/pyfence_guard/: a module member that
 * passed once, a readable dunder read by the interpreter and checked after,
 * what library code returns of a type whose values hold nothing, the file
 * name of a function's code remembered) answer what the full checks would.
 * Each case plants, in trusted Python before the run
 * (tests/helpers/guard_direct.ts), a dangerous value where a fast path
 * would pass it if it trusted what it saw before or where it looked first:
 * the run must refuse it, and the script must never hold it. The module
 * proxy's member cache and `super().__init__` read natively on a plain
 * `self` are fast paths too.
 */
import { equal, ok } from "assert";
import { DirectGuard } from "./helpers/guard_direct.ts";
import { loadPolicy } from "../src/policy/load.ts";

/** Dangerous values in library places, as a compromised library would hold them. */
const PLANT = `import sys, types, fractions, statistics
fractions.Fraction.__doc__ = sys
# A module of its own, as a library's: what the guard instruments.
planted = types.ModuleType("planted")
exec(compile("""
import sys, statistics
class Holder:
    pass
def make_holder():
    h = Holder()
    h.inside = sys._getframe()
    return h
class Slots:
    __slots__ = ("n",)
def make_slots():
    s = Slots()
    s.n = 1
    return s
def swap_member():
    statistics.NormalDist = sys
class Repr:
    __repr__ = sys._getframe
class FrameInit:
    __init__ = sys._getframe
def frame_of(value):
    return sys._getframe()
def frame_in_slice():
    return slice(1, sys._getframe())
""", "/lib/python3.14/site-packages/planted.py", "exec"), planted.__dict__)
sys.modules["planted"] = planted
fractions.make_holder = planted.make_holder
fractions.make_slots = planted.make_slots
fractions.Repr = planted.Repr
fractions.FrameInit = planted.FrameInit
fractions.frame_of = planted.frame_of
fractions.frame_in_slice = planted.frame_in_slice
statistics.swap_member = planted.swap_member
`;

Deno.test({
  name: "fast paths: what they pass is what the full checks pass",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const policy = { ...await loadPolicy("compute"), static_check: false };
    const direct = new DirectGuard(policy, PLANT);
    /** The run ended refused, and the script never printed what it held. */
    const refused = async (code: string, detail: RegExp) => {
      const r = await direct.run(code + `\nprint("HELD", type(x).__name__)\n`);
      const where = JSON.stringify(r);
      equal(r.result.ok, false, where);
      ok(!r.stdout.includes("HELD"), `the script held it: ${where}`);
      ok(r.violations.some((v) => detail.test(v.detail)), where);
    };
    try {
      await t.step("a readable dunder read natively is still checked", async () => {
        await refused(`import fractions\nx = fractions.Fraction.__doc__`, /module/);
      });
      await t.step("... through super() too", async () => {
        await refused(
          `import fractions\nclass F(fractions.Fraction):\n    def doc(self):\n        return super().__doc__\nx = F(1).doc()`,
          /module/,
        );
      });
      await t.step(
        "... and a C function under a dunder is refused before it is called",
        async () => {
          await refused(
            `import fractions\nclass R(fractions.Repr):\n    def frame(self):\n        return super().__repr__(0)\nx = R().frame()`,
            /real builtin|private library function/,
          );
        },
      );
      await t.step(
        "a module member that passed keeps that value: a module swapped in later never reaches the script",
        async () => {
          const r = await direct.run(
            `import statistics\nfirst = statistics.NormalDist\nprint("first", first.__name__)\n` +
              `statistics.swap_member()\nx = statistics.NormalDist\nprint("again", x is first)\n`,
          );
          equal(r.stdout, "first NormalDist\nagain True\n", JSON.stringify(r));
          equal(r.result.ok, true, JSON.stringify(r));
        },
      );
      await t.step("... and a member first read after the swap is checked in full", async () => {
        await refused(
          `import statistics\nstatistics.swap_member()\nx = statistics.NormalDist`,
          /module/,
        );
      });
      for (
        const read of [
          "math.__dict__",
          "vars(math)",
          "math.__getattribute__('__dict__')",
          "object.__getattribute__(math, '__dict__')",
          "getattr(math, '__dict__')",
          "math.__reduce_ex__(4)",
          // object's own pickling hook returns an object's dict; named at run time.
          `getattr(object, "__get" + "state__")(math)`,
        ]
      ) {
        await t.step(`the proxy's member cache is not the script's: ${read}`, async () => {
          const r = await direct.run(
            `import math\nmath.pi\nx = ${read}\nprint("HELD", type(x).__name__)\n`,
          );
          const where = JSON.stringify(r);
          equal(r.result.ok, false, where);
          ok(!r.stdout.includes("HELD"), where);
          ok(r.violations.length > 0, where);
        });
      }
      await t.step("a module proxy's __doc__ is the module's", async () => {
        const r = await direct.run(
          `import math, json\nprint(math.__doc__ == json.__doc__, math.__doc__[:11])\n`,
        );
        equal(r.stdout, "False This module\n", JSON.stringify(r));
      });
      await t.step("library code returning an object whose dict holds a module", async () => {
        await refused(`import fractions\nx = fractions.make_holder()`, /holds a frame/);
      });
      await t.step("library code returning a slice that holds a frame", async () => {
        await refused(`import fractions\nx = fractions.frame_in_slice().stop`, /holds a frame/);
      });
      await t.step("a value of a type with no instance dict passes as it is", async () => {
        const r = await direct.run(
          `import fractions\ns = fractions.make_slots()\nprint(type(s).__name__, s.n)\n`,
        );
        equal(r.stdout, "Slots 1\n", JSON.stringify(r));
      });
      // json's stand-ins call the real decoder, whose hooks may be library
      // functions: what they return reaches the script through the guard's
      // own code, which no return check watches.
      for (
        const [what, call] of [
          ["json.loads", "json.loads('{\"a\": 1}', object_hook=fractions.frame_of)"],
          ["json.load", "json.load(io.StringIO('[1.5]'), parse_float=fractions.frame_of)"],
          [
            "JSONDecoder.decode",
            "json.JSONDecoder(object_pairs_hook=fractions.frame_of).decode('[{}]')",
          ],
          [
            "JSONDecoder.raw_decode",
            "json.JSONDecoder(parse_constant=fractions.frame_of).raw_decode('[NaN]')",
          ],
        ]
      ) {
        await t.step(`what json's hooks return passes the membrane: ${what}`, async () => {
          await refused(
            `import io, json, fractions\nx = ${call}`,
            /what json's hooks (or decoder class )?made (is|holds) a frame/,
          );
        });
      }
      // The nesting check must see what the C scanner will read: past it,
      // the scanner overflows the JavaScript stack (the sandbox then reports
      // a RecursionError too, so these assert the guard's own message).
      for (const f of ["json_deep_str_subclass.py", "json_raw_decode_index_twice.py"]) {
        await t.step(`json's nesting check sees what the scanner reads: ${f}`, async () => {
          const code = await Deno.readTextFile(
            new URL(`./attacks/resource-recursion/${f}`, import.meta.url),
          );
          const r = await direct.run(code);
          const error = (r.result as { error?: { type: string; message: string } }).error;
          equal(error?.type, "RecursionError", JSON.stringify(r).slice(0, 500));
          ok(
            /JSON nested deeper than \d+ levels/.test(error?.message ?? ""),
            JSON.stringify(error).slice(0, 500),
          );
        });
      }
      await t.step("super().__init__ from a library base is still checked", async () => {
        await refused(
          `import fractions\nclass F(fractions.FrameInit):\n    def __init__(self, bad):\n        self.f = super().__init__ if bad else None\n` +
            `F(False)\nF(False)\nx = F(True).f`,
          /real builtin|private library function/,
        );
      });
      await t.step("... as a statement too (the form most subclasses write)", async () => {
        await refused(
          `import fractions\nclass F(fractions.FrameInit):\n    def __init__(self, bad):\n        if bad:\n            super().__init__()\n` +
            `F(False)\nF(False)\nx = F(True)`,
          /real builtin|private library function/,
        );
      });
      await t.step("... and so is a super() the script replaced", async () => {
        await refused(
          `import fractions\nsuper = lambda: object.__new__(fractions.FrameInit)\n` +
            `class A:\n    def __init__(self, bad):\n        self.f = super().__init__ if bad else None\n` +
            // Two instances first: the second finds A plain, as the third does.
            `A(False)\nA(False)\nx = A(True).f`,
          /real builtin|private library function/,
        );
      });
      await t.step("... and so is a super() the script replaced, as a statement", async () => {
        await refused(
          `import fractions\nsuper = lambda: object.__new__(fractions.FrameInit)\n` +
            `class A:\n    def __init__(self, bad):\n        if bad:\n            super().__init__()\n` +
            // Two instances first: the second finds A plain, as the third does.
            `A(False)\nA(False)\nx = A(True)`,
          /real builtin|private library function/,
        );
      });
      // What could make a plain `self` stop being plain, or its MRO hold a
      // library class, between the prologue and super().__init__.
      const changes: [string, string, RegExp][] = [
        [
          "a metaclass whose mro() adds a library base",
          "",
          /MRO of its own/,
        ],
        ["__class__ swapped mid-method", "self.__class__ = B\n", /__class__/],
        [
          "__bases__ reassigned mid-method",
          "A.__bases__ = (fractions.FrameInit,)\n",
          /__bases__/,
        ],
        [
          "a library function put on a script base mid-method",
          "P.__init__ = fractions.FrameInit.__init__\n",
          /private library function/,
        ],
      ];
      for (const [what, change, detail] of changes) {
        for (const statement of [false, true]) {
          await t.step(
            `... and stays checked: ${what}${statement ? " (a statement)" : ""}`,
            async () => {
              const meta = change === "" ? "metaclass=M" : "P";
              const call = statement
                ? "        if bad:\n            super().__init__()\nA(False)\nA(False)\nx = A(True)"
                : "        self.f = super().__init__ if bad else None\nA(False)\nA(False)\nx = A(True).f";
              await refused(
                `import fractions\nclass M(type):\n    def mro(cls):\n        return (cls, fractions.FrameInit, object)\n` +
                  `class P:\n    pass\nclass B(fractions.FrameInit):\n    pass\n` +
                  `class A(${meta}):\n    def __init__(self, bad):\n        if bad:\n            ${
                    change || "pass\n"
                  }` + call,
                detail,
              );
            },
          );
        }
      }
      // Writes to `self` in a method: the prologue's table lookup.
      await t.step(
        "a class whose metaclass hashes and compares like a plain class is not taken for it",
        async () => {
          await refused(
            `import textwrap\nclass P:\n    def set(self, v):\n        self.x = v\nP().set(1)\nP().set(1)\n` +
              `M = type('M', (type,), {'__eq__': lambda s, o: True, '__hash__': lambda s: hash(P)})\n` +
              `C = M('C', (P,), {'__setattr__': textwrap.dedent})\nC().set(2)\nC().set(2)\nx = C()`,
            /setting attribute 'x' is not allowed here/,
          );
        },
      );
      await t.step(
        "a hook put on a class after its methods wrote to self is still refused",
        async () => {
          await refused(
            `import textwrap\nclass C:\n    def set(self, v):\n        self.x = v\nc = C()\nc.set(1)\nc.set(2)\n` +
              `C.__setattr__ = textwrap.dedent\nc.set(3)\nx = c`,
            /setting attribute 'x' is not allowed here/,
          );
        },
      );
      await t.step(
        "methods of a class with a library base, and methods called on another class's instance",
        async () => {
          const r = await direct.run(
            `class D(dict):\n    def put(self, v):\n        self.v = v\n        self._w = v\n        return self.v + self._w\n` +
              `d = D()\nprint([d.put(i) for i in range(3)])\n` +
              `class E:\n    def put(self, v):\n        self.v = v\n        return self.v\n` +
              `print([E().put(i) for i in range(3)], [D.put(d, 5), E.put(d, 6)])\n`,
          );
          equal(r.stdout, "[0, 2, 4]\n[0, 1, 2] [10, 6]\n", JSON.stringify(r));
        },
      );
      await t.step("the script's own methods through super() work as ever", async () => {
        const r = await direct.run(
          `class A:\n    def __init__(self, x):\n        self.x = x\nclass B(A):\n    def __init__(self, x):\n        super().__init__(x * 2)\nprint(B(21).x)\n`,
        );
        equal(r.stdout, "42\n", JSON.stringify(r));
      });
      await t.step("... with every kind of argument, each evaluated once", async () => {
        const r = await direct.run(
          `class A:\n    def __init__(self, *a, key=None, **kw):\n        self.got = (a, key(3), sorted(kw))\n` +
            `n = []\ndef once(v):\n    n.append(v)\n    return v\n` +
            `class B(A):\n    def __init__(self, *a, **kw):\n        super().__init__(once(1), *a, key=lambda v: v * 2, **kw)\n` +
            `print(B(2, z=0, y=1).got, n)\n`,
        );
        equal(r.stdout, "((1, 2), 6, ['y', 'z']) [1]\n", JSON.stringify(r));
      });
    } finally {
      direct.close();
    }
  },
});
