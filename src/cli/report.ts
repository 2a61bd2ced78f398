/**
 * `pyfence report`: a security report over an audit JSONL file, as text,
 * JSON or a self-contained HTML page.
 *
 * @module
 */
import { onePositional, parse } from "./args.ts";
import { renderReport, renderReportHtml, summarizeAudit } from "../audit/report.ts";
import { ExitCode } from "./exit_code.ts";
import { println, write } from "./output.ts";
import { UsageError } from "../errors.ts";
import { didYouMean } from "../suggest.ts";

const FORMATS = ["text", "json", "html"];

/** Run `pyfence report` with `args`; returns the exit code. */
export async function reportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    format: { type: "string" },
    json: { type: "boolean" },
  });
  const path = onePositional(positionals, "AUDIT.jsonl");
  const format = (values.format as string | undefined) ?? (values.json ? "json" : "text");
  if (!FORMATS.includes(format)) {
    throw new UsageError(
      "--format",
      `unknown format '${format}'${didYouMean(format, FORMATS)} (expected: ${FORMATS.join(", ")})`,
    );
  }
  if (values.json && format !== "json") {
    throw new UsageError("--json", `conflicts with --format ${format}`);
  }
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    throw new UsageError("AUDIT.jsonl", `cannot read '${path}': ${(err as Error).message}`);
  }
  const report = summarizeAudit(text);
  if (format === "json") println(JSON.stringify(report, null, 2));
  else if (format === "html") write("stdout", renderReportHtml(report));
  else println(renderReport(report));
  return ExitCode.Ok;
}
