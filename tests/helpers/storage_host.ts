/**
 * A host process of its own for storage tests: runs one script
 * (`Deno.args[2]`) under the origin `Deno.args[1]` on the store at
 * `Deno.args[0]`, and prints the result as JSON.
 */
import { Sandbox } from "../../src/host/sandbox.ts";

const [storage, origin, code] = Deno.args;
const sandbox = new Sandbox({
  policy: {
    version: 1,
    modules: { allow: ["json"] },
    network: { same_origin: true },
    storage: { enabled: true },
  },
  storage,
  poolSize: 0,
});
try {
  console.log(JSON.stringify(await sandbox.run(code, { origin })));
} finally {
  await sandbox.close();
}
