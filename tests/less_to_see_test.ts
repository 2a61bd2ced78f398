/**
 * Less to see (issue 14, item 8): a worker with no permissions can still
 * call what Deno answers without one. The sandbox process is started so that
 * those answers carry nothing of the host: no command-line arguments (the
 * channel's address and token come through the environment, which a worker
 * cannot read), and a private, empty working directory. What stays visible
 * is listed in README ("What is not defended, or only partly").
 */
import { deepEqual, equal, match, ok } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";
import { unguardedForTests } from "../src/host/internal.ts";

Deno.test({
  name: "less to see: no arguments, a private empty working directory, no channel path",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const sandbox = new Sandbox(unguardedForTests({ poolSize: 1 }));
    try {
      const r = await sandbox.run(
        `import js\nprint(js.eval(${
          JSON.stringify(`JSON.stringify({
            args: Deno.args,
            argv: process.argv.slice(2),
            cwd: Deno.cwd(),
            nodeCwd: process.cwd(),
          })`)
        }))`,
      );
      equal(r.ok, true, JSON.stringify(r));
      const seen = JSON.parse(r.stdout);
      deepEqual(seen.args, []);
      deepEqual(seen.argv, []);
      match(seen.cwd, /\/pyfence-process-[^/]+\/cwd$/);
      equal(seen.nodeCwd, seen.cwd);
      ok(seen.cwd !== Deno.cwd(), "the worker sees the host's working directory");
      // Private (mode 0700, this user's only) and empty; gone with the process.
      const parent = seen.cwd.replace(/\/cwd$/, "");
      equal((await Deno.stat(parent)).mode! & 0o777, 0o700);
      deepEqual([...Deno.readDirSync(seen.cwd)], []);
      await sandbox.close();
      let gone = false;
      for (let i = 0; i < 100 && !gone; i++) {
        gone = await Deno.stat(parent).then(() => false, () => true);
        if (!gone) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      ok(gone, `${parent} outlived its process`);
    } finally {
      await sandbox.close();
    }
  },
});
