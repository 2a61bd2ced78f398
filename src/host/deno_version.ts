/**
 * The oldest Deno pyfence supports, checked once before the first sandbox
 * starts (by the library and the CLI alike). Deno Deploy lags the newest
 * Deno; 2.5 is what it ran when this was written, and CI runs the security
 * tests on it.
 *
 * @module
 */
import { SandboxError } from "../errors.ts";

/** The minimum Deno version, `[major, minor]`. */
export const MIN_DENO: readonly [number, number] = [2, 5];

/**
 * Why Deno `version` cannot run pyfence, or undefined when it can.
 *
 * @example
 * ```ts
 * import { denoVersionProblem } from "./deno_version.ts";
 * import assert from "node:assert/strict";
 * assert.equal(denoVersionProblem("2.9.6"), undefined);
 * assert.equal(denoVersionProblem("2.4.5"), "pyfence needs Deno 2.5 or later; this is Deno 2.4.5");
 * ```
 */
export function denoVersionProblem(version: string): string | undefined {
  const [major, minor] = version.split(".").map(Number);
  const [needMajor, needMinor] = MIN_DENO;
  const ok = major > needMajor || (major === needMajor && minor >= needMinor);
  return ok
    ? undefined
    : `pyfence needs Deno ${MIN_DENO.join(".")} or later; this is Deno ${version}`;
}

/** Throw a {@link SandboxError} (`deno-version`) when this Deno is too old. */
export function assertDenoVersion(): void {
  const problem = denoVersionProblem(Deno.version.deno);
  if (problem) throw new SandboxError("deno-version", `${problem} (upgrade: deno upgrade)`);
}
