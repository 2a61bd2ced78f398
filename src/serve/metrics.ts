/**
 * The server's metrics, in the Prometheus text format (`GET /metrics`):
 * counters kept as runs end (runs by caller and outcome, violations by kind,
 * limit hits, refusals by code, durations and CPU time), and gauges read when
 * scraped (runs in progress, queue depth, sandbox processes and busy ones,
 * resident memory of the host and of its sandbox processes).
 *
 * Every label value is one the server chose (a caller's configured name, a
 * violation kind, an outcome, an error code), never text from a script, and
 * is escaped as the format requires anyway.
 *
 * @module
 */
import type { RunResult } from "../protocol/result.ts";
import { limitOf } from "../audit/trail.ts";
import { VERSION } from "../generated/version.ts";

/** What the gauges read at scrape time. */
export interface MetricsGauges {
  /** Runs executing now. */
  running: number;
  /** Runs waiting for their caller's turn (the callers' queues). */
  callerQueue: number;
  /** Runs waiting for a sandbox process (the pool's queue), when the pool has one. */
  poolQueue?: number;
  /** Sandbox processes alive (starting, busy, idle). */
  processes: number;
  /** Sandbox processes running a job. */
  busy: number;
  /** The bound on sandbox processes, when there is one. */
  maxProcesses?: number;
  /** Resident memory of every live sandbox process, summed (Linux; undefined elsewhere). */
  sandboxRssBytes?: number;
}

/** Buckets of `pyfence_run_duration_seconds`. */
const DURATION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** How a result ended, as the `outcome` label says it. */
export function outcomeOf(result: RunResult): string {
  if (result.ok) return "ok";
  const kind = result.error?.kind;
  if (kind !== undefined) return kind;
  if (limitOf(result)) return "limit";
  const type = result.error?.type;
  if (type === "WorkerCrash") return "crash";
  if (type === "QueueTimeout" || type === "QueueFull") return "queue";
  return result.violations.length ? "violation" : "script";
}

function label(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function key(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${label(v)}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

/** Counters of one server. */
export class Metrics {
  #runs = new Map<string, number>();
  #violations = new Map<string, number>();
  #limits = new Map<string, number>();
  #refused = new Map<string, number>();
  #buckets = DURATION_BUCKETS.map(() => 0);
  #durationSum = 0;
  #durationCount = 0;
  #cpuSeconds = 0;
  #started = Date.now();

  /** Count a run of `caller` that ended with `result`. */
  run(caller: string, result: RunResult): void {
    const outcome = outcomeOf(result);
    this.#bump(this.#runs, key({ caller, outcome }));
    for (const v of result.violations) this.#bump(this.#violations, key({ kind: v.kind }));
    const limit = limitOf(result);
    if (limit) this.#bump(this.#limits, key({ limit }));
    if (outcome === "queue") return;
    const seconds = result.durationMs / 1000;
    this.#durationSum += seconds;
    this.#durationCount++;
    DURATION_BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) this.#buckets[i]++;
    });
    this.#cpuSeconds += (result.cpuTimeMs ?? 0) / 1000;
  }

  /** Count a request refused with API error `code` (rate, quota, shutdown, …). */
  refused(code: string): void {
    this.#bump(this.#refused, key({ code }));
  }

  #bump(map: Map<string, number>, k: string): void {
    map.set(k, (map.get(k) ?? 0) + 1);
  }

  /** The metrics in the Prometheus text format (version 0.0.4). */
  render(gauges: MetricsGauges): string {
    const out: string[] = [];
    const metric = (
      name: string,
      type: "counter" | "gauge" | "histogram",
      help: string,
      samples: [string, number][],
    ) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) out.push(`${name}${labels} ${value}`);
    };
    const series = (map: Map<string, number>) => [...map].sort(([a], [b]) => a < b ? -1 : 1);
    metric("pyfence_build_info", "gauge", "pyfence's version and the Deno it runs on.", [
      [key({ version: VERSION, deno: Deno.version.deno }), 1],
    ]);
    metric("pyfence_start_time_seconds", "gauge", "When the server started (Unix time).", [
      ["", this.#started / 1000],
    ]);
    metric(
      "pyfence_runs_total",
      "counter",
      "Runs finished, by caller and outcome (ok, script, violation, limit, crash, queue).",
      series(this.#runs),
    );
    metric(
      "pyfence_violations_total",
      "counter",
      "Violations recorded, by kind.",
      series(this.#violations),
    );
    metric(
      "pyfence_limit_hits_total",
      "counter",
      "Runs ended by a resource limit, by limit.",
      series(this.#limits),
    );
    metric(
      "pyfence_requests_refused_total",
      "counter",
      "Requests answered with an error before or instead of a run, by API error code.",
      series(this.#refused),
    );
    out.push(
      "# HELP pyfence_run_duration_seconds Execution time of runs that started.",
      "# TYPE pyfence_run_duration_seconds histogram",
      // Each bucket counts every run at or under its bound (cumulative, as Prometheus reads it).
      ...DURATION_BUCKETS.map((bound, i) =>
        `pyfence_run_duration_seconds_bucket{le="${bound}"} ${this.#buckets[i]}`
      ),
      `pyfence_run_duration_seconds_bucket{le="+Inf"} ${this.#durationCount}`,
      `pyfence_run_duration_seconds_sum ${this.#durationSum}`,
      `pyfence_run_duration_seconds_count ${this.#durationCount}`,
    );
    metric(
      "pyfence_run_cpu_seconds_total",
      "counter",
      "CPU time of sandbox processes while scripts ran (Linux).",
      [["", Math.round(this.#cpuSeconds * 1000) / 1000]],
    );
    metric("pyfence_runs_in_progress", "gauge", "Runs executing now.", [["", gauges.running]]);
    metric(
      "pyfence_queue_depth",
      "gauge",
      "Runs waiting: for their caller's turn, for a process.",
      [
        [key({ queue: "caller" }), gauges.callerQueue],
        ...(gauges.poolQueue === undefined
          ? []
          : [[key({ queue: "pool" }), gauges.poolQueue] as [string, number]]),
      ],
    );
    metric("pyfence_pool_processes", "gauge", "Sandbox processes alive.", [[
      "",
      gauges.processes,
    ]]);
    metric("pyfence_pool_busy_processes", "gauge", "Sandbox processes running a job.", [
      ["", gauges.busy],
    ]);
    if (gauges.maxProcesses !== undefined) {
      metric("pyfence_pool_max_processes", "gauge", "The bound on sandbox processes.", [
        ["", gauges.maxProcesses],
      ]);
    }
    metric("pyfence_host_rss_bytes", "gauge", "Resident memory of the server process.", [
      ["", Deno.memoryUsage().rss],
    ]);
    if (gauges.sandboxRssBytes !== undefined) {
      metric(
        "pyfence_sandbox_rss_bytes",
        "gauge",
        "Resident memory of all sandbox processes (Linux).",
        [["", gauges.sandboxRssBytes]],
      );
    }
    return out.join("\n") + "\n";
  }
}
