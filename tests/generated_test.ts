/**
 * The generated modules (`src/generated/`) match the files they are made
 * from: a stale one would ship an old guard or policy while its hash said
 * otherwise.
 */
import { equal } from "assert";
import { generate } from "../tools/generate.ts";

Deno.test("generated: src/generated/ is up to date (run `deno task generate`)", async () => {
  for (const [path, expected] of Object.entries(await generate())) {
    const actual = await Deno.readTextFile(new URL(`../${path}`, import.meta.url));
    equal(actual, expected, `${path} is stale: run \`deno task generate\``);
  }
});
