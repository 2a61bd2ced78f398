/**
 * No code of the script's runs inside an import the guard allows: there the
 * imported module's own imports and generated code pass unchecked. The
 * garbage collector would otherwise run a script __del__ wherever an
 * allocation triggers it, and one inside the import ran a dataclass's
 * generated code (with script text) unchecked: `object.__subclasses__()`.
 *
 * One run finds how many cyclic objects the first collection takes; runs
 * with a little less than that then import `json.tool`, so the collection
 * falls due inside the import. Its finalizers then run after the import
 * has returned (checked: a violation, which this policy raises), never
 * inside it.
 */
import { equal, ok } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";
import { loadPolicy } from "../src/policy/load.ts";

const SCRIPT = await Deno.readTextFile(new URL("./helpers/import_window.py", import.meta.url));

interface Outcome {
  first: number | null;
  seen: string | null;
  escaped: boolean;
}

Deno.test({
  name: "import window: a collection that falls due inside an allowed import runs after it",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const policy = await loadPolicy("compute");
    const sandbox = new Sandbox({ policy: { ...policy, on_violation: "raise" }, poolSize: 1 });
    const run = async (fill: number): Promise<Outcome> => {
      const r = await sandbox.run(SCRIPT.replace("__FILL__", String(fill)), { timeoutMs: 20_000 });
      equal(r.error, undefined, JSON.stringify(r));
      return JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    };
    try {
      const threshold = (await run(-1)).first;
      ok(threshold !== null && threshold > 3000, `no first collection: ${threshold}`);
      let during = 0;
      // The import makes a few thousand objects: one of these fills leaves
      // the collection due inside it.
      for (let margin = 500; margin <= 4000; margin += 500) {
        const o = await run(threshold - margin);
        equal(
          o.escaped,
          false,
          `margin ${margin}: generated code ran unchecked: ${JSON.stringify(o)}`,
        );
        if (o.seen === "import") during++;
      }
      ok(during > 0, "no collection fell due during the import statement: the test lost its teeth");
    } finally {
      await sandbox.close();
    }
  },
});
