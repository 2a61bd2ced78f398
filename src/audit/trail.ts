/**
 * The audit trail: one structured event when a run starts, one per
 * violation, one per host call, one when it ends. Sinks receive plain objects (`jsonl.ts`
 * appends them to a file, one line each). Scripts are identified by their
 * SHA-256, never stored.
 *
 * @module
 */
import type { HostCall, RunResult, Violation } from "../protocol/result.ts";

/** One audit event. */
export type AuditEvent =
  | {
    /** Event type. */
    type: "run.start";
    /** ISO-8601 timestamp. */
    ts: string;
    /** Identifies the run across its events. */
    runId: string;
    /** The script's origin (`null` when opaque). */
    origin: string;
    /** The policy's name, path, or `inline`. */
    policy: string;
    /** SHA-256 of the script (hex). */
    codeSha256: string;
    /** Script size in bytes. */
    codeBytes: number;
  }
  | {
    /** Event type. */
    type: "violation";
    /** ISO-8601 timestamp. */
    ts: string;
    /** Identifies the run across its events. */
    runId: string;
    /** The script's origin. */
    origin: string;
    /** The violation. */
    violation: Violation;
  }
  | {
    /** Event type: one call of a host function, once answered. */
    type: "host.call";
    /** ISO-8601 timestamp. */
    ts: string;
    /** Identifies the run across its events. */
    runId: string;
    /** The script's origin. */
    origin: string;
    /** The call: function, bytes in and out, duration, outcome. */
    call: HostCall;
  }
  | {
    /** Event type. */
    type: "run.end";
    /** ISO-8601 timestamp. */
    ts: string;
    /** Identifies the run across its events. */
    runId: string;
    /** The script's origin. */
    origin: string;
    /** Whether the script ran to its end. */
    ok: boolean;
    /** The error type, when it did not. */
    errorType?: string;
    /** Number of violations. */
    violations: number;
    /** Run duration. */
    durationMs: number;
    /** Interpreter peak memory. */
    peakMemoryBytes: number;
    /** Output was truncated. */
    truncated: boolean;
  };

/** Receives audit events. May be async; errors are reported, never thrown into a run. */
export type AuditSink = (event: AuditEvent) => void | Promise<void>;

/** The `run.end` event of a result. */
export function endEvent(runId: string, origin: string, result: RunResult): AuditEvent {
  return {
    type: "run.end",
    ts: new Date().toISOString(),
    runId,
    origin,
    ok: result.ok,
    ...(result.error ? { errorType: result.error.type } : {}),
    violations: result.violations.length,
    durationMs: result.durationMs,
    peakMemoryBytes: result.peakMemoryBytes,
    truncated: result.truncated === true,
  };
}
