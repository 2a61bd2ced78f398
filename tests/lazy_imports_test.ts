/**
 * Library imports the policy implies must work. Under the guard, library
 * code imports only modules loaded ahead of the run (the snapshot), so a
 * public function of an allowed module that imports lazily (`random.seed`
 * with a str imports `_sha2`) would be refused mid-call. This scans every
 * such function, under each built-in policy's own snapshot (guard off), and
 * requires each lazy import to be loaded ahead or decided here.
 */
import { deepEqual, ok } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";
import { unguardedForTests } from "../src/host/internal.ts";
import { loadPolicy } from "../src/policy/load.ts";

const SCAN = await Deno.readTextFile(new URL("./helpers/lazy_imports.py", import.meta.url));

/** Lazy imports left refused, and why that is right. */
const DECISIONS: Record<string, string> = {
  "base64.main": "a command-line entry point (reads sys.argv and stdin): its getopt stays refused",
};

Deno.test({
  name: "every lazy import in a public function of an allowed module is loaded ahead",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    for (const name of ["default", "compute", "strict"]) {
      await t.step(name, async () => {
        const allowed = (await loadPolicy(name)).modules.allow;
        const sandbox = new Sandbox(unguardedForTests({ policy: name, poolSize: 1 }));
        try {
          const r = await sandbox.run(`ALLOWED = ${JSON.stringify(allowed)}\n${SCAN}`);
          ok(r.ok, JSON.stringify(r.error));
          const report = JSON.parse(r.stdout);
          ok(report.functions > 10, `only ${report.functions} functions scanned`);
          const undecided = Object.keys(report.missing).filter((f) => !(f in DECISIONS));
          deepEqual(undecided.map((f) => `${f}: ${report.missing[f].join(", ")}`), []);
        } finally {
          await sandbox.close();
        }
      });
    }
  },
});
