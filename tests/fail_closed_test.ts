/**
 * Fail closed (issue 8): a check of the guard's own that runs out of stack
 * ends the run, whatever the script catches. Each probe recurses to the
 * limit, comes back up J frames and asks for something refused exactly
 * once, catching RecursionError; across J, the refusal meets every depth
 * of the guard's own code. A run may never end `ok` after a caught
 * RecursionError.
 */
import { ok } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";

const ATTEMPTS: Record<string, string> = {
  "private read": `getattr(random.Random, "_rand" + "below")`,
  "dunder read": `getattr(random.seed, "__glo" + "bals__")`,
  "write": `setattr(random.Random, "_x", 1)`,
  "module member": `getattr(json, "_default_" + "decoder")`,
  "format field": `("{0.__glo" + "bals__}").format(random.seed)`,
  "vars()": `vars(random.Random)`,
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
          }
        });
      }
    } finally {
      await sandbox.close();
    }
  },
});
