/**
 * `pyfence cache`: where the interpreter snapshots and the policies' packages
 * live, clearing them (the next run rebuilds and fetches what it needs), and
 * fetching and building them ahead of time, for example in a deploy build.
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
import { packageCacheDir } from "../host/packages.ts";
import { fetchWithProgress, PACKAGE_FLAGS, packageOptions, sourceFromFlags } from "./packages.ts";

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
  let wheels = 0;
  try {
    for await (const entry of Deno.readDir(packageCacheDir())) {
      if (entry.isFile && /^[0-9a-f]{64}-[^/]+\.whl(\..*\.tmp)?$/.test(entry.name)) {
        await Deno.remove(join(packageCacheDir(), entry.name));
        wheels++;
      }
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
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
    `removed ${removed} snapshot(s), ${wheels} package file(s) and ${code} sandbox code ` +
      `director${code === 1 ? "y" : "ies"} from ${dir}; the next run rebuilds (and fetches) ` +
      "what it needs",
  );
  return ExitCode.Ok;
}

async function warm(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    policy: { type: "string", multiple: true },
    ...PACKAGE_FLAGS,
  });
  noPositionals(positionals);
  const source = sourceFromFlags(values);
  const policies = (values.policy as string[] | undefined) ?? builtinPolicyNames();
  for (const policy of policies) {
    const started = performance.now();
    const sandbox = new Sandbox({ policy, poolSize: 0, ...packageOptions(values) });
    try {
      const shown = inertField(policy);
      const { packages } = await fetchWithProgress(await sandbox.policy(), source, true);
      await withProgress(
        `building the interpreter snapshot for policy '${shown}'`,
        sandbox.prepare(),
        true,
      );
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const cached = packages.length ? `${packages.length} package(s) cached, ` : "";
      println(`policy '${shown}': ${cached}snapshot ready (${seconds} s)`);
    } finally {
      await sandbox.close();
    }
  }
  println(`snapshots are in ${cacheDir()}`);
  return ExitCode.Ok;
}
