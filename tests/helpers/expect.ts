/**
 * Assertions about run results, shared by the attack and corpus tests.
 */
import { equal, ok } from "assert";
import type { RunResult } from "../../src/result.ts";
import type { Attack } from "./corpus.ts";

/** Error types that mean a resource limit stopped the script. */
export const LIMIT_ERRORS: ReadonlySet<string> = new Set([
  "TimeoutError",
  "MemoryError",
  "RecursionError",
  "OutputLimitError",
  "CodeSizeError",
]);

/**
 * What a blocked attack must look like: never `ESCAPED`, and a concrete
 * refusal: a violation or a security/limit error, not a silent success.
 */
export function assertContained(attack: Attack, r: RunResult): void {
  const where = `${attack.name}: ${JSON.stringify({ ...r, stdout: r.stdout.slice(0, 300) })}`;
  ok(!r.stdout.includes("ESCAPED") && !r.stderr.includes("ESCAPED"), `escaped: ${where}`);
  if (attack.expect === "limit") {
    equal(r.ok, false, where);
    const parserBomb = attack.className === "parser" && r.error?.type === "SyntaxError";
    ok(LIMIT_ERRORS.has(r.error!.type) || parserBomb, `not a limit error: ${where}`);
  } else {
    // A blocked attack ends in a refusal the host can see; a run that
    // merely "did nothing" would hide a broken defence.
    ok(!r.ok, `the attack ran to its end: ${where}`);
  }
}
