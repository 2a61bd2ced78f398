/**
 * Registration by fact (issue 8): generated class statements over
 * metaclass × bases × __mro_entries__ × script-defined dunders. A class is
 * recorded as the script's only when its own class statement created it;
 * anything else (a library class returned by a lying metaclass, base or
 * __mro_entries__) is never recorded, and plain script classes always are.
 */
import { deepEqual, equal, ok } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";
import { validatePolicy } from "../src/policy/load.ts";

const VARIANTS = await Deno.readTextFile(new URL("./helpers/class_variants.py", import.meta.url));

interface Outcome {
  variant: string;
  made: boolean;
  new?: boolean;
  recorded?: boolean;
  refused?: boolean;
  error?: string;
}

Deno.test({
  name: "only classes really created by the script's class statements are recorded",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const sandbox = new Sandbox({
      policy: validatePolicy({
        version: 1,
        modules: { allow: ["random", "json"] },
        on_violation: "raise",
        limits: { timeout_ms: 30_000 },
        static_check: false,
      }),
      poolSize: 0,
    });
    try {
      const r = await sandbox.run(VARIANTS);
      ok(r.ok, JSON.stringify(r.error));
      const outcomes: Outcome[] = JSON.parse(r.stdout);
      equal(outcomes.length, 6 * 5 * 5);
      const recordedButOld = outcomes.filter((o) => o.recorded && !o.new).map((o) => o.variant);
      deepEqual(recordedButOld, [], "a class that existed before its statement was recorded");
      // A statement whose result is not new must not have produced a recorded class at all.
      const returnedLibrary = outcomes.filter((o) => o.made && !o.new && o.recorded !== false);
      deepEqual(returnedLibrary.map((o) => o.variant), []);
      // Ordinary statements (no lying metaclass or base) are recorded.
      for (const o of outcomes) {
        const [meta, base, method] = o.variant.split("/");
        const ordinary = ["none", "type", "script"].includes(meta) &&
          ["none", "script", "library"].includes(base) &&
          (base !== "script" || method === "plain" || method === "__init_subclass__" ||
            method === "__eq__");
        if (ordinary) {
          equal(o.made, true, `${o.variant}: ${JSON.stringify(o)}`);
          equal(o.recorded, true, `${o.variant} was not recorded`);
        }
      }
      ok(outcomes.some((o) => o.refused), "no variant was refused: the generator lost its teeth");
    } finally {
      await sandbox.close();
    }
  },
});
