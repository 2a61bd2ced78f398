/**
 * pyfence: run untrusted Python safely from Deno.
 *
 * Every capability a script asks for is checked twice: by a guard inside the
 * Python interpreter (Pyodide), and beneath it by the Deno permissions of the
 * worker and process the script runs in, computed from the same policy.
 *
 * The host needs `--allow-run` (sandbox processes), `--allow-read` and
 * `--allow-write` (Pyodide's files, the snapshot cache, audit files),
 * `--allow-env`, and `--allow-net` (on Deno 2.9 and later, connecting to a
 * sandbox process's Unix socket is a net access); Deno 2.5 or later.
 *
 * @example
 * ```ts
 * import { run, shutdown } from "@pyfence/pyfence";
 * import assert from "node:assert/strict";
 *
 * const result = await run("print(sum(range(10)))", { origin: "https://a.example" });
 * assert.equal(result.ok, true);
 * assert.equal(result.stdout, "45\n");
 * await shutdown();
 * ```
 *
 * @module
 */

// Running scripts
export { run, shutdown } from "./src/host/run.ts";
export type { Files, Inputs, RunOptions } from "./src/host/options.ts";
export type { RunEvent, WarnedResource } from "./src/host/events.ts";
export type { HostFunction, HostFunctions } from "./src/host/expose.ts";
export {
  type CheckResult,
  type Isolation,
  Sandbox,
  type SandboxOptions,
  type SandboxRunOptions,
  type SandboxStats,
  TENANT_RUNS_PER_INTERPRETER,
} from "./src/host/sandbox.ts";
export type { Session, SessionOptions, SessionRunOptions } from "./src/host/session.ts";

// What a run returns
export {
  ERROR_KINDS,
  type ErrorKind,
  type Finding,
  FINDING_KINDS,
  type FindingKind,
  type HostCall,
  resultToJson,
  type RunError,
  type RunResult,
  type RunResultJson,
  type Violation,
  VIOLATION_KINDS,
  type ViolationKind,
} from "./src/protocol/result.ts";

// Errors thrown for the caller's mistakes and for host failures
export { PolicyError, SandboxError, type SandboxFailure, UsageError } from "./src/errors.ts";

// Policies
export { builtinPolicyNames, loadPolicy, type LoadPolicyOptions } from "./src/policy/load.ts";
export type { MemberRule, Policy, PolicyInput } from "./src/policy/schema.ts";

// Serving over HTTP and MCP (also: `deno serve -A jsr:@pyfence/pyfence/serve`, `pyfence serve`)
export { createHandler, type PyfenceHandler } from "./src/serve/handler.ts";
export type {
  CallerLimits,
  CallerOptions,
  HandlerOptions,
  ServerAuditOptions,
} from "./src/serve/options.ts";
export { loadServeConfig } from "./src/serve/config_file.ts";
export { API_ERRORS, type ApiErrorBody, type ApiErrorCode } from "./src/serve/api_error.ts";

// Audit trail: events, sinks (JSONL file, Deno KV), reports
export {
  AUDIT_EVENT_TYPES,
  type AuditEvent,
  type AuditEventBase,
  type AuditEventType,
  type AuditSink,
  type LimitName,
  type NetVerdict,
} from "./src/audit/trail.ts";
export { jsonlAuditSink } from "./src/audit/jsonl.ts";
export { type KvAuditOptions, kvAuditSink, openKvAuditStore } from "./src/audit/kv.ts";
export { type AuditQuery, type AuditStore, type ClosableAuditSink } from "./src/audit/store.ts";
export {
  type LatencySummary,
  type ReportCount,
  type ReportOptions,
  type RunSummary,
  type SecurityReport,
  summarizeAudit,
  type TimeBucket,
} from "./src/audit/report.ts";
export { renderReportHtml } from "./src/audit/report_html.ts";
