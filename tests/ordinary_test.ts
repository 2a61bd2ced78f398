/**
 * Ordinary programs written the usual way (dataclasses, type hints, enums,
 * decorators, metaclasses, match, text and CSV work) run under `compute`,
 * and under `default` when they import only what `default` allows, and print
 * exactly what CPython 3.14 prints (their .out files were produced by the
 * same interpreter with no guard), with no findings from the static check.
 */
import { deepEqual, equal, ok } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";
import { loadBenign } from "./helpers/corpus.ts";

/** The top-level modules a program imports. */
function imported(code: string): string[] {
  const out: string[] = [];
  for (const m of code.matchAll(/^\s*(?:from\s+([\w.]+)\s+import|import\s+([\w., ]+))/gm)) {
    const names = m[1] ? [m[1]] : m[2].split(",").map((n) => n.trim().split(/\s+/)[0]);
    out.push(...names.map((n) => n.split(".")[0]));
  }
  return out;
}

Deno.test({
  name: "ordinary programs run unchanged under compute, and under default where it allows them",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const programs = await loadBenign(new URL("./ordinary/", import.meta.url));
    ok(programs.length >= 20, `only ${programs.length} programs under tests/ordinary/`);
    const compute = new Sandbox({ policy: "compute", poolSize: 2 });
    const standard = new Sandbox({ policy: "default", poolSize: 2 });
    const defaultModules = new Set((await standard.policy()).modules.allow);
    let underDefault = 0;
    try {
      for (const p of programs) {
        await t.step(p.name, async () => {
          const policies: [string, Sandbox][] = [["compute", compute]];
          if (imported(p.code).every((m) => defaultModules.has(m))) {
            policies.push(["default", standard]);
            underDefault++;
          }
          for (const [name, sandbox] of policies) {
            const r = await sandbox.run(p.code, { origin: "https://app.example" });
            equal(
              r.error,
              undefined,
              `${p.name} (${name}): ${JSON.stringify(r.error)} ${JSON.stringify(r.violations)}`,
            );
            equal(r.stdout, p.stdout, `${p.name} (${name})`);
            deepEqual(
              await sandbox.check(p.code),
              { ok: true, findings: [] },
              `${p.name} (${name})`,
            );
          }
        });
      }
      ok(underDefault >= 20, `only ${underDefault} programs ran under default too`);
    } finally {
      await compute.close();
      await standard.close();
    }
  },
});
