/**
 * pyfence's own attack catalogue (`tests/attacks/<class>/*.py`, same header
 * format as the shared corpus): every technique runs under default.yaml and
 * must be contained; bombs must hit their limit.
 */
import { deepEqual, equal, ok } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";
import { eachLimited, loadAttacks, loadBenign } from "./helpers/corpus.ts";
import { assertContained } from "./helpers/expect.ts";

const attacks = await loadAttacks(new URL("./attacks/", import.meta.url));

Deno.test({
  name: `attack catalogue (${attacks.length} techniques)`,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    ok(attacks.length > 0, "no attacks found under tests/attacks/");
    const sandboxes = new Map<string, Sandbox>();
    const sandboxFor = (policy: string) => {
      let s = sandboxes.get(policy);
      if (!s) sandboxes.set(policy, s = new Sandbox({ policy, poolSize: 2 }));
      return s;
    };
    try {
      const results = new Map<string, Awaited<ReturnType<Sandbox["run"]>>>();
      await eachLimited(attacks, 2, async (a) => {
        // A tighter deadline than the policy's keeps the CPU bombs quick.
        results.set(
          a.name,
          await sandboxFor(a.policy).run(a.code, {
            origin: "https://app.example",
            timeoutMs: 2000,
          }),
        );
      });
      for (const a of attacks) {
        await t.step(`${a.className}: ${a.name}`, () => assertContained(a, results.get(a.name)!));
      }
    } finally {
      await Promise.all([...sandboxes.values()].map((s) => s.close()));
    }
  },
});

// The virtual files the programs under tests/benign/ read.
const FILES = { "data.txt": "hello\nworld\n", "d/x.bin": new Uint8Array([0, 1, 2]) };

Deno.test({
  name: "the project's own benign programs print exactly their .out, with no findings",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const programs = await loadBenign(new URL("./benign/", import.meta.url));
    ok(programs.length > 0, "no programs under tests/benign/");
    const sandbox = new Sandbox({ policy: "default" });
    try {
      for (const b of programs) {
        await t.step(b.name, async () => {
          const r = await sandbox.run(b.code, { origin: "https://app.example", files: FILES });
          equal(r.error, undefined, `${b.name}: ${JSON.stringify(r.error)}`);
          equal(r.stdout, b.stdout);
          deepEqual(await sandbox.check(b.code), { ok: true, findings: [] });
        });
      }
    } finally {
      await sandbox.close();
    }
  },
});
