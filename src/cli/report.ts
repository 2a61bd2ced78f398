/**
 * `pyfence report`: a security report over an audit trail — a JSONL file, or
 * a server's Deno KV store (`--kv`) — for a time range and an origin or
 * caller, as text, JSON or a self-contained HTML page, optionally with one
 * line per run.
 *
 * @module
 */
import { parse } from "./args.ts";
import { addJsonl, renderReport, ReportBuilder } from "../audit/report.ts";
import { renderReportHtml } from "../audit/report_html.ts";
import { openKvAuditStore } from "../audit/kv.ts";
import { ExitCode } from "./exit_code.ts";
import { println, write } from "./output.ts";
import { UsageError } from "../errors.ts";
import { didYouMean } from "../suggest.ts";

const FORMATS = ["text", "json", "html"];
const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A time flag's value: an ISO-8601 date or date-time (`2026-05-01`,
 * `2026-05-01T12:00:00Z`), `now`, or a duration ago (`30m`, `24h`, `7d`).
 *
 * @throws {UsageError} naming `flag`.
 */
export function parseTime(flag: string, value: string, now = Date.now()): Date {
  if (value === "now") return new Date(now);
  const ago = /^([0-9]{1,9})([smhd])$/.exec(value);
  if (ago) return new Date(now - Number(ago[1]) * UNITS[ago[2]]);
  if (/^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9:.]+(Z|[+-][0-9]{2}:?[0-9]{2})?)?$/.test(value)) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return new Date(ms);
  }
  throw new UsageError(
    flag,
    `'${value}' is not a time: give an ISO date or date-time (2026-05-01, ` +
      "2026-05-01T12:00:00Z), now, or a duration ago (30m, 24h, 7d)",
  );
}

/** Run `pyfence report` with `args`; returns the exit code. */
export async function reportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    format: { type: "string" },
    json: { type: "boolean" },
    since: { type: "string" },
    until: { type: "string" },
    origin: { type: "string" },
    caller: { type: "string" },
    runs: { type: "boolean" },
    kv: { type: "string" },
  });
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
  const kv = values.kv as string | undefined;
  if (kv !== undefined && positionals.length) {
    throw new UsageError(positionals[0], "give an AUDIT.jsonl file or --kv, not both");
  }
  if (kv === undefined && positionals.length !== 1) {
    throw new UsageError(
      "AUDIT.jsonl",
      positionals.length ? `give exactly one, got ${positionals.length}` : "missing (or give --kv)",
    );
  }
  const now = Date.now();
  const since = values.since === undefined
    ? undefined
    : parseTime("--since", values.since as string, now);
  const until = values.until === undefined
    ? undefined
    : parseTime("--until", values.until as string, now);
  if (since && until && since >= until) {
    throw new UsageError("--until", "must be later than --since");
  }
  const query = {
    since,
    until,
    origin: values.origin as string | undefined,
    caller: values.caller as string | undefined,
  };
  const builder = new ReportBuilder({ ...query, runs: values.runs === true });
  if (kv !== undefined) {
    if (!/^https?:\/\//.test(kv)) {
      try {
        Deno.statSync(kv);
      } catch (err) {
        throw new UsageError("--kv", `cannot read '${kv}': ${(err as Error).message}`);
      }
    }
    const store = await openKvAuditStore(kv, {}, "--kv");
    try {
      for await (const event of store.query(query)) builder.add(event);
    } finally {
      await store.close();
    }
  } else {
    const path = positionals[0];
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (err) {
      throw new UsageError("AUDIT.jsonl", `cannot read '${path}': ${(err as Error).message}`);
    }
    addJsonl(builder, text);
  }
  const report = builder.report();
  if (format === "json") println(JSON.stringify(report, null, 2));
  else if (format === "html") write("stdout", renderReportHtml(report));
  else println(renderReport(report));
  return ExitCode.Ok;
}
