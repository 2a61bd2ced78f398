/**
 * `pyfence cache`: where the interpreter snapshots live, clearing them (the
 * next run rebuilds what it needs), and building them ahead of time, for
 * example in a deploy build.
 *
 * @module
 */
import { join } from "node:path";
import { noPositionals, parse } from "./args.ts";
import { cacheDir } from "../host/cache_dir.ts";
import { Sandbox } from "../host/sandbox.ts";
import { builtinPolicyNames } from "../policy/load.ts";
import { ExitCode } from "./exit_code.ts";
import { println } from "./output.ts";
import { withProgress } from "./progress.ts";
import { UsageError } from "../errors.ts";
import { didYouMean } from "../suggest.ts";
import { inertField } from "../inert.ts";

const ACTIONS: Record<string, (args: string[]) => Promise<number>> = { path, clear, warm };

/** Run `pyfence cache ...` with `args`; returns the exit code. */
export function cacheCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const expected = `(expected: ${Object.keys(ACTIONS).join(", ")})`;
  if (action === undefined) throw new UsageError("ACTION", `missing ${expected}`);
  if (!Object.hasOwn(ACTIONS, action)) {
    throw new UsageError(
      "ACTION",
      `unknown action '${action}'${didYouMean(action, Object.keys(ACTIONS))} ${expected}`,
    );
  }
  return ACTIONS[action](rest);
}

function path(args: string[]): Promise<number> {
  noPositionals(parse(args, {}).positionals);
  println(cacheDir());
  return Promise.resolve(ExitCode.Ok);
}

async function clear(args: string[]): Promise<number> {
  noPositionals(parse(args, {}).positionals);
  const dir = cacheDir();
  let removed = 0;
  let code = 0;
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && /^snapshot-[0-9a-f]+\.bin(\..*\.tmp)?$/.test(entry.name)) {
        await Deno.remove(join(dir, entry.name));
        removed++;
      } else if (entry.isDirectory && /^sandbox-[0-9a-f]+$/.test(entry.name)) {
        // The sandbox process's code, written by each pyfence version that ran.
        await Deno.remove(join(dir, entry.name), { recursive: true });
        code++;
      }
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  println(
    `removed ${removed} snapshot(s) and ${code} sandbox code director${code === 1 ? "y" : "ies"} ` +
      `from ${dir}; the next run rebuilds what it needs`,
  );
  return ExitCode.Ok;
}

async function warm(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { policy: { type: "string", multiple: true } });
  noPositionals(positionals);
  const policies = (values.policy as string[] | undefined) ?? builtinPolicyNames();
  for (const policy of policies) {
    const started = performance.now();
    const sandbox = new Sandbox({ policy, poolSize: 0 });
    try {
      const shown = inertField(policy);
      await withProgress(
        `building the interpreter snapshot for policy '${shown}'`,
        sandbox.prepare(),
        true,
      );
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      println(`policy '${shown}': snapshot ready (${seconds} s)`);
    } finally {
      await sandbox.close();
    }
  }
  println(`snapshots are in ${cacheDir()}`);
  return ExitCode.Ok;
}
