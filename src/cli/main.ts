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
import { HELP, USAGE } from "./help.ts";
import { runCommand } from "./run.ts";
import { checkCommand } from "./check.ts";
import { policyCommand } from "./policy.ts";
import { reportCommand } from "./report.ts";
import { cacheCommand } from "./cache.ts";
import { serveCommand } from "./serve.ts";
import { mcpCommand } from "./mcp.ts";
import { ExitCode } from "./exit_code.ts";
import { eprintln, println } from "./output.ts";
import { PolicyError, SandboxError, UsageError } from "../errors.ts";
import { assertDenoVersion } from "../host/deno_version.ts";
import { PYODIDE_VERSION, pythonVersion } from "../host/assets.ts";
import { VERSION } from "../generated/version.ts";
import { didYouMean } from "../suggest.ts";
import { inertText } from "../inert.ts";

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  run: runCommand,
  check: checkCommand,
  policy: policyCommand,
  report: reportCommand,
  cache: cacheCommand,
  serve: serveCommand,
  mcp: mcpCommand,
};

/**
 * Run the CLI with `args` and return its exit code (it does not exit). Usage
 * and policy errors are reported (as JSON on stdout when `--json` is given)
 * and returned as exit code 2, never thrown.
 *
 * @example
 * ```ts
 * import { main } from "@pyfence/pyfence/cli";
 * import assert from "node:assert/strict";
 * assert.equal(await main(["policy", "explain", "--origin", "https://a.example"]), 0);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const [command = "", ...rest] = args;
  const json = rest.includes("--json") || /(^|\s)--format[= ]json\b/.test(rest.join(" "));
  try {
    assertDenoVersion();
    if (command === "--version" || command === "-V") {
      println(
        `pyfence ${VERSION} (Deno ${Deno.version.deno}, Pyodide ${PYODIDE_VERSION}, ` +
          `Python ${await pythonVersion()})`,
      );
      return ExitCode.Ok;
    }
    if (command === "-h" || command === "--help") {
      println(HELP[""]);
      return ExitCode.Ok;
    }
    if (command === "help") {
      const topic = rest[0] === "-h" || rest[0] === "--help" ? "help" : rest[0] ?? "";
      if (!Object.hasOwn(HELP, topic)) throw unknownCommand(topic);
      println(HELP[topic]);
      return ExitCode.Ok;
    }
    if (command === "") throw new UsageError("COMMAND", "missing");
    if (!Object.hasOwn(COMMANDS, command)) throw unknownCommand(command);
    if (rest.includes("-h") || rest.includes("--help")) {
      println(HELP[command]);
      return ExitCode.Ok;
    }
    return await COMMANDS[command](rest);
  } catch (err) {
    return reportError(err, Object.hasOwn(COMMANDS, command) ? command : "", json);
  }
}

function unknownCommand(name: string): UsageError {
  const known = [...Object.keys(COMMANDS), "help"];
  return new UsageError(
    "COMMAND",
    `unknown command '${name}'${didYouMean(name, known)}; commands: ${known.join(", ")}`,
  );
}

/** Report an error the way the user asked (text on stderr, or JSON on stdout); its exit code. */
function reportError(err: unknown, command: string, json: boolean): number {
  const prefix = command ? `pyfence ${command}` : "pyfence";
  let code: number;
  let error: Record<string, unknown>;
  if (err instanceof UsageError) {
    code = ExitCode.Usage;
    error = { code: "usage", argument: err.argument, message: err.message };
  } else if (err instanceof PolicyError) {
    code = ExitCode.Usage;
    error = { code: "policy", keyPath: err.keyPath, file: err.file, message: err.message };
  } else if (err instanceof SandboxError) {
    // An interpreter that cannot start is reported like one that crashed.
    code = err.reason === "deno-version" ? ExitCode.Usage : ExitCode.ScriptError;
    error = { code: "sandbox", reason: err.reason, message: err.message };
  } else {
    throw err;
  }
  if (json) {
    println(JSON.stringify({ error }));
  } else {
    eprintln(`${prefix}: ${inertText(err.message)}`);
    // The usage lines help with the command line's shape, not with a bad value.
    if (
      err instanceof UsageError &&
      (!err.argument.startsWith("-") || /^unknown option/.test(err.problem))
    ) {
      eprintln(`${USAGE[command]}\nRun '${prefix} --help' for details.`);
    }
  }
  return code;
}

if (import.meta.main) {
  const code = await main(Deno.args);
  Deno.exit(code);
}
