/**
 * `src/generated/sandbox_code.ts` is the bundle of the supervisor and worker
 * sources as they are: a stale one would run old code in every sandbox.
 */
import { equal } from "assert";
import { SANDBOX_CODE_PATH, sandboxCodeModule } from "../tools/sandbox_code.ts";

Deno.test("generated: the sandbox process's bundle is up to date (run `deno task generate`)", async () => {
  const committed = await Deno.readTextFile(new URL(`../${SANDBOX_CODE_PATH}`, import.meta.url));
  equal(committed === await sandboxCodeModule(), true, `${SANDBOX_CODE_PATH} is stale`);
});
