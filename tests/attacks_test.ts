/**
 * pyfence's own attack catalogue (`tests/attacks/<class>/*.py`, same header
 * format as the shared corpus): every technique runs under default.yaml and
 * must be contained; bombs must hit their limit.
 */
import { ok } from "assert";
import { Sandbox } from "../src/sandbox.ts";
import { eachLimited, loadAttacks } from "./helpers/corpus.ts";
import { assertContained } from "./helpers/expect.ts";

const attacks = await loadAttacks(new URL("./attacks/", import.meta.url));

Deno.test({
  name: `attack catalogue (${attacks.length} techniques)`,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    ok(attacks.length > 0, "no attacks found under tests/attacks/");
    const sandbox = new Sandbox({ policy: "default", poolSize: 2 });
    try {
      const results = new Map<string, Awaited<ReturnType<Sandbox["run"]>>>();
      await eachLimited(attacks, 2, async (a) => {
        // A tighter deadline than the policy's keeps the CPU bombs quick.
        results.set(
          a.name,
          await sandbox.run(a.code, { origin: "https://app.example", timeoutMs: 2000 }),
        );
      });
      for (const a of attacks) {
        await t.step(`${a.className}: ${a.name}`, () => assertContained(a, results.get(a.name)!));
      }
    } finally {
      await sandbox.close();
    }
  },
});
