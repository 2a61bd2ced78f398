/**
 * `pyfence policy explain`: the capability table of a policy for an origin.
 *
 * @module
 */
import { parse } from "./args.ts";
import { loadPolicy } from "../policy/load.ts";
import { parseOrigin } from "../capabilities/origin.ts";
import { explain, permissionsFor, renderExplanation } from "../capabilities/permissions.ts";
import { sandboxFlags } from "../host/launch.ts";
import { ExitCode } from "./exit_code.ts";
import { UsageError } from "../errors.ts";

/** Run `pyfence policy ...` with `args`; returns the exit code. */
export async function policyCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action !== "explain") {
    throw new UsageError(
      "policy",
      action
        ? `unknown action '${action}' (expected: explain)`
        : "missing action (expected: explain)",
    );
  }
  const { values, positionals } = parse(rest, {
    policy: { type: "string" },
    origin: { type: "string" },
    json: { type: "boolean" },
  });
  if (positionals.length) throw new UsageError(positionals[0], "unexpected argument");
  const policy = await loadPolicy((values.policy as string | undefined) ?? "default");
  const map = permissionsFor(policy, parseOrigin(values.origin as string | undefined, "--origin"));
  const explanation = explain(map);
  const flags = sandboxFlags(map.deno, { memoryMb: map.limits.memoryMb });
  if (values.json) {
    console.log(JSON.stringify({ ...explanation, processFlags: flags }, null, 2));
  } else {
    console.log(renderExplanation(explanation));
    console.log(`\nsandbox process: deno run ${flags.join(" ")} …`);
  }
  return ExitCode.Ok;
}
