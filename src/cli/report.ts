/**
 * `pyfence report`: a security report over an audit JSONL file.
 *
 * @module
 */
import { parse } from "./args.ts";
import { renderReport, summarizeAudit } from "../audit/report.ts";
import { ExitCode } from "./exit_code.ts";
import { UsageError } from "../errors.ts";

/** Run `pyfence report` with `args`; returns the exit code. */
export async function reportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: "boolean" } });
  if (positionals.length !== 1) {
    throw new UsageError("AUDIT.jsonl", positionals.length ? "give exactly one file" : "missing");
  }
  let text: string;
  try {
    text = await Deno.readTextFile(positionals[0]);
  } catch (err) {
    throw new UsageError(
      "AUDIT.jsonl",
      `cannot read '${positionals[0]}': ${(err as Error).message}`,
    );
  }
  const report = summarizeAudit(text);
  console.log(values.json ? JSON.stringify(report, null, 2) : renderReport(report));
  return ExitCode.Ok;
}
