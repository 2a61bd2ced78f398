/**
 * The guard reads public attribute names (other than the few it must see by
 * name) natively, for speed. That is safe only if no public attribute of the
 * objects an allowed module hands out leads to a frame, code object,
 * traceback, cell, capsule or raw module. This audits exactly that, on the
 * real objects (guard off), for every module any built-in policy allows.
 */
import { deepEqual, ok } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";
import { unguardedForTests } from "../src/host/internal.ts";
import { loadPolicy } from "../src/policy/load.ts";

const AUDIT = await Deno.readTextFile(new URL("./helpers/reachability.py", import.meta.url));

Deno.test({
  name: "no public attribute of an allowed module's objects leads to an interpreter internal",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const modules = new Set<string>();
    for (const name of ["default", "strict", "compute"]) {
      for (const m of (await loadPolicy(name)).modules.allow) modules.add(m);
    }
    const sandbox = new Sandbox(unguardedForTests({ policy: "compute" }));
    try {
      const r = await sandbox.run(
        `MODULES = ${JSON.stringify([...modules].sort())}\n${AUDIT}`,
      );
      ok(r.ok, JSON.stringify(r.error));
      const report = JSON.parse(r.stdout);
      ok(report.objects > 1000, `only ${report.objects} objects visited`);
      deepEqual(report.findings, []);
    } finally {
      await sandbox.close();
    }
  },
});
