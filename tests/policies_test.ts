/**
 * The built-in policies as a script sees them: every module a policy lists
 * works, none of them hands out a forbidden one, member rules hold, and the
 * benign corpus runs unchanged under `compute` as under `default`.
 */
import { deepEqual, equal, match, ok, rejects } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";
import { loadPolicy } from "../src/policy/load.ts";
import { PolicyError } from "../src/errors.ts";
import { hasSharedCorpus, loadBenign, SHARED_CORPUS } from "./helpers/corpus.ts";

// One line per module: a real use of it, and its printed result.
const USES: Record<string, [string, string]> = {
  json: ["json.dumps([1, {'a': None}])", '[1, {"a": null}]'],
  datetime: ["datetime.date(2024, 2, 29).isoformat()", "2024-02-29"],
  math: ["math.gcd(12, 18)", "6"],
  random: ["random.Random(1).randint(1, 6)", "2"],
  re: ["re.findall(r'\\d+', 'a1b22')", "['1', '22']"],
  collections: ["collections.Counter('abca').most_common(1)", "[('a', 2)]"],
  itertools: ["list(itertools.accumulate([1, 2, 3]))", "[1, 3, 6]"],
  statistics: ["statistics.median([3, 1, 2])", "2"],
  decimal: ["decimal.Decimal('1.1') + decimal.Decimal('2.2')", "3.3"],
  fractions: ["fractions.Fraction(1, 3) + fractions.Fraction(1, 6)", "1/2"],
  string: ["string.Template('$x!').substitute(x='hi')", "hi!"],
  textwrap: ["textwrap.shorten('hello brave new world', 12)", "hello [...]"],
  unicodedata: ["unicodedata.name('é')", "LATIN SMALL LETTER E WITH ACUTE"],
  functools: ["functools.reduce(lambda a, b: a * b, [1, 2, 3, 4])", "24"],
  operator: ["operator.add(2, 3)", "5"],
  heapq: ["heapq.nsmallest(2, [5, 1, 4])", "[1, 4]"],
  bisect: ["bisect.bisect([1, 3, 5], 4)", "2"],
  dataclasses: [
    "dataclasses.make_dataclass('P', ['x'])(1)",
    "P(x=1)",
  ],
  enum: ["enum.Enum('Color', 'RED GREEN').GREEN.value", "2"],
  typing: ["typing.Optional[int] == typing.Union[int, None]", "True"],
  io: ["io.StringIO('a\\nb').readlines()", "['a\\n', 'b']"],
  csv: ["list(csv.reader(['a,b']))", "[['a', 'b']]"],
  hashlib: ["hashlib.sha256(b'x').hexdigest()[:8]", "2d711642"],
  base64: ["base64.b64encode(b'hi')", "b'aGk='"],
  abc: ["isinstance([], abc.ABC)", "False"],
  copy: ["copy.deepcopy({'a': [1]})", "{'a': [1]}"],
};

// Names through which a module could hand out something forbidden.
const LEAKS = [
  "sys",
  "os",
  "_os",
  "_sys",
  "builtins",
  "__builtins__",
  "__dict__",
  "__loader__",
  "__spec__",
  "_collections_abc",
  "_compiler",
  "importlib",
];

Deno.test({
  name: "policies as scripts see them",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const compute = new Sandbox({ policy: "compute" });
    const strict = new Sandbox({ policy: "strict" });
    try {
      const allowed = (await compute.policy()).modules.allow;
      await t.step("compute: every listed module works", async () => {
        deepEqual([...allowed].sort(), Object.keys(USES).sort(), "a listed module has no use here");
        const code = allowed.map((m) => `import ${m}\nprint(${USES[m][0]})`).join("\n");
        const r = await compute.run(code);
        equal(r.error, undefined, JSON.stringify(r.error));
        equal(r.stdout, allowed.map((m) => USES[m][1] + "\n").join(""));
      });
      await t.step("compute: no listed module leaks a forbidden one", async () => {
        // Under on_violation: raise every attempt is refused in turn, so one
        // run per module tries them all; the static check is off so that the
        // runtime guard is what refuses.
        const probing = new Sandbox({
          policy: { ...(await compute.policy()), on_violation: "raise", static_check: false },
        });
        try {
          for (const m of allowed) {
            const code = `import ${m}\nrefused = 0\nfor name in ${JSON.stringify(LEAKS)}:\n` +
              `    try:\n        x = getattr(${m}, name)\n        print("LEAKED", name, type(x))\n` +
              `    except (SecurityError, AttributeError):\n        refused += 1\nprint(refused)`;
            const r = await probing.run(code);
            equal(r.stdout, `${LEAKS.length}\n`, `${m}: ${JSON.stringify(r)}`);
          }
        } finally {
          await probing.close();
        }
      });
      await t.step("compute: member rules hide what they deny", async () => {
        for (
          const [code, what] of [
            ["import io\nio.open", "io.open"],
            ["import io\nio.FileIO", "io.FileIO"],
            ["import random\nrandom.SystemRandom", "random.SystemRandom"],
            ["from io import FileIO", "from io import FileIO"],
          ]
        ) {
          const r = await compute.run(code);
          equal(r.ok, false, what);
          ok(
            r.violations.length >= 1 || r.error?.type === "AttributeError",
            `${what}: ${JSON.stringify(r)}`,
          );
        }
        const fine = await compute.run(
          "import io, random\nprint(io.BytesIO(b'ab').read(), random.Random(2).random() < 1)",
        );
        equal(fine.stdout, "b'ab' True\n", JSON.stringify(fine.error));
      });
      await t.step("strict: json and math only, tighter limits", async () => {
        const good = await strict.run("import json, math\nprint(json.dumps(math.sqrt(16)))");
        equal(good.stdout, "4.0\n", JSON.stringify(good.error));
        for (const m of ["re", "random", "collections", "datetime"]) {
          const r = await strict.run(`import ${m}`);
          equal(r.error?.type, "ImportBlockedError", m);
        }
        const policy = await strict.policy();
        ok(policy.limits.timeout_ms < (await loadPolicy("default")).limits.timeout_ms);
      });
      await t.step("a policy for another Python version is refused with PolicyError", async () => {
        const future = new Sandbox({
          policy: { ...(await loadPolicy("default")), python: ">=3.15" },
        });
        try {
          await rejects(future.run("print(1)"), (e: unknown) => {
            ok(e instanceof PolicyError);
            equal(e.keyPath, "python");
            match(e.message, /needs Python >=3\.15, but this interpreter is 3\.14/);
            return true;
          });
        } finally {
          await future.close();
        }
      });
      await t.step({
        name: "compute: the benign corpus runs unchanged",
        ignore: !(await hasSharedCorpus()),
        fn: async () => {
          for (const b of await loadBenign(new URL("benign/", SHARED_CORPUS))) {
            const r = await compute.run(b.code, { origin: "https://app.example" });
            equal(r.error, undefined, `${b.name}: ${JSON.stringify(r.error)}`);
            equal(r.stdout, b.stdout, b.name);
          }
        },
      });
    } finally {
      await compute.close();
      await strict.close();
    }
  },
});
