/**
 * Security reports over an audit trail: what was attempted, from which
 * origins, how runs ended. Every name and detail in a trail may have been
 * chosen by a script (an exception class called `__proto__`, a violation
 * detail full of escape sequences): counts are kept in `Map`s, and the
 * renderers show such text inert.
 *
 * @module
 */
import type { AuditEvent } from "./trail.ts";
import { inertField } from "../inert.ts";

/** How often one thing occurred. */
export interface ReportCount {
  /** What: an error type, a violation kind, an origin. */
  key: string;
  /** How many times. */
  count: number;
}

/** A summary of audit events. Every list is ordered most frequent first. */
export interface SecurityReport {
  /** Runs seen (by `run.start`). */
  runs: number;
  /** Runs that ended ok. */
  ok: number;
  /** How failed runs ended, by error type. */
  errors: ReportCount[];
  /** Violations by kind. */
  violationsByKind: ReportCount[];
  /** Violations by origin. */
  violationsByOrigin: ReportCount[];
  /** The most frequent violation details. */
  topViolations: { kind: string; detail: string; count: number }[];
  /** Calls of host functions (`host.call` events). */
  hostCalls: number;
  /** Lines that were not valid audit events. */
  malformedLines: number;
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function ranked(map: Map<string, number>): ReportCount[] {
  return [...map].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count);
}

/**
 * Summarise JSONL audit text (as written by `jsonlAuditSink`). Lines that are
 * not audit events are counted in `malformedLines`, never trusted.
 *
 * @example
 * ```ts
 * import { summarizeAudit } from "@pyfence/pyfence";
 * import assert from "node:assert/strict";
 * const report = summarizeAudit(
 *   '{"type":"run.start","runId":"r","origin":"null"}\n' +
 *     '{"type":"violation","runId":"r","origin":"null","violation":{"kind":"import","detail":"import os","at":1}}\n' +
 *     '{"type":"run.end","runId":"r","origin":"null","ok":false,"errorType":"__proto__"}\n',
 * );
 * assert.equal(report.runs, 1);
 * assert.deepEqual(report.violationsByKind, [{ key: "import", count: 1 }]);
 * assert.deepEqual(report.errors, [{ key: "__proto__", count: 1 }]);
 * ```
 */
export function summarizeAudit(jsonl: string, top = 10): SecurityReport {
  let runs = 0, ok = 0, hostCalls = 0, malformedLines = 0;
  const errors = new Map<string, number>();
  const byKind = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  const details = new Map<string, { kind: string; detail: string; count: number }>();
  for (const line of jsonl.split("\n")) {
    if (!line.trim()) continue;
    let event: AuditEvent;
    try {
      event = JSON.parse(line);
    } catch {
      malformedLines++;
      continue;
    }
    switch (event?.type) {
      case "run.start":
        runs++;
        break;
      case "run.end":
        if (event.ok === true) ok++;
        else bump(errors, String(event.errorType ?? "unknown"));
        break;
      case "violation": {
        const { kind, detail } = event.violation ?? {};
        if (typeof kind !== "string" || typeof detail !== "string") {
          malformedLines++;
          break;
        }
        bump(byKind, kind);
        bump(byOrigin, String(event.origin));
        const key = JSON.stringify([kind, detail]);
        const entry = details.get(key) ?? { kind, detail, count: 0 };
        entry.count++;
        details.set(key, entry);
        break;
      }
      case "host.call":
        hostCalls++;
        break;
      default:
        malformedLines++;
    }
  }
  return {
    runs,
    ok,
    errors: ranked(errors),
    violationsByKind: ranked(byKind),
    violationsByOrigin: ranked(byOrigin),
    topViolations: [...details.values()].sort((a, b) => b.count - a.count).slice(0, top),
    hostCalls,
    malformedLines,
  };
}

/**
 * Render a report as plain text for a terminal; script-controlled text is
 * shown inert (see `inert.ts`).
 *
 * @example
 * ```ts
 * import { renderReport, summarizeAudit } from "./report.ts";
 * import assert from "node:assert/strict";
 * const text = renderReport(summarizeAudit(
 *   '{"type":"violation","runId":"r","origin":"null","violation":{"kind":"import","detail":"x\\r\\u001b[2Kforged","at":1}}\n',
 * ));
 * assert.match(text, /\[import\] x\\r\\x1b\[2Kforged/);
 * ```
 */
export function renderReport(report: SecurityReport): string {
  const table = (title: string, counts: ReportCount[]) => [
    title,
    ...(counts.length
      ? counts.map(({ key, count }) => `  ${String(count).padStart(6)}  ${inertField(key)}`)
      : ["  (none)"]),
  ];
  return [
    `runs: ${report.runs}  ok: ${report.ok}  failed: ${report.runs - report.ok}` +
    (report.hostCalls ? `  host calls: ${report.hostCalls}` : ""),
    ...table("errors:", report.errors),
    ...table("violations by kind:", report.violationsByKind),
    ...table("violations by origin:", report.violationsByOrigin),
    "most frequent violations:",
    ...(report.topViolations.length
      ? report.topViolations.map((v) =>
        `  ${String(v.count).padStart(6)}  [${inertField(v.kind)}] ${inertField(v.detail)}`
      )
      : ["  (none)"]),
    ...(report.malformedLines ? [`malformed lines skipped: ${report.malformedLines}`] : []),
  ].join("\n");
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Text as HTML character data: markup characters escaped, control characters inert. */
function html(text: string): string {
  return inertField(text).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/**
 * Render a report as a self-contained HTML page (no scripts, no external
 * resources); every script-controlled string is escaped.
 *
 * @example
 * ```ts
 * import { renderReportHtml, summarizeAudit } from "./report.ts";
 * import assert from "node:assert/strict";
 * const page = renderReportHtml(summarizeAudit(
 *   '{"type":"violation","runId":"r","origin":"null","violation":{"kind":"import","detail":"<script>x</script>","at":1}}\n',
 * ));
 * assert.ok(page.includes("&lt;script&gt;x&lt;/script&gt;"));
 * assert.ok(!page.includes("<script>"));
 * ```
 */
export function renderReportHtml(
  report: SecurityReport,
  title = "pyfence security report",
): string {
  const table = (caption: string, head: string[], rows: (string | number)[][]) =>
    `<table>\n<caption>${html(caption)}</caption>\n<tr>${
      head.map((h) => `<th>${html(h)}</th>`).join("")
    }</tr>\n` +
    (rows.length
      ? rows.map((r) => `<tr>${r.map((c) => `<td>${html(String(c))}</td>`).join("")}</tr>\n`)
        .join("")
      : `<tr><td colspan="${head.length}">(none)</td></tr>\n`) +
    "</table>";
  const counts = (caption: string, what: string, list: ReportCount[]) =>
    table(caption, ["count", what], list.map((c) => [c.count, c.key]));
  return [
    "<!doctype html>",
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
    `<title>${html(title)}</title>`,
    "<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse;" +
    "margin:1rem 0}caption{text-align:left;font-weight:bold}td,th{border:1px solid #ccc;" +
    "padding:.25rem .5rem;text-align:left;vertical-align:top}td{font-family:monospace}</style>",
    "</head>",
    "<body>",
    `<h1>${html(title)}</h1>`,
    `<p>runs: ${report.runs}, ok: ${report.ok}, failed: ${report.runs - report.ok}` +
    (report.malformedLines ? `, malformed lines skipped: ${report.malformedLines}` : "") + "</p>",
    counts("Errors", "error type", report.errors),
    counts("Violations by kind", "kind", report.violationsByKind),
    counts("Violations by origin", "origin", report.violationsByOrigin),
    table(
      "Most frequent violations",
      ["count", "kind", "detail"],
      report.topViolations.map((v) => [v.count, v.kind, v.detail]),
    ),
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
