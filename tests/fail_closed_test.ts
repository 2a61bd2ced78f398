/**
 * Fail closed (issues 8 and 15): a check of the guard's own that runs out of
 * stack or memory ends the run, whatever the script catches, and a refused
 * operation ends it as the violation it is, with its record (exit 3).
 *
 * The stack probes recurse to the limit, come back up J frames and ask for
 * something refused exactly once, catching RecursionError; across J, the
 * refusal meets every depth of the guard's own code. The memory probes fill
 * the interpreter's memory to the last byte first. The headroom the guard
 * takes to finish a failing check comes back on every path.
 */
import { equal, ok } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";
import { exitCodeOf } from "../src/cli/exit_code.ts";
import type { RunResult } from "../src/protocol/result.ts";

const ATTEMPTS: Record<string, string> = {
  "private read": `getattr(random.Random, "_rand" + "below")`,
  "dunder read": `getattr(random.seed, "__glo" + "bals__")`,
  "write": `setattr(random.Random, "_x", 1)`,
  "module member": `getattr(json, "_default_" + "decoder")`,
  "format field": `("{0.__glo" + "bals__}").format(random.seed)`,
  "vars()": `vars(random.Random())`,
};

function probe(attempt: string, j: number): string {
  return `import random, json
J = ${j}
def go(depth):
    try:
        r = go(depth + 1)
    except RecursionError:
        return 1
    if r == J:
        try:
            ${attempt}
            print("read")
        except RecursionError:
            print("caught")
    return r + 1
go(0)
print("continued")
`;
}

Deno.test({
  name: "a refusal that meets the stack limit inside the guard still ends the run",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const sandbox = new Sandbox({ policy: "default", poolSize: 1 });
    try {
      for (const [what, attempt] of Object.entries(ATTEMPTS)) {
        await t.step(what, async () => {
          for (let j = 1; j <= 12; j++) {
            const r = await sandbox.run(probe(attempt, j));
            const where = `J=${j}: ${JSON.stringify({ ...r, stdout: r.stdout.slice(0, 200) })}`;
            ok(!r.stdout.includes("read"), `the refused read succeeded, ${where}`);
            ok(
              !(r.ok && r.stdout.includes("caught")),
              `caught inside the guard and went on, ${where}`,
            );
            ok(!r.ok, `the refusal left no trace, ${where}`);
            // Out of stack in the refused call, the run ends as that violation
            // (exit 3); out of stack in an allowed step before it (reading
            // `random.Random` from the module proxy), as the limit.
            if (r.violations.length === 0) {
              equal(r.error?.type, "RecursionError", `neither a violation nor the limit, ${where}`);
            } else equal(exitCodeOf(r), 3, `not a violation, ${where}`);
          }
        });
      }
    } finally {
      await sandbox.close();
    }
  },
});

/** A script that fills memory to the last byte, then tries each refused operation in turn. */
function outOfMemory(attempts: string[]): string {
  return `import random
name = "_" + "os"
private = "_rand" + "below"
${attempts.map((a, i) => `def a${i}():\n    ${a}`).join("\n")}
attempts = [${attempts.map((_, i) => `a${i}`).join(", ")}]
hog = []
size = 1 << 20
while size:
    try:
        while True:
            hog.append(bytearray(size))
    except MemoryError:
        size >>= 1
chain = None
try:
    while True:
        chain = (chain,)
except MemoryError:
    pass
survived = 0
for a in attempts:
    try:
        a()
    except BaseException:
        survived += 1
chain = None
hog.clear()
print("survived", survived)
`;
}

function describe(r: RunResult): string {
  return JSON.stringify({ ...r, stdout: r.stdout.slice(0, 300) });
}

Deno.test({
  name: "out of memory, a refused operation still ends the run as a violation with its record",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const base = new Sandbox({ policy: "default" });
    const policy = { ...(await base.policy()), static_check: false };
    await base.close();
    const terminate = new Sandbox({ policy, poolSize: 1 });
    const raise = new Sandbox({ policy: { ...policy, on_violation: "raise" }, poolSize: 1 });
    try {
      const cases: [string, Sandbox, string[], RegExp][] = [
        [
          "terminate",
          terminate,
          [
            "open('/etc/passwd')",
            "getattr(random, name)",
            "getattr(random.Random, private)",
            "random.Random()._randbelow",
          ],
          /random\._os|_randbelow|passwd/,
        ],
        [
          "raise",
          raise,
          ["import os", "getattr(random, name)", "open('/etc/passwd')"],
          /'os'|random\._os|passwd/,
        ],
      ];
      for (const [what, sandbox, attempts, detail] of cases) {
        await t.step(what, async () => {
          const r = await sandbox.run(outOfMemory(attempts));
          ok(!r.stdout.includes("survived"), `the script went on: ${describe(r)}`);
          equal(r.ok, false, describe(r));
          ok(r.violations.length >= 1, `no record: ${describe(r)}`);
          ok(detail.test(r.violations[0].detail), describe(r));
          equal(exitCodeOf(r), 3, describe(r));
        });
      }
    } finally {
      await terminate.close();
      await raise.close();
    }
  },
});

Deno.test({
  name: "at the recursion limit, a computed private read is a violation (exit 3), not a limit",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const sandbox = new Sandbox({ policy: "default", poolSize: 1 });
    try {
      const r = await sandbox.run(`import random
name = "_" + "os"
got = []
def f(n):
    try:
        return f(n + 1)
    except RecursionError:
        try:
            got.append(getattr(random, name))
        except BaseException as e:
            got.append(type(e).__name__)
        return n
f(0)
print(got)
`);
      equal(r.stdout, "", describe(r));
      equal(r.violations.length, 1, describe(r));
      equal(r.violations[0].detail, "'random._os' is private");
      equal(r.error?.type, "SecurityError", describe(r));
      equal(exitCodeOf(r), 3);
    } finally {
      await sandbox.close();
    }
  },
});

Deno.test({
  name:
    "the guard's headroom comes back: after caught violations the recursion limit is the policy's",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const base = new Sandbox({ policy: "default" });
    const policy = {
      ...(await base.policy()),
      static_check: false,
      on_violation: "raise" as const,
    };
    await base.close();
    const sandbox = new Sandbox({ policy, poolSize: 1 });
    try {
      // Every refusal path of the guard, 300 times each: attribute reads
      // (builtin and rewritten), writes, module members, format fields.
      const r = await sandbox.run(`import random
def depth():
    n = 0
    def go():
        nonlocal n
        n += 1
        go()
    try:
        go()
    except RecursionError:
        pass
    return n
before = depth()
r = random.Random()
name = "_rand" + "below"
attempts = (
    lambda: getattr(random.Random, name),
    lambda: r._randbelow,
    lambda: setattr(random.Random, "_x", 1),
    lambda: random._os,
    lambda: ("{0._rand" + "below}").format(r),
)
refused = 0
for i in range(300):
    for attempt in attempts:
        try:
            attempt()
        except (SecurityError, ImportBlockedError):
            refused += 1
print(before, depth(), refused)
`);
      equal(r.error, undefined, describe(r));
      const [before, after, refused] = r.stdout.trim().split(" ").map(Number);
      equal(refused, 1500);
      equal(after, before, "the recursion limit moved");
      // The script's own frames stop short of the policy's limit (the guard's
      // frames below the script take the rest of it).
      ok(before <= policy.limits.recursion + 30 && before >= policy.limits.recursion, `${before}`);
    } finally {
      await sandbox.close();
    }
  },
});
