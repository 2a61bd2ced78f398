/**
 * Security reports over an audit trail: what was attempted, from which
 * origins and callers, how runs ended, how long they took, over a time range.
 * Every name and detail in a trail may have been chosen by a script (an
 * exception class called `__proto__`, a violation detail full of escape
 * sequences), and a trail file is only text: counts are kept in `Map`s,
 * every field is checked before it is used, and the renderers show such text
 * inert (`report_html.ts` escapes it for HTML).
 *
 * @module
 */
import type { AuditEvent } from "./trail.ts";
import { type AuditQuery, matches } from "./store.ts";
import { inertField } from "../inert.ts";
import { ERROR_KINDS } from "../protocol/result.ts";

/** How often one thing occurred. */
export interface ReportCount {
  /** What: an error type, a violation kind, an origin. */
  key: string;
  /** How many times. */
  count: number;
}

/** One bucket of the violations-over-time series. */
export interface TimeBucket {
  /** The bucket's start (ISO-8601). */
  start: string;
  /** Violations in it. */
  count: number;
  /** Those violations by kind. */
  byKind: Record<string, number>;
}

/** Run latency (the script's own execution time) over the runs that started. */
export interface LatencySummary {
  /** Runs measured. */
  count: number;
  /** Median, milliseconds. */
  p50: number;
  /** 95th percentile. */
  p95: number;
  /** 99th percentile. */
  p99: number;
  /** The longest. */
  max: number;
  /** Runs by duration: each bucket counts runs up to `upToMs` (and above the previous one). */
  histogram: { upToMs: number; count: number }[];
}

/** One run, as the per-run list shows it. */
export interface RunSummary {
  /** The run's id. */
  runId: string;
  /** When it started (ISO-8601), when the trail says. */
  start?: string;
  /** Its origin. */
  origin: string;
  /** Its caller, when known. */
  caller?: string;
  /** Its policy, when the trail has its start. */
  policy?: string;
  /** `ok`, or whose error ended it (`script`, `violation`, `limit`, `crash`, `queue`); `unfinished` without an end. */
  outcome: string;
  /** The error type, when it failed. */
  errorType?: string;
  /** Violations recorded. */
  violations: number;
  /** Execution time (ms). */
  durationMs?: number;
  /** CPU time (ms), where measured. */
  cpuTimeMs?: number;
  /** Peak memory (bytes). */
  peakMemoryBytes?: number;
}

/** A summary of audit events. Every list is ordered most frequent first. */
export interface SecurityReport {
  /** The filters the report was made with (time range as ISO-8601). */
  filters: { since?: string; until?: string; origin?: string; caller?: string };
  /** The first and last event time seen (ISO-8601), when any event had one. */
  span?: { first: string; last: string };
  /** Runs seen (by `run.start`). */
  runs: number;
  /** Runs that ended ok. */
  ok: number;
  /** How runs ended: `ok`, or whose error (`script`, `violation`, `limit`, `crash`, `queue`). */
  outcomes: ReportCount[];
  /** How failed runs ended, by error type. */
  errors: ReportCount[];
  /** Violations by kind. */
  violationsByKind: ReportCount[];
  /** Violations by origin. */
  violationsByOrigin: ReportCount[];
  /** Violations by caller (runs without a caller are not counted here). */
  violationsByCaller: ReportCount[];
  /** The most frequent violation details. */
  topViolations: { kind: string; detail: string; count: number }[];
  /** Violations past a run's cap: counted in its `run.end`, not listed. */
  violationsOmitted: number;
  /** The modules most often refused (from `import` violations). */
  blockedModules: ReportCount[];
  /** The modules most often imported (allowed). */
  importedModules: ReportCount[];
  /** Violations over time, in equal buckets spanning the events seen. */
  violationsOverTime: { bucketMs: number; buckets: TimeBucket[] };
  /** Operations by type (`import`, `file.read`, `net.request`, …). */
  operations: ReportCount[];
  /** Network requests by verdict. */
  requestsByVerdict: ReportCount[];
  /** Limits that ended runs, by limit. */
  limits: ReportCount[];
  /** Execution time of the runs that started, when any did. */
  latency?: LatencySummary;
  /** CPU time of all runs (ms), where measured. */
  cpuTimeMs: number;
  /** The highest peak memory of a run (bytes). */
  maxPeakMemoryBytes: number;
  /** Every run, newest last (only when asked for: `runs: true`), at most `maxRuns`. */
  runList?: RunSummary[];
  /** Runs left out of `runList` beyond `maxRuns` (the oldest). */
  runListOmitted?: number;
  /** Lines that were not valid audit events. */
  malformedLines: number;
}

/** What a report covers and holds. */
export interface ReportOptions extends AuditQuery {
  /** How many entries the "most frequent" lists keep. Default 10. */
  top?: number;
  /** Include the per-run list. */
  runs?: boolean;
  /** The most runs the list keeps (the newest). Default 1000. */
  maxRuns?: number;
}

const OUTCOMES: readonly string[] = ["ok", ...ERROR_KINDS];
const LIMIT_TYPES: Record<string, string> = {
  TimeoutError: "limit",
  MemoryError: "limit",
  OutputLimitError: "limit",
  RecursionError: "limit",
  ResponseTooLargeError: "limit",
  CodeSizeError: "limit",
  WorkerCrash: "crash",
  SandboxBreach: "violation",
  QueueTimeout: "queue",
  QueueFull: "queue",
};
const LATENCY_BOUNDS = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, Infinity];
const BUCKET_SIZES = [
  60_000,
  5 * 60_000,
  15 * 60_000,
  3_600_000,
  6 * 3_600_000,
  86_400_000,
  7 * 86_400_000,
  30 * 86_400_000,
];
const MAX_BUCKETS = 48;

function bump(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function ranked(map: Map<string, number>, top = Infinity): ReportCount[] {
  return [...map].map(([key, count]) => ({ key, count })).sort((a, b) =>
    b.count - a.count || (a.key < b.key ? -1 : 1)
  ).slice(0, top);
}

const str = (v: unknown): string | undefined => typeof v === "string" ? v : undefined;
const num = (v: unknown): number | undefined =>
  typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : undefined;

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/** How a run ended, from its `run.end` event: the trusted side's `errorKind`, else its error type. */
function outcomeOf(end: Record<string, unknown>): string {
  if (end.ok === true) return "ok";
  const kind = str(end.errorKind);
  if (kind !== undefined && OUTCOMES.includes(kind)) return kind;
  const type = str(end.errorType) ?? "";
  if (Object.hasOwn(LIMIT_TYPES, type)) return LIMIT_TYPES[type];
  return (num(end.violations) ?? 0) > 0 ? "violation" : "script";
}

/** The module an import violation names (`import of 'os' is not allowed …`). */
function blockedModule(detail: string): string | undefined {
  return /import of '([^']{1,200})'/.exec(detail)?.[1];
}

/**
 * Builds a {@link SecurityReport} from events fed one at a time, so that a
 * trail of any length is read as a stream.
 */
export class ReportBuilder {
  #options: ReportOptions;
  #top: number;
  #runs = 0;
  #ok = 0;
  #malformed = 0;
  #violationsOmitted = 0;
  #outcomes = new Map<string, number>();
  #errors = new Map<string, number>();
  #byKind = new Map<string, number>();
  #byOrigin = new Map<string, number>();
  #byCaller = new Map<string, number>();
  #details = new Map<string, { kind: string; detail: string; count: number }>();
  #blocked = new Map<string, number>();
  #imported = new Map<string, number>();
  #operations = new Map<string, number>();
  #verdicts = new Map<string, number>();
  #limits = new Map<string, number>();
  #violationTimes: { at: number; kind: string }[] = [];
  #durations: number[] = [];
  #cpu = 0;
  #maxPeak = 0;
  #first = Infinity;
  #last = -Infinity;
  #runList = new Map<string, RunSummary>();

  /** A builder for a report with `options`. */
  constructor(options: ReportOptions = {}) {
    this.#options = options;
    this.#top = options.top ?? 10;
  }

  /** Count one line that was not an audit event. */
  malformed(): void {
    this.#malformed++;
  }

  /** Add one event (anything that is not a well-formed event is counted as malformed). */
  add(value: unknown): void {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return this.malformed();
    }
    const event = value as Record<string, unknown>;
    const type = str(event.type);
    const origin = str(event.origin) ?? "null";
    const caller = str(event.caller);
    if (!matches({ ...event, origin, caller } as AuditEvent, this.#options)) return;
    const at = typeof event.ts === "string" ? Date.parse(event.ts) : NaN;
    if (!Number.isNaN(at)) {
      this.#first = Math.min(this.#first, at);
      this.#last = Math.max(this.#last, at);
    }
    switch (type) {
      case "run.start": {
        this.#runs++;
        this.#run(event, origin, caller, (run) => {
          run.start = Number.isNaN(at) ? undefined : new Date(at).toISOString();
          run.policy = str(event.policy);
        });
        return;
      }
      case "run.end": {
        const outcome = outcomeOf(event);
        bump(this.#outcomes, outcome);
        if (event.ok === true) this.#ok++;
        else bump(this.#errors, str(event.errorType) ?? "unknown");
        const omitted = event.violationsOmitted;
        if (Number.isSafeInteger(omitted) && (omitted as number) > 0) {
          this.#violationsOmitted += omitted as number;
        }
        const duration = num(event.durationMs);
        if (duration !== undefined && outcome !== "queue") this.#durations.push(duration);
        this.#cpu += num(event.cpuTimeMs) ?? 0;
        this.#maxPeak = Math.max(this.#maxPeak, num(event.peakMemoryBytes) ?? 0);
        this.#run(event, origin, caller, (run) => {
          run.outcome = outcome;
          if (event.ok !== true) run.errorType = str(event.errorType) ?? "unknown";
          run.violations = num(event.violations) ?? run.violations;
          run.durationMs = duration;
          run.cpuTimeMs = num(event.cpuTimeMs);
          run.peakMemoryBytes = num(event.peakMemoryBytes);
        });
        return;
      }
      case "violation": {
        const violation = event.violation as Record<string, unknown> | undefined;
        const kind = str(violation?.kind);
        const detail = str(violation?.detail);
        if (kind === undefined || detail === undefined) return this.malformed();
        bump(this.#byKind, kind);
        bump(this.#byOrigin, origin);
        if (caller !== undefined) bump(this.#byCaller, caller);
        const key = JSON.stringify([kind, detail]);
        const entry = this.#details.get(key) ?? { kind, detail, count: 0 };
        entry.count++;
        this.#details.set(key, entry);
        if (kind === "import") {
          const module = blockedModule(detail);
          if (module !== undefined) bump(this.#blocked, module);
        }
        if (!Number.isNaN(at)) this.#violationTimes.push({ at, kind });
        return;
      }
      case "import":
      case "file.read":
      case "file.write":
      case "net.request":
      case "ws.open":
      case "storage":
      case "host.call": {
        bump(this.#operations, type);
        if (type === "import" && str(event.module) !== undefined) {
          bump(this.#imported, str(event.module)!);
        }
        if (type === "net.request") bump(this.#verdicts, str(event.verdict) ?? "unknown");
        return;
      }
      case "limit":
        bump(this.#limits, str(event.limit) ?? "unknown");
        return;
      default:
        this.malformed();
    }
  }

  #run(
    event: Record<string, unknown>,
    origin: string,
    caller: string | undefined,
    update: (run: RunSummary) => void,
  ): void {
    if (!this.#options.runs) return;
    const runId = str(event.runId);
    if (runId === undefined) return;
    let run = this.#runList.get(runId);
    if (!run) {
      run = {
        runId,
        origin,
        ...(caller === undefined ? {} : { caller }),
        outcome: "unfinished",
        violations: 0,
      };
      this.#runList.set(runId, run);
      const max = this.#options.maxRuns ?? 1000;
      // Keep the newest: the map is in first-seen order, so the oldest goes first.
      if (this.#runList.size > max) this.#runList.delete(this.#runList.keys().next().value!);
    }
    update(run);
  }

  /** The report of every event added so far. */
  report(): SecurityReport {
    const o = this.#options;
    const iso = (d?: Date) => d?.toISOString();
    const durations = this.#durations.toSorted((a, b) => a - b);
    const seenRuns = this.#options.runs ? this.#runs : 0;
    return {
      filters: Object.fromEntries(
        Object.entries({
          since: iso(o.since),
          until: iso(o.until),
          origin: o.origin,
          caller: o.caller,
        }).filter(([, v]) => v !== undefined),
      ),
      ...(this.#first <= this.#last
        ? {
          span: {
            first: new Date(this.#first).toISOString(),
            last: new Date(this.#last).toISOString(),
          },
        }
        : {}),
      runs: this.#runs,
      ok: this.#ok,
      outcomes: ranked(this.#outcomes),
      errors: ranked(this.#errors),
      violationsByKind: ranked(this.#byKind),
      violationsByOrigin: ranked(this.#byOrigin),
      violationsByCaller: ranked(this.#byCaller),
      topViolations: [...this.#details.values()].sort((a, b) => b.count - a.count).slice(
        0,
        this.#top,
      ),
      violationsOmitted: this.#violationsOmitted,
      blockedModules: ranked(this.#blocked, this.#top),
      importedModules: ranked(this.#imported, this.#top),
      violationsOverTime: this.#overTime(),
      operations: ranked(this.#operations),
      requestsByVerdict: ranked(this.#verdicts),
      limits: ranked(this.#limits),
      ...(durations.length
        ? {
          latency: {
            count: durations.length,
            p50: percentile(durations, 0.5),
            p95: percentile(durations, 0.95),
            p99: percentile(durations, 0.99),
            max: durations.at(-1)!,
            histogram: histogram(durations),
          },
        }
        : {}),
      cpuTimeMs: Math.round(this.#cpu),
      maxPeakMemoryBytes: this.#maxPeak,
      ...(this.#options.runs
        ? {
          runList: [...this.#runList.values()],
          runListOmitted: Math.max(0, seenRuns - this.#runList.size),
        }
        : {}),
      malformedLines: this.#malformed,
    };
  }

  /** Violations in at most {@link MAX_BUCKETS} equal buckets of a round size over the range. */
  #overTime(): SecurityReport["violationsOverTime"] {
    const from = this.#options.since?.getTime() ?? this.#first;
    const to = this.#options.until?.getTime() ?? this.#last + 1;
    if (!(from < to) || !Number.isFinite(from) || !Number.isFinite(to)) {
      return { bucketMs: 0, buckets: [] };
    }
    const span = to - from;
    const bucketMs = BUCKET_SIZES.find((size) => span / size <= MAX_BUCKETS) ??
      Math.ceil(span / MAX_BUCKETS);
    const start = Math.floor(from / bucketMs) * bucketMs;
    const count = Math.max(1, Math.ceil((to - start) / bucketMs));
    const buckets: TimeBucket[] = Array.from({ length: count }, (_, i) => ({
      start: new Date(start + i * bucketMs).toISOString(),
      count: 0,
      // Null-prototype: a kind named `__proto__` is only a key.
      byKind: Object.create(null),
    }));
    for (const { at, kind } of this.#violationTimes) {
      const bucket = buckets[Math.floor((at - start) / bucketMs)];
      if (!bucket) continue;
      bucket.count++;
      bucket.byKind[kind] = (bucket.byKind[kind] ?? 0) + 1;
    }
    return { bucketMs, buckets };
  }
}

function histogram(sorted: number[]): LatencySummary["histogram"] {
  const out = LATENCY_BOUNDS.map((upToMs) => ({ upToMs, count: 0 }));
  let i = 0;
  for (const d of sorted) {
    while (d > out[i].upToMs) i++;
    out[i].count++;
  }
  // Trim empty buckets above the longest run; JSON has no Infinity.
  while (out.length > 1 && out.at(-1)!.count === 0) out.pop();
  return out.map((b) => ({ upToMs: Number.isFinite(b.upToMs) ? b.upToMs : -1, count: b.count }));
}

/** Feed the lines of JSONL audit text to `builder` (a line that is not JSON is malformed). */
export function addJsonl(builder: ReportBuilder, jsonl: string): void {
  for (const line of jsonl.split("\n")) {
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      builder.malformed();
      continue;
    }
    builder.add(value);
  }
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
export function summarizeAudit(
  jsonl: string,
  options: number | ReportOptions = {},
): SecurityReport {
  const builder = new ReportBuilder(typeof options === "number" ? { top: options } : options);
  addJsonl(builder, jsonl);
  return builder.report();
}

const ms = (n: number) => n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`;
const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;

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
  const filters = Object.entries(report.filters).map(([k, v]) => `${k} ${inertField(String(v))}`);
  const lat = report.latency;
  return [
    ...(filters.length ? [`filters: ${filters.join(", ")}`] : []),
    ...(report.span ? [`events from ${report.span.first} to ${report.span.last}`] : []),
    `runs: ${report.runs}  ok: ${report.ok}  failed: ${report.runs - report.ok}`,
    ...(lat
      ? [
        `latency: p50 ${ms(lat.p50)}  p95 ${ms(lat.p95)}  p99 ${ms(lat.p99)}  max ${
          ms(lat.max)
        }  (${lat.count} runs)`,
      ]
      : []),
    ...(report.cpuTimeMs || report.maxPeakMemoryBytes
      ? [
        `cpu time: ${ms(report.cpuTimeMs)}  highest peak memory: ${mib(report.maxPeakMemoryBytes)}`,
      ]
      : []),
    ...table("outcomes:", report.outcomes),
    ...table("errors:", report.errors),
    ...table("violations by kind:", report.violationsByKind),
    ...table("violations by origin:", report.violationsByOrigin),
    ...(report.violationsByCaller.length
      ? table("violations by caller:", report.violationsByCaller)
      : []),
    ...(report.blockedModules.length ? table("blocked modules:", report.blockedModules) : []),
    ...(report.operations.length ? table("operations:", report.operations) : []),
    ...(report.requestsByVerdict.length
      ? table("network requests:", report.requestsByVerdict)
      : []),
    ...(report.limits.length ? table("limits hit:", report.limits) : []),
    "most frequent violations:",
    ...(report.topViolations.length
      ? report.topViolations.map((v) =>
        `  ${String(v.count).padStart(6)}  [${inertField(v.kind)}] ${inertField(v.detail)}`
      )
      : ["  (none)"]),
    ...(report.violationsOmitted
      ? [`violations past a run's cap (counted, not listed): ${report.violationsOmitted}`]
      : []),
    ...(report.runList ? ["runs:", ...renderRunList(report)] : []),
    ...(report.malformedLines ? [`malformed lines skipped: ${report.malformedLines}`] : []),
  ].join("\n");
}

function renderRunList(report: SecurityReport): string[] {
  const list = report.runList ?? [];
  if (!list.length) return ["  (none)"];
  return [
    ...(report.runListOmitted ? [`  (${report.runListOmitted} older runs not listed)`] : []),
    ...list.map((r) =>
      "  " + [
        r.start ?? "?",
        inertField(r.runId),
        inertField(r.origin),
        r.caller === undefined ? "-" : inertField(r.caller),
        r.policy === undefined ? "-" : inertField(r.policy),
        r.outcome + (r.errorType ? `:${inertField(r.errorType)}` : ""),
        `violations=${r.violations}`,
        r.durationMs === undefined ? "" : ms(r.durationMs),
        r.cpuTimeMs === undefined ? "" : `cpu ${ms(r.cpuTimeMs)}`,
        r.peakMemoryBytes === undefined ? "" : mib(r.peakMemoryBytes),
      ].filter(Boolean).join("  ")
    ),
  ];
}
