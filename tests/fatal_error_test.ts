/**
 * A fatal interpreter error (here a C-level recursion that overflows the JS
 * stack) ends that run only, as a `RecursionError`; Pyodide's own dump of
 * it (the guard's file names and lines) never reaches the script's output.
 */
import { equal, ok } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";

Deno.test({
  name: "fatal interpreter error: no dump in the output, the next run works",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const sandbox = new Sandbox({ policy: "default" });
    try {
      const r = await sandbox.run(
        "l = []\nfor _ in range(100000):\n    l = [l]\nprint(len(repr(l)))",
      );
      equal(r.ok, false);
      equal(r.error?.type, "RecursionError", JSON.stringify(r.error));
      // The JS stack overflowed: Pyodide took its fatal-error path.
      equal(r.error?.message, "Maximum call stack size exceeded");
      equal(r.stdout, "");
      equal(r.stderr, "");
      ok(!JSON.stringify(r).includes("pyfence_guard"), JSON.stringify(r));
      equal((await sandbox.run("print(1)")).stdout, "1\n");
    } finally {
      await sandbox.close();
    }
  },
});
