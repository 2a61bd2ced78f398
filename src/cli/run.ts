/**
 * `pyfence run`: run one script and report it the way a shell user expects.
 *
 * @module
 */
import { parse, positiveInt } from "./args.ts";
import { readFiles, readScript } from "./input.ts";
import { Sandbox } from "../host/sandbox.ts";
import type { RunError, RunResult } from "../protocol/result.ts";
import { ExitCode, exitCodeOf } from "./exit_code.ts";
import { UsageError } from "../errors.ts";
import type { AuditSink } from "../audit/trail.ts";
import { jsonlAuditSink } from "../audit/jsonl.ts";
import { eprintln, isTerminal, println, write } from "./output.ts";
import { withProgress } from "./progress.ts";
import { inertField, inertText } from "../inert.ts";
import { fetchWithProgress, PACKAGE_FLAGS, packageOptions, sourceFromFlags } from "./packages.ts";

/** The library's option names, as this command's flags. */
const FLAG_OF: Readonly<Record<string, string>> = {
  origin: "--origin",
  files: "--file",
  timeoutMs: "--timeout",
  memoryMb: "--memory",
  packageIndex: "--package-index",
  packageLock: "--package-lock",
};

/** A UsageError about a library option, renamed to the flag that set it. */
function asFlag(err: unknown): unknown {
  if (err instanceof UsageError && Object.hasOwn(FLAG_OF, err.argument)) {
    return new UsageError(FLAG_OF[err.argument], err.problem);
  }
  return err;
}

/** Run `pyfence run` with `args`; returns the exit code. */
export async function runCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    policy: { type: "string" },
    origin: { type: "string" },
    file: { type: "string", multiple: true },
    timeout: { type: "string" },
    memory: { type: "string" },
    json: { type: "boolean" },
    audit: { type: "string" },
    ...PACKAGE_FLAGS,
  });
  if (positionals.length !== 1) {
    throw new UsageError("SCRIPT", positionals.length ? "give exactly one script" : "missing");
  }
  const json = values.json === true;
  const timeoutMs = positiveInt("--timeout", values.timeout);
  const memoryMb = positiveInt("--memory", values.memory);
  const trail = values.audit === undefined ? undefined : auditTrail(values.audit as string);
  const code = await readScript(positionals[0]);
  const files = await readFiles((values.file as string[] | undefined) ?? []);
  const origin = values.origin as string | undefined;
  const policy = (values.policy as string | undefined) ?? "default";
  // poolSize 1: the process stays in the pool after the run, so close()
  // waits for it to exit; the CLI never leaves a sandbox process behind.
  const source = sourceFromFlags(values);
  const sandbox = new Sandbox({
    policy,
    poolSize: 1,
    audit: trail?.sink,
    ...packageOptions(values),
  });
  const terminal = { stdout: isTerminal("stdout"), stderr: isTerminal("stderr") };
  let result: RunResult;
  try {
    await fetchWithProgress(await sandbox.policy(), source, !json);
    await withProgress(
      `building the interpreter snapshot for policy '${inertField(policy)}' (once; cached)`,
      sandbox.prepare(origin),
      !json,
    );
    result = await sandbox.run(code, {
      origin,
      files,
      timeoutMs,
      memoryMb,
      onOutput: json ? undefined : (stream, text) => {
        // On a terminal the script's text must not drive it (escapes, CR).
        write(stream, terminal[stream] ? inertText(text) : text);
      },
    });
  } catch (err) {
    throw asFlag(err);
  } finally {
    await sandbox.close();
  }
  if (json) println(JSON.stringify(result));
  else write("stderr", summary(result));
  if (trail?.failure) {
    eprintln(`pyfence run: --audit: ${inertText(trail.failure)}; the audit trail is incomplete`);
    return ExitCode.Usage;
  }
  return exitCodeOf(result);
}

/**
 * The `--audit` file's sink, opened now so that a file that cannot be written
 * stops the command before the script runs. A write that fails later is
 * remembered, reported once, and fails the command.
 */
function auditTrail(path: string): { sink: AuditSink; failure?: string } {
  let sink: AuditSink;
  try {
    sink = jsonlAuditSink(path);
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError("--audit", err.problem);
    throw err;
  }
  const trail: { sink: AuditSink; failure?: string } = {
    sink: async (event) => {
      try {
        await sink(event);
      } catch (err) {
        trail.failure ??= `writing '${path}' failed: ${(err as Error).message}`;
      }
    },
  };
  return trail;
}

/** What the user reads on stderr after the script's own output; script text made inert. */
function summary(result: RunResult): string {
  const lines: string[] = [];
  for (const v of result.violations) {
    lines.push(
      `pyfence: blocked ${v.kind}: ${inertField(v.detail)}${v.line ? ` (line ${v.line})` : ""}`,
    );
  }
  if (result.error) lines.push(errorText(result.error));
  if (result.truncated) lines.push("pyfence: output truncated at the policy's output limit");
  return lines.length ? lines.join("\n") + "\n" : "";
}

/**
 * The traceback, then `Type: message` on one line: a message is one field,
 * so a newline in it cannot start a line of its own.
 */
function errorText({ type, message, traceback }: RunError): string {
  const last = `${inertField(type)}: ${inertField(message)}`;
  const tail = `${type}: ${message}\n`;
  if (!traceback) return last;
  if (traceback.endsWith(tail)) return inertText(traceback.slice(0, -tail.length)) + last;
  return inertText(traceback.trimEnd());
}
