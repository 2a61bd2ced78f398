/**
 * The `pyfence` command line. See `pyfence --help`.
 *
 * @example
 * ```sh
 * deno run -A jsr:@pyfence/pyfence/cli run --origin https://a.example script.py
 * ```
 *
 * @module
 */
import { HELP } from "./help.ts";
import { runCommand } from "./run.ts";
import { checkCommand } from "./check.ts";
import { policyCommand } from "./explain.ts";
import { reportCommand } from "./report.ts";
import { cacheCommand } from "./cache.ts";
import { ExitCode } from "./exit_code.ts";
import { PolicyError, UsageError } from "../errors.ts";

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  run: runCommand,
  check: checkCommand,
  policy: policyCommand,
  report: reportCommand,
  cache: cacheCommand,
};

/**
 * Run the CLI with `args` and return its exit code (it does not exit).
 *
 * @example
 * ```ts
 * import { main } from "@pyfence/pyfence/cli";
 * const code = await main(["policy", "explain", "--origin", "https://a.example"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (!command || command === "-h" || command === "--help") {
    console.log(HELP[""]);
    return command ? ExitCode.Ok : ExitCode.Usage;
  }
  if (command === "help") {
    console.log(HELP[rest[0] ?? ""] ?? HELP[""]);
    return ExitCode.Ok;
  }
  const handler = COMMANDS[command];
  if (!handler) {
    console.error(`pyfence: unknown command '${command}'\n\n${HELP[""]}`);
    return ExitCode.Usage;
  }
  if (rest.includes("-h") || rest.includes("--help")) {
    console.log(HELP[command]);
    return ExitCode.Ok;
  }
  try {
    return await handler(rest);
  } catch (err) {
    if (err instanceof UsageError || err instanceof PolicyError) {
      console.error(`pyfence ${command}: ${err.message}`);
      return ExitCode.Usage;
    }
    throw err;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
