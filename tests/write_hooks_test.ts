/**
 * Where a write lands is decided by the __setattr__/__delattr__ in the
 * target's MRO. Only hooks the script wrote itself (or a trusted metaclass's)
 * are left to decide; a library function the script puts there makes writes
 * through it refused, however late it is put there.
 */
import { equal } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";

const REFUSED = "SecurityError";

const CASES: {
  name: string;
  code: string;
  stdout?: string;
  error?: string;
  line?: number;
  kind?: string;
}[] = [
  {
    name: "a library function as __setattr__ in a class body",
    code: "import textwrap\nclass C:\n    __setattr__ = textwrap.dedent\nC().x = 1\n",
    error: REFUSED,
    line: 4,
  },
  {
    name: "a library function as __setattr__ after the class's writes were decided",
    code:
      "import textwrap\nclass C:\n    pass\nc = C()\nc.x = 1\nC.__setattr__ = textwrap.dedent\nc.y = 2\n",
    error: REFUSED,
    line: 7,
  },
  {
    name: "a library function as __delattr__ of a base, after a subclass was decided",
    code:
      "import textwrap\nclass B:\n    pass\nclass D(B):\n    pass\nd = D()\nd.x = 1\nB.__delattr__ = textwrap.dedent\ndel d.x\n",
    error: REFUSED,
    line: 9,
  },
  {
    name: "a library function set as __setattr__ through setattr()",
    code:
      "import textwrap\nclass C:\n    pass\nc = C()\nc.x = 1\nsetattr(C, '__setattr__', textwrap.dedent)\nc.y = 2\n",
    error: REFUSED,
    line: 7,
  },
  {
    name: "a library function set as __setattr__ through type.__setattr__",
    code:
      "import textwrap\nclass C:\n    pass\nc = C()\nc.x = 1\ntype.__setattr__(C, '__setattr__', textwrap.dedent)\nc.y = 2\n",
    error: REFUSED,
    line: 7,
  },
  {
    name: "a library function as a script metaclass's __setattr__",
    code:
      "import textwrap\nclass M(type):\n    pass\nclass C(metaclass=M):\n    pass\nC.a = 1\nM.__setattr__ = textwrap.dedent\nC.b = 2\n",
    error: REFUSED,
    line: 8,
  },
  {
    name: "a private name through a hook the script did not write",
    code: "import textwrap\nclass C:\n    __setattr__ = textwrap.dedent\nC()._x = 1\n",
    error: REFUSED,
    line: 4,
  },
  {
    name: "a hooked class whose metaclass claims to equal and hash like a plain type",
    code:
      "import textwrap\nclass M(type):\n    def __eq__(s, o):\n        return True\n    def __hash__(s):\n        return hash(list)\nclass C(metaclass=M):\n    __setattr__ = textwrap.dedent\nC().x = 1\n",
    error: REFUSED,
    // A metaclass may not define __eq__ or __hash__ at all (the guard looks
    // classes up in dicts): the class statement is refused before any write.
    line: 7,
    kind: "builtin",
  },
  {
    name: "a hooked class reached through a base's __mro_entries__",
    code:
      "import textwrap\nclass Hooked:\n    __setattr__ = textwrap.dedent\nclass Swap:\n    def __mro_entries__(self, bases):\n        return (Hooked,)\nclass C(Swap()):\n    pass\nC().x = 1\n",
    error: REFUSED,
    line: 9,
  },
  {
    name: "the script's own __setattr__ still decides",
    code:
      "class C:\n    def __setattr__(self, n, v):\n        object.__setattr__(self, n, v * 2)\nc = C()\nc.x = 2\nprint(c.x)\n",
    stdout: "4\n",
  },
  {
    name: "a class whose own hook is replaced by another of the script's",
    code:
      "class C:\n    pass\nc = C()\nc.x = 1\ndef loud(self, n, v):\n    object.__setattr__(self, n, str(v) + '!')\nC.__setattr__ = loud\nc.y = 2\nprint(c.x, c.y)\n",
    stdout: "1 2!\n",
  },
  {
    name: "an enum class (trusted metaclass hook) still takes writes",
    code: "import enum\nclass E(enum.Enum):\n    A = 1\nE.note = 'x'\nprint(E.note, E.A.value)\n",
    stdout: "x 1\n",
  },
  {
    name: "a frozen dataclass still raises FrozenInstanceError",
    code:
      "from dataclasses import dataclass, FrozenInstanceError\n@dataclass(frozen=True)\nclass P:\n    x: int\np = P(1)\ntry:\n    p.x = 2\nexcept FrozenInstanceError:\n    print('frozen', p.x)\n",
    stdout: "frozen 1\n",
  },
];

Deno.test({
  name: "write hooks: only the script's own (or a trusted metaclass's) decide where a write lands",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const sandbox = new Sandbox({ policy: "compute", poolSize: 1 });
    try {
      for (const c of CASES) {
        await t.step(c.name, async () => {
          const r = await sandbox.run(c.code);
          const where = JSON.stringify(r);
          if (c.error) {
            equal(r.error?.type, c.error, where);
            equal(r.violations.length, 1, where);
            equal(r.violations[0].kind, c.kind ?? "attribute", where);
            equal(r.violations[0].line, c.line, where);
          } else {
            equal(r.error, undefined, where);
            equal(r.stdout, c.stdout, where);
          }
        });
      }
    } finally {
      await sandbox.close();
    }
  },
});
