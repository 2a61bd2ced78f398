/**
 * The shared corpus (`../shared/corpus`): every attack under default.yaml with
 * origin https://app.example must never print ESCAPED (bombs must hit their
 * limit), and every benign program must print exactly its `.out`.
 */
import { equal } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";
import {
  eachLimited,
  hasSharedCorpus,
  loadAttacks,
  loadBenign,
  SHARED_CORPUS,
} from "./helpers/corpus.ts";
import { assertContained } from "./helpers/expect.ts";

const ORIGIN = "https://app.example";
const present = await hasSharedCorpus();
if (!present) console.warn(`corpus tests SKIPPED: ${SHARED_CORPUS.pathname} does not exist`);

Deno.test({
  name: "shared corpus: attacks are contained",
  ignore: !present,
  async fn(t) {
    const sandbox = new Sandbox({ policy: "default", poolSize: 2 });
    try {
      const attacks = await loadAttacks(new URL("escapes/", SHARED_CORPUS));
      const results = new Map<string, Awaited<ReturnType<Sandbox["run"]>>>();
      await eachLimited(attacks, 2, async (a) => {
        results.set(a.name, await sandbox.run(a.code, { origin: ORIGIN }));
      });
      for (const a of attacks) {
        await t.step(a.name, () => assertContained(a, results.get(a.name)!));
      }
    } finally {
      await sandbox.close();
    }
  },
});

Deno.test({
  name: "shared corpus: benign programs print exactly their .out",
  ignore: !present,
  async fn(t) {
    const sandbox = new Sandbox({ policy: "default" });
    try {
      for (const b of await loadBenign(new URL("benign/", SHARED_CORPUS))) {
        await t.step(b.name, async () => {
          const r = await sandbox.run(b.code, { origin: ORIGIN });
          equal(r.error, undefined, `${b.name}: ${JSON.stringify(r.error)}`);
          equal(r.ok, true);
          equal(r.stdout, b.stdout);
          equal(r.violations.length, 0);
        });
      }
    } finally {
      await sandbox.close();
    }
  },
});
