/**
 * Red team of the script's own metaclass methods (issue 15): `__new__`,
 * `__call__`, `__prepare__`, `mro`, `__instancecheck__` and
 * `__subclasscheck__` are allowed, and what they produce is checked. Each
 * abuse below must end the specific way it asserts; the honest uses run.
 */
import { deepEqual, equal, match, ok } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";
import { exitCodeOf } from "../src/cli/exit_code.ts";
import { loadPolicy } from "../src/policy/load.ts";

interface Abuse {
  name: string;
  policy: "default" | "compute";
  code: string;
  /** The violation that must end the run. */
  violation: RegExp;
  /** What the script printed before it. */
  stdout: string;
}

const ABUSES: Abuse[] = [
  {
    name: "__new__ returns a library class: it is not the script's",
    policy: "default",
    code: `import random
class M(type):
    def __new__(mcls, name, bases, ns):
        return random.Random
class X(metaclass=M):
    pass
print(X is random.Random)
print("ESCAPED", X._randbelow)
`,
    violation: /private attribute '_randbelow'/,
    stdout: "True\n",
  },
  {
    name: "__new__ returns a class made elsewhere, with another namespace",
    policy: "default",
    code: `import random
class M(type):
    pass
Evil = type.__new__(M, "Evil", (random.Random,), {"__module__": "sys", "_mine": 1})
class M2(type):
    def __new__(mcls, name, bases, ns):
        return Evil
class Evil2(metaclass=M):
    pass
M.__new__ = staticmethod(lambda mcls, name, bases, ns: Evil)
class X(metaclass=M):
    pass
print("ESCAPED", X._mine)
`,
    violation: /made class 'X' holding '__module__' = 'sys'/,
    stdout: "",
  },
  {
    name: "__new__ rewrites the namespace's module",
    policy: "default",
    code: `class M(type):
    def __new__(mcls, name, bases, ns):
        ns["__module__"] = "sys"
        return super().__new__(mcls, name, bases, ns)
class X(metaclass=M):
    _x = 1
print("ESCAPED", X._x)
`,
    violation: /made class 'X' holding '__module__' = 'sys'/,
    stdout: "",
  },
  {
    name: "__new__ plants a guard helper in the class",
    policy: "default",
    code: `class M(type):
    def __new__(mcls, name, bases, ns):
        ns["__pf" + "_ga__"] = lambda obj, name: obj
        return super().__new__(mcls, name, bases, ns)
class X(metaclass=M):
    pass
print("ESCAPED")
`,
    violation: /made class 'X' holding '__pf_ga__'/,
    stdout: "",
  },
  {
    name: "__new__ spoofs what library code trusts",
    policy: "default",
    code: `import random
class M(type):
    def __new__(mcls, name, bases, ns):
        ns["__dataclass_fields__"] = {}
        return super().__new__(mcls, name, bases, ns)
class X(metaclass=M):
    pass
print("ESCAPED")
`,
    violation: /holding '__dataclass_fields__'/,
    stdout: "",
  },
  {
    name: "__new__ makes the class with a metaclass of its own",
    policy: "default",
    code: `import random
class M(type):
    def __new__(mcls, name, bases, ns):
        Sub = type("Sub", (M,), {})
        return type.__new__(Sub, name, bases, ns)
class X(random.Random, metaclass=M):
    _mine = 1
print(type(X).__name__)
print("ESCAPED", X._mine)
`,
    violation: /private attribute '_mine'/,
    stdout: "Sub\n",
  },
  {
    name: "__prepare__ returns what is not a dict",
    policy: "default",
    code: `class M(type):
    @classmethod
    def __prepare__(mcls, name, bases):
        return []
class X(metaclass=M):
    pass
print("ESCAPED")
`,
    violation: /__prepare__ returned a list, not a dict/,
    stdout: "",
  },
  {
    name: "__prepare__'s namespace plants a helper for the body",
    policy: "default",
    code: `import random
held = []
class M(type):
    @classmethod
    def __prepare__(mcls, name, bases):
        ns = {}
        held.append(ns)
        return ns
def plant():
    held[-1]["__pf" + "_wp__"] = lambda obj, name: obj
class X(metaclass=M):
    plant()
    random.Random.gauss = 1
print("ESCAPED", random.Random.gauss)
`,
    violation: /setting attribute 'gauss' is not allowed/,
    stdout: "",
  },
  {
    name: "__prepare__'s __setitem__ lies about the module",
    policy: "default",
    code: `class NS(dict):
    def __setitem__(self, key, value):
        if key == "__module__":
            value = "sys"
        dict.__setitem__(self, key, value)
class M(type):
    @classmethod
    def __prepare__(mcls, name, bases):
        return NS()
class X(metaclass=M):
    _x = 1
print("ESCAPED", X._x)
`,
    violation: /namespace holds '__module__' = 'sys'/,
    stdout: "",
  },
  {
    name: "__prepare__ hands the body a namespace holding __class__",
    policy: "default",
    code: `held = []
class M(type):
    @classmethod
    def __prepare__(mcls, name, bases):
        ns = {"__class__": property(lambda self: int)}
        return ns
class X(metaclass=M):
    pass
print("ESCAPED", isinstance(X(), int))
`,
    violation: /namespace holds '__class__'/,
    stdout: "",
  },
  {
    name: "mro() returns an order of its own",
    policy: "default",
    code: `import json
class M(type):
    def mro(cls):
        return [cls, json.JSONEncoder]
class X(metaclass=M):
    pass
print("ESCAPED", X.__mro__)
`,
    violation: /an MRO of its own/,
    stdout: "",
  },
  {
    name: "__instancecheck__ says yes to a class pattern reaching a frame",
    policy: "default",
    code: `class M(type):
    def __instancecheck__(cls, obj):
        return True
class C(metaclass=M):
    __match_args__ = ("gi_frame",)
def gen():
    yield 1
match gen():
    case C(f):
        print("ESCAPED", f)
    case _:
        print("no match")
`,
    violation: /class pattern fetches 'gi_frame'/,
    stdout: "",
  },
  {
    name: "__call__ returns a library class",
    policy: "default",
    code: `import random
class M(type):
    def __call__(cls, *a, **k):
        return random.Random
class X(metaclass=M):
    pass
r = X()
print(r is random.Random)
print("ESCAPED", r._randbelow)
`,
    violation: /private attribute '_randbelow'/,
    stdout: "True\n",
  },
  {
    name: "dataclass(slots=True) rebuilt by a __new__ that swaps the module",
    policy: "compute",
    code: `from dataclasses import dataclass
class M(type):
    def __new__(mcls, name, bases, ns):
        if ns.get("__slots__"):
            ns = dict(ns)
            ns["__module__"] = "sys"
        return super().__new__(mcls, name, bases, ns)
@dataclass(slots=True)
class P(metaclass=M):
    x: int = 0
    _hidden = 5
    def peek(self):
        return self._hidden
print(P.__module__)
print("ESCAPED", P._hidden)
`,
    violation: /private attribute '_hidden'/,
    stdout: "sys\n",
  },
];

Deno.test({
  name: "a script metaclass's methods cannot make the guard trust what they return",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const sandboxes = {
      default: new Sandbox({ policy: "default", poolSize: 2 }),
      compute: new Sandbox({ policy: "compute", poolSize: 1 }),
    };
    try {
      for (const a of ABUSES) {
        await t.step(a.name, async () => {
          const r = await sandboxes[a.policy].run(a.code);
          const where = JSON.stringify({ ...r, stdout: r.stdout.slice(0, 300) });
          ok(!r.stdout.includes("ESCAPED"), where);
          equal(r.stdout, a.stdout, where);
          equal(r.violations.length, 1, where);
          match(r.violations[0].detail, a.violation, where);
          equal(exitCodeOf(r), 3, where);
        });
      }
    } finally {
      await Promise.all(Object.values(sandboxes).map((s) => s.close()));
    }
  },
});

Deno.test({
  name: "honest metaclass methods run; lies to the guard are not believed",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const standard = new Sandbox({ policy: "default", poolSize: 1 });
    const base = await standard.policy();
    const raising = new Sandbox({
      policy: { ...base, on_violation: "raise", static_check: false },
      poolSize: 1,
    });
    const compute = new Sandbox({ policy: "compute", poolSize: 1 });
    try {
      await t.step("a __missing__ namespace is never asked for the guard's helpers", async () => {
        const r = await raising.run(`import random
asked = []
class NS(dict):
    def __missing__(self, key):
        asked.append(key)
        if key.startswith("__pf"):
            return lambda obj, *rest: obj
        raise KeyError(key)
class M(type):
    @classmethod
    def __prepare__(mcls, name, bases):
        return NS()
try:
    class X(metaclass=M):
        r = random.Random()
        leaked = r._randbelow
except SecurityError as e:
    print("refused", [k for k in asked if k.startswith("__pf")], "__name__" in asked)
`);
        equal(r.stdout, "refused [] True\n", JSON.stringify(r));
        deepEqual(r.violations.map((v) => v.detail), [
          "private attribute '_randbelow' is not allowed here",
        ]);
      });
      await t.step("an mro() that returns the real order runs", async () => {
        const r = await standard.run(`calls = []
class M(type):
    def mro(cls):
        calls.append(cls.__name__)
        return super().mro()
class A(metaclass=M):
    _x = 1
class B(A):
    pass
print(calls, B._x, [c.__name__ for c in B.__mro__])
`);
        equal(r.error, undefined, JSON.stringify(r));
        equal(r.stdout, "['A', 'B'] 1 ['B', 'A', 'object']\n");
      });
      await t.step(
        "__subclasscheck__ claiming SecurityError is the script's own error",
        async () => {
          const r = await standard.run(`class M(type):
    def __subclasscheck__(cls, sub):
        return True
    def __instancecheck__(cls, obj):
        return True
class Fake(Exception, metaclass=M):
    pass
print(issubclass(SecurityError, Fake), isinstance(1, Fake))
raise Fake("mine")
`);
          equal(r.stdout, "True True\n");
          equal(r.error?.type, "Fake", JSON.stringify(r));
          deepEqual(r.violations, []);
        },
      );
      await t.step(
        "dataclass(slots=True) rebuilt honestly by a script __new__ stays the script's",
        async () => {
          const r = await compute.run(`from dataclasses import dataclass
class M(type):
    def __new__(mcls, name, bases, ns):
        if ns.get("__slots__"):
            ns = dict(ns)
            ns["__doc__"] = "rebuilt"
        return super().__new__(mcls, name, bases, ns)
@dataclass(slots=True)
class P(metaclass=M):
    x: int = 0
    _hidden = 5
print(P.__module__, P.__doc__, P._hidden, P(3))
`);
          equal(r.error, undefined, JSON.stringify(r));
          equal(r.stdout, "__main__ rebuilt 5 P(x=3)\n");
        },
      );
    } finally {
      await standard.close();
      await raising.close();
      await compute.close();
    }
  },
});

Deno.test({
  name: "exec and eval locals the script passes cannot answer for the guard's helpers",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const base = await loadPolicy("default");
    const sandbox = new Sandbox({
      policy: { ...base, dynamic_code: "guarded", static_check: false, on_violation: "raise" },
      poolSize: 1,
    });
    try {
      const r = await sandbox.run(`import random
fake = {"__pf" + "_ga__": lambda obj, name: "HIJACKED", "__pf" + "_wp__": lambda obj, name: obj}
for source in ("x = random.Random()._randbelow", "random.Random.seed = 1"):
    try:
        exec(source, {"random": random}, dict(fake))
        print("ESCAPED", source)
    except SecurityError:
        print("refused")
try:
    print("ESCAPED", eval("random.Random()._randbelow", {"random": random}, dict(fake)))
except SecurityError:
    print("refused")
ns = {}
exec("y = 2", {}, ns)
print(ns)
`);
      equal(r.stdout, "refused\nrefused\nrefused\n{'y': 2}\n", JSON.stringify(r));
      equal(r.violations.length, 3);
    } finally {
      await sandbox.close();
    }
  },
});
