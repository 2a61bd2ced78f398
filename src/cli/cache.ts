/**
 * `pyfence cache`: where the interpreter snapshots live, and clearing them
 * (the next run rebuilds what it needs).
 *
 * @module
 */
import { join } from "node:path";
import { parse } from "./args.ts";
import { cacheDir } from "../host/cache_dir.ts";
import { ExitCode } from "./exit_code.ts";
import { UsageError } from "../errors.ts";

/** Run `pyfence cache ...` with `args`; returns the exit code. */
export async function cacheCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { positionals } = parse(rest, {});
  if (positionals.length) throw new UsageError(positionals[0], "unexpected argument");
  const dir = cacheDir();
  if (action === "path") {
    console.log(dir);
    return ExitCode.Ok;
  }
  if (action !== "clear") {
    throw new UsageError(
      "cache",
      action
        ? `unknown action '${action}' (expected: path, clear)`
        : "missing action (expected: path, clear)",
    );
  }
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
  console.log(
    `removed ${removed} snapshot(s) and ${code} sandbox code director${code === 1 ? "y" : "ies"} ` +
      `from ${dir}; the next run rebuilds what it needs`,
  );
  return ExitCode.Ok;
}
