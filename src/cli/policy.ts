/**
 * `pyfence policy explain`: the capability table of a policy for an origin;
 * `pyfence policy list`: the built-in policies.
 *
 * @module
 */
import { noPositionals, parse } from "./args.ts";
import { stringify } from "npm:yaml@2.9.1";
import { builtinPolicyNames, loadPolicy, resolvePolicy } from "../policy/load.ts";
import { parseOrigin } from "../capabilities/origin.ts";
import { permissionsFor } from "../capabilities/permissions.ts";
import { explain, renderExplanation } from "../capabilities/explain.ts";
import { sandboxFlags } from "../host/launch.ts";
import { ExitCode } from "./exit_code.ts";
import { println } from "./output.ts";
import { UsageError } from "../errors.ts";
import { didYouMean } from "../suggest.ts";
import { loadLock, resolvePackages } from "../host/packages.ts";
import { PYODIDE_VERSION } from "../host/assets.ts";
import { PACKAGE_FLAGS, sourceFromFlags } from "./packages.ts";

const ACTIONS: Record<string, (args: string[]) => Promise<number>> = {
  explain: explainAction,
  list,
};

/** Run `pyfence policy ...` with `args`; returns the exit code. */
export function policyCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action === undefined) throw new UsageError("ACTION", "missing (expected: explain, list)");
  if (!Object.hasOwn(ACTIONS, action)) {
    throw new UsageError(
      "ACTION",
      `unknown action '${action}'${
        didYouMean(action, Object.keys(ACTIONS))
      } (expected: explain, list)`,
    );
  }
  return ACTIONS[action](rest);
}

async function explainAction(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    policy: { type: "string" },
    origin: { type: "string" },
    json: { type: "boolean" },
    ...PACKAGE_FLAGS,
  });
  noPositionals(positionals);
  const source = sourceFromFlags(values);
  const { policy, chain } = await resolvePolicy((values.policy as string | undefined) ?? "default");
  const map = permissionsFor(policy, parseOrigin(values.origin as string | undefined, "--origin"));
  // Resolving reads the lock file only: explaining fetches no package.
  const installed = policy.packages.length
    ? resolvePackages(policy, await loadLock(source), source.labels.lock)
    : [];
  const explanation = explain(map, {
    installed: installed.map(({ listedAt: _, ...p }) => p),
    index: source.index.href,
    lock: source.lock ?? `pyodide-lock.json of the pyodide npm package (${PYODIDE_VERSION})`,
  });
  const flags = sandboxFlags(map.deno, { memoryMb: map.limits.memoryMb });
  if (values.json) {
    println(JSON.stringify({ ...explanation, processFlags: flags, chain, policy }, null, 2));
  } else {
    println(renderExplanation(explanation));
    println(`\nsandbox process: deno run ${flags.join(" ")} …`);
    if (chain.length > 1) {
      // What `extends` made of the file: each policy merged over the one before.
      println(`\npolicy: ${chain.join(" → ")} (mappings merged key by key; lists replaced)`);
      println(stringify(policy, { lineWidth: 0 }).trimEnd());
    }
  }
  return ExitCode.Ok;
}

async function list(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: "boolean" } });
  noPositionals(positionals);
  const policies = await Promise.all(
    builtinPolicyNames().map(async (name) => ({
      name,
      description: (await loadPolicy(name)).description ?? "",
    })),
  );
  if (values.json) println(JSON.stringify(policies, null, 2));
  else {
    const width = Math.max(...policies.map((p) => p.name.length));
    for (const p of policies) println(`${p.name.padEnd(width)}  ${p.description}`);
  }
  return ExitCode.Ok;
}
