/**
 * Ordinary data-processing programs written the usual way (dataclasses,
 * type hints, enums, decorators, match, text and CSV work) run under
 * `compute` and print exactly what CPython 3.14 prints (their .out files
 * were produced by the same interpreter with no guard), with no findings
 * from the static check.
 */
import { deepEqual, equal, ok } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";
import { loadBenign } from "./helpers/corpus.ts";

Deno.test({
  name: "ordinary programs run unchanged under compute",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const programs = await loadBenign(new URL("./ordinary/", import.meta.url));
    ok(programs.length >= 20, `only ${programs.length} programs under tests/ordinary/`);
    const sandbox = new Sandbox({ policy: "compute", poolSize: 2 });
    try {
      for (const p of programs) {
        await t.step(p.name, async () => {
          const r = await sandbox.run(p.code, { origin: "https://app.example" });
          equal(
            r.error,
            undefined,
            `${p.name}: ${JSON.stringify(r.error)} ${JSON.stringify(r.violations)}`,
          );
          equal(r.stdout, p.stdout);
          deepEqual(await sandbox.check(p.code), { ok: true, findings: [] });
        });
      }
    } finally {
      await sandbox.close();
    }
  },
});
