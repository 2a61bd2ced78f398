/**
 * Assertions about run results, shared by the attack and corpus tests.
 */
import { equal, ok } from "assert";
import type { RunResult } from "../../src/protocol/result.ts";
import type { Attack } from "./corpus.ts";

/**
 * What a contained attack must look like: never `ESCAPED`; a bomb ends in its
 * limit error; and nothing may crash the interpreter (a `WorkerCrash` is a
 * broken sandbox even if nothing leaked). A blocked attack may end in an
 * error, a violation, or silence, as the corpus allows: a coding-cookie trick,
 * for one, is harmless Python once the source is parsed as text.
 */
export function assertContained(attack: Attack, r: RunResult): void {
  const where = `${attack.name}: ${JSON.stringify({ ...r, stdout: r.stdout.slice(0, 300) })}`;
  ok(!r.stdout.includes("ESCAPED") && !r.stderr.includes("ESCAPED"), `escaped: ${where}`);
  if (attack.expect === "limit") {
    equal(r.ok, false, where);
    const parserBomb = attack.className === "parser" && r.error?.type === "SyntaxError";
    ok(r.error?.kind === "limit" || parserBomb, `not a limit error: ${where}`);
  } else {
    ok(r.error?.type !== "WorkerCrash", `the interpreter crashed: ${where}`);
  }
}
