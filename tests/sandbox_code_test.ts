/**
 * `src/generated/sandbox_code.ts` is the bundle of the supervisor and worker
 * sources as they are: a stale one would run old code in every sandbox.
 */
import { equal } from "assert";
import { sandboxInputsDigest } from "../tools/sandbox_code.ts";
import { SANDBOX_CODE_INPUTS } from "../src/generated/sandbox_code.ts";

Deno.test("generated: the sandbox process's bundle is up to date (run `deno task generate`)", async () => {
  equal(await sandboxInputsDigest(), SANDBOX_CODE_INPUTS, "src/generated/sandbox_code.ts is stale");
});
