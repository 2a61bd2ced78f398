/**
 * `pyfence check`: static analysis inside the sandbox, nothing executed.
 *
 * @module
 */
import { parse } from "./args.ts";
import { readScript } from "./script.ts";
import { Sandbox } from "../host/sandbox.ts";
import { ExitCode } from "./exit_code.ts";
import { UsageError } from "../errors.ts";

/** Run `pyfence check` with `args`; returns the exit code. */
export async function checkCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    policy: { type: "string" },
    json: { type: "boolean" },
  });
  if (positionals.length !== 1) {
    throw new UsageError("SCRIPT", positionals.length ? "give exactly one script" : "missing");
  }
  const code = await readScript(positionals[0]);
  const sandbox = new Sandbox({ policy: values.policy as string | undefined, poolSize: 0 });
  try {
    const result = await sandbox.check(code);
    if (values.json) {
      console.log(JSON.stringify(result));
    } else {
      for (const f of result.findings) {
        console.log(`${positionals[0]}:${f.line ?? 0}:${f.col ?? 0}: ${f.kind}: ${f.detail}`);
      }
      if (result.ok) console.log(`${positionals[0]}: no findings`);
    }
    return result.ok ? ExitCode.Ok : ExitCode.Violation;
  } finally {
    await sandbox.close();
  }
}
