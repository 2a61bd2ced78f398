/**
 * The guard's objects a script is handed on purpose (the `sys` stand-in's
 * streams, asyncio's and time's replacements, the writable area's files)
 * pass the membrane, and lead nowhere: no private state, no globals, no code.
 */
import { equal, ok } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";

Deno.test({
  name: "script-facing guard objects work and lead nowhere",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const sandbox = new Sandbox({ policy: "agent" });
    try {
      const usable = await sandbox.run(
        "import sys, asyncio\nprint('e', file=sys.stderr)\nsys.stdout.write('o\\n')\n" +
          "asyncio.run(asyncio.sleep(0))\nopen('a.bin', 'wb').write(b'x')\n" +
          "print(open('a.bin', 'rb').read())",
      );
      equal(usable.error, undefined, JSON.stringify(usable.error));
      equal(usable.stdout, "o\nb'x'\n");
      equal(usable.stderr, "e\n");
      for (
        const code of [
          "import asyncio\ng = getattr(asyncio.run, '__glob' + 'als__')",
          "import sys\nvars(sys.stdout)",
          "import sys\ngetattr(type(sys.stdout), '__in' + 'it__').__code__",
          "import sys\ngetattr(sys.exit, '__glob' + 'als__')",
          "f = open('b.bin', 'wb')\ngetattr(f, '_' + 'area')",
        ]
      ) {
        const r = await sandbox.run(code);
        equal(r.ok, false, code);
        ok(
          r.error?.kind === "violation" || r.error?.type === "AttributeError",
          `${code}: ${JSON.stringify(r.error)}`,
        );
        ok(!r.stdout.includes("ESCAPED"), code);
      }
    } finally {
      await sandbox.close();
    }
  },
});
