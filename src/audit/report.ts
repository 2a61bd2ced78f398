/**
 * Security reports over an audit trail: what was attempted, from which
 * origins, how runs ended.
 *
 * @module
 */
import type { AuditEvent } from "./trail.ts";

/** A summary of audit events. */
export interface SecurityReport {
  /** Runs seen (by `run.start`). */
  runs: number;
  /** Runs that ended ok. */
  ok: number;
  /** How failed runs ended, by error type. */
  errors: Record<string, number>;
  /** Violations by kind. */
  violationsByKind: Record<string, number>;
  /** Violations by origin. */
  violationsByOrigin: Record<string, number>;
  /** The most frequent violation details, most frequent first. */
  topViolations: { kind: string; detail: string; count: number }[];
  /** Lines that were not valid audit events. */
  malformedLines: number;
}

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

/**
 * Summarise JSONL audit text (as written by `jsonlAuditSink`).
 *
 * @example
 * ```ts
 * import { summarizeAudit } from "./report.ts";
 * const report = summarizeAudit('{"type":"run.start","runId":"r","origin":"null"}\n');
 * console.log(report.runs); // 1
 * ```
 */
export function summarizeAudit(jsonl: string, top = 10): SecurityReport {
  const report: SecurityReport = {
    runs: 0,
    ok: 0,
    errors: {},
    violationsByKind: {},
    violationsByOrigin: {},
    topViolations: [],
    malformedLines: 0,
  };
  const details = new Map<string, { kind: string; detail: string; count: number }>();
  for (const line of jsonl.split("\n")) {
    if (!line.trim()) continue;
    let event: AuditEvent;
    try {
      event = JSON.parse(line);
    } catch {
      report.malformedLines++;
      continue;
    }
    switch (event?.type) {
      case "run.start":
        report.runs++;
        break;
      case "run.end":
        if (event.ok) report.ok++;
        else bump(report.errors, event.errorType ?? "unknown");
        break;
      case "violation": {
        const { kind, detail } = event.violation ?? {};
        if (typeof kind !== "string" || typeof detail !== "string") {
          report.malformedLines++;
          break;
        }
        bump(report.violationsByKind, kind);
        bump(report.violationsByOrigin, String(event.origin));
        const key = `${kind}\0${detail}`;
        const entry = details.get(key) ?? { kind, detail, count: 0 };
        entry.count++;
        details.set(key, entry);
        break;
      }
      default:
        report.malformedLines++;
    }
  }
  report.topViolations = [...details.values()].sort((a, b) => b.count - a.count).slice(0, top);
  return report;
}

/** Render a report as plain text. */
export function renderReport(report: SecurityReport): string {
  const table = (title: string, map: Record<string, number>) => {
    const rows = Object.entries(map).sort((a, b) => b[1] - a[1]);
    return [
      title,
      ...(rows.length ? rows.map(([k, n]) => `  ${String(n).padStart(6)}  ${k}`) : ["  (none)"]),
    ];
  };
  return [
    `runs: ${report.runs}  ok: ${report.ok}  failed: ${report.runs - report.ok}`,
    ...table("errors:", report.errors),
    ...table("violations by kind:", report.violationsByKind),
    ...table("violations by origin:", report.violationsByOrigin),
    "most frequent violations:",
    ...(report.topViolations.length
      ? report.topViolations.map((v) => `  ${String(v.count).padStart(6)}  [${v.kind}] ${v.detail}`)
      : ["  (none)"]),
    ...(report.malformedLines ? [`malformed lines skipped: ${report.malformedLines}`] : []),
  ].join("\n");
}
