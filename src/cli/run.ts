/**
 * `pyfence run`: run one script and report it the way a shell user expects.
 *
 * @module
 */
import { parse, positiveInt } from "./args.ts";
import { readScript } from "./script.ts";
import { Sandbox } from "../host/sandbox.ts";
import type { Files } from "../host/options.ts";
import type { RunResult } from "../protocol/result.ts";
import { exitCodeOf } from "./exit_code.ts";
import { UsageError } from "../errors.ts";
import { jsonlAuditSink } from "../audit/trail.ts";

const encoder = new TextEncoder();

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
  });
  if (positionals.length !== 1) {
    throw new UsageError("SCRIPT", positionals.length ? "give exactly one script" : "missing");
  }
  const json = values.json === true;
  const code = await readScript(positionals[0]);
  const files = await readFiles((values.file as string[] | undefined) ?? []);
  const sandbox = new Sandbox({
    policy: values.policy as string | undefined,
    poolSize: 0,
    ...(values.audit ? { audit: jsonlAuditSink(values.audit as string) } : {}),
  });
  let result: RunResult;
  try {
    result = await sandbox.run(code, {
      origin: values.origin as string | undefined,
      files,
      timeoutMs: positiveInt("--timeout", values.timeout),
      memoryMb: positiveInt("--memory", values.memory),
      onOutput: json ? undefined : (stream, text) => {
        (stream === "stdout" ? Deno.stdout : Deno.stderr).writeSync(encoder.encode(text));
      },
    });
  } finally {
    await sandbox.close();
  }
  if (json) {
    await write(Deno.stdout, JSON.stringify(result) + "\n");
  } else {
    await write(Deno.stderr, report(result));
  }
  return exitCodeOf(result);
}

async function readFiles(specs: string[]): Promise<Files> {
  const files: Files = {};
  for (const spec of specs) {
    const eq = spec.indexOf("=");
    if (eq <= 0 || eq === spec.length - 1) {
      throw new UsageError("--file", `expected NAME=PATH, got '${spec}'`);
    }
    const name = spec.slice(0, eq);
    const path = spec.slice(eq + 1);
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch (err) {
      throw new UsageError(
        "--file",
        `cannot read '${path}' for ${name}: ${(err as Error).message}`,
      );
    }
    try {
      files[name] = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      files[name] = bytes;
    }
  }
  return files;
}

function report(result: RunResult): string {
  const lines: string[] = [];
  for (const v of result.violations) {
    lines.push(`pyfence: blocked ${v.kind}: ${v.detail}${v.line ? ` (line ${v.line})` : ""}`);
  }
  if (result.error) {
    if (result.error.traceback) lines.push(result.error.traceback.trimEnd());
    else lines.push(`${result.error.type}: ${result.error.message}`);
  }
  if (result.truncated) lines.push("pyfence: output truncated at the policy's output limit");
  return lines.length ? lines.join("\n") + "\n" : "";
}

async function write(file: typeof Deno.stdout, text: string): Promise<void> {
  const bytes = encoder.encode(text);
  for (let off = 0; off < bytes.length;) off += await file.write(bytes.subarray(off));
}
