/**
 * `pyfence check`: static analysis inside the sandbox, nothing executed.
 *
 * @module
 */
import { onePositional, parse } from "./args.ts";
import { readScript } from "./input.ts";
import { type CheckResult, Sandbox } from "../host/sandbox.ts";
import { ExitCode } from "./exit_code.ts";
import { println } from "./output.ts";
import { inertField } from "../inert.ts";

/** Run `pyfence check` with `args`; returns the exit code. */
export async function checkCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    policy: { type: "string" },
    json: { type: "boolean" },
  });
  const path = onePositional(positionals, "SCRIPT");
  const code = await readScript(path);
  // poolSize 1 so that close() waits for the process to exit (see run.ts).
  const sandbox = new Sandbox({ policy: values.policy as string | undefined, poolSize: 1 });
  try {
    const result = await sandbox.check(code);
    if (values.json) {
      println(JSON.stringify(result));
    } else {
      const shown = inertField(path);
      for (const f of result.findings) {
        println(`${shown}:${f.line ?? 0}:${f.col ?? 0}: ${f.kind}: ${inertField(f.detail)}`);
      }
      if (result.ok) println(`${shown}: no findings`);
    }
    return checkExitCode(result);
  } finally {
    await sandbox.close();
  }
}

/**
 * The exit code of `pyfence check`, as `pyfence run` would end on the same
 * script: a syntax error is the script's error (1), a script over the size
 * limit is a limit (4), anything else found is a violation (3).
 */
export function checkExitCode(result: CheckResult): number {
  if (result.ok) return ExitCode.Ok;
  const kinds = new Set(result.findings.map((f) => f.kind));
  if (kinds.has("syntax") || kinds.has("error")) return ExitCode.ScriptError;
  if (kinds.has("size")) return ExitCode.Limit;
  return ExitCode.Violation;
}
