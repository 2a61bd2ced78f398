/**
 * `pyfence check`: static analysis inside the sandbox, nothing executed.
 *
 * @module
 */
import { onePositional, parse } from "./args.ts";
import { readScript } from "./input.ts";
import { Sandbox } from "../host/sandbox.ts";
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
    return result.ok ? ExitCode.Ok : ExitCode.Violation;
  } finally {
    await sandbox.close();
  }
}
