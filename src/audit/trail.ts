/**
 * The audit trail: every security-relevant operation of a run, as one
 * structured event each. A run's events are `run.start`, then what the script
 * did — allowed imports (once per module), virtual file reads and writes,
 * network requests with their verdict, per-origin storage access, host
 * function calls, violations, a resource limit that ended it — then
 * `run.end`. Every event names its run, its origin, the caller that asked for
 * it (a server's caller name; absent for library use unless the caller sets
 * one) and when it happened. Sinks receive plain objects (`jsonl.ts` appends
 * them to a file, `kv.ts` to Deno KV). Scripts are identified by their
 * SHA-256, never stored.
 *
 * What the guard reports (imports, files, requests, storage) is the worker's
 * word: capped per run (`CAPS.operations`) and never able to change a run's
 * outcome, which the trusted side decides (`run.end`).
 *
 * @module
 */
import type { ErrorKind, HostCall, RunResult, Violation } from "../protocol/result.ts";
import type { OperationEvent } from "../protocol/operations.ts";

/** What every audit event carries. */
export interface AuditEventBase {
  /** ISO-8601 timestamp (UTC, milliseconds). */
  ts: string;
  /** Identifies the run across its events. */
  runId: string;
  /** The script's origin (`null` when opaque). */
  origin: string;
  /** Who asked for the run: a server's caller name, or the `caller` run option. */
  caller?: string;
}

/** What the trail says about a network request. */
export type NetVerdict =
  /** The request was made and answered (see `status`). */
  | "allowed"
  /** The rules refused it: a violation (also recorded as one). */
  | "refused"
  /** It was allowed, but the network failed. */
  | "failed"
  /** The response was larger than the run may receive. */
  | "limit";

/** A resource limit that can end a run. */
export type LimitName = "time" | "memory" | "output" | "recursion" | "response" | "size";

/** One audit event. Narrow on `type`. */
export type AuditEvent =
  | AuditEventBase & {
    /** A run is about to start. */
    type: "run.start";
    /** The policy's name, path, or `inline`. */
    policy: string;
    /** SHA-256 of the script (hex). */
    codeSha256: string;
    /** Script size in bytes. */
    codeBytes: number;
  }
  | AuditEventBase & {
    /** The script tried something its policy does not grant. */
    type: "violation";
    /** The violation. */
    violation: Violation;
  }
  | AuditEventBase & {
    /** The script imported a module its policy allows (once per module per run). */
    type: "import";
    /** The module's full name. */
    module: string;
  }
  | AuditEventBase & {
    /** The script opened one of the run's virtual files for reading. */
    type: "file.read";
    /** Its path, relative to the virtual file system's root. */
    path: string;
  }
  | AuditEventBase & {
    /** The script opened a file of the run's writable scratch area for writing. */
    type: "file.write";
    /** Its path, relative to the scratch area. */
    path: string;
  }
  | AuditEventBase & {
    /** The script made a network request (`pyfence.web`). */
    type: "net.request";
    /** The HTTP method (absent when the script gave one that is not an HTTP token). */
    method?: string;
    /** The absolute URL. */
    url: string;
    /** What came of it. */
    verdict: NetVerdict;
    /** The response's status, when there was one. */
    status?: number;
  }
  | AuditEventBase & {
    /** The script opened a WebSocket (`pyfence.web`). */
    type: "ws.open";
    /** The absolute `ws:`/`wss:` URL. */
    url: string;
    /** What came of it (`limit`: the run's socket budget was spent). */
    verdict: NetVerdict;
  }
  | AuditEventBase & {
    /** The script read or wrote its origin's storage (local storage, cookies). */
    type: "storage";
    /** What it did, e.g. `get`, `set`, `delete`. */
    operation: string;
    /** The key, when there is one. */
    key?: string;
    /** Whether it was allowed. */
    verdict: "allowed" | "refused";
  }
  | AuditEventBase & {
    /** One call of a host function (`expose`), once answered. */
    type: "host.call";
    /** The call: function, bytes in and out, duration, outcome. */
    call: HostCall;
  }
  | AuditEventBase & {
    /** A resource limit ended the run (as decided by the trusted side). */
    type: "limit";
    /** Which limit. */
    limit: LimitName;
    /** What the host said about it. */
    detail: string;
  }
  | AuditEventBase & {
    /** The run ended. */
    type: "run.end";
    /** Whether the script ran to its end. */
    ok: boolean;
    /** The error type, when it did not. */
    errorType?: string;
    /** Whose error it was (see `ERROR_KINDS`), when it did not. */
    errorKind?: ErrorKind;
    /** Number of violations recorded (each has its `violation` event). */
    violations: number;
    /**
     * Violations past the cap (`CAPS.violations`): counted, with no event of
     * their own. Present when there were any: the trail's one summary of them.
     */
    violationsOmitted?: number;
    /** The guard stopped listing operations at the cap (`CAPS.operations`); later ones are not in the trail. */
    operationsCapped?: boolean;
    /** Run duration (the script's own execution). */
    durationMs: number;
    /** CPU time of the sandbox process during the run, where the host can measure it (Linux). */
    cpuTimeMs?: number;
    /** Peak memory of the run. */
    peakMemoryBytes: number;
    /** Output was truncated. */
    truncated: boolean;
  };

/** The `type` of an {@link AuditEvent}. */
export type AuditEventType = AuditEvent["type"];

/** Every {@link AuditEventType}, for validating what a trail holds. */
export const AUDIT_EVENT_TYPES: readonly AuditEventType[] = Object.freeze([
  "run.start",
  "violation",
  "import",
  "file.read",
  "file.write",
  "net.request",
  "ws.open",
  "storage",
  "host.call",
  "limit",
  "run.end",
]);

/** Receives audit events. May be async; errors are reported, never thrown into a run. */
export type AuditSink = (event: AuditEvent) => void | Promise<void>;

/** Who and where a run's events belong to. */
export interface RunContext {
  /** The run's id. */
  runId: string;
  /** Its origin. */
  origin: string;
  /** Its caller, when known. */
  caller?: string;
}

/** The fields every event of the run in `context` carries, stamped now. */
export function eventBase(context: RunContext): AuditEventBase {
  return {
    ts: new Date().toISOString(),
    runId: context.runId,
    origin: context.origin,
    ...(context.caller === undefined ? {} : { caller: context.caller }),
  };
}

/** The audit event of one operation a worker reported. */
export function operationEvent(context: RunContext, op: OperationEvent): AuditEvent {
  const base = eventBase(context);
  switch (op.op) {
    case "import":
      return { ...base, type: "import", module: op.target };
    case "file.read":
      return { ...base, type: "file.read", path: op.target };
    case "file.write":
      return { ...base, type: "file.write", path: op.target };
    case "net.request":
      return {
        ...base,
        type: "net.request",
        ...(op.method === undefined ? {} : { method: op.method }),
        url: op.target,
        verdict: netVerdict(op.verdict),
        ...(op.status === undefined ? {} : { status: op.status }),
      };
    case "ws.open":
      return { ...base, type: "ws.open", url: op.target, verdict: netVerdict(op.verdict) };
    case "storage":
      return {
        ...base,
        type: "storage",
        operation: op.method ?? "access",
        ...(op.target ? { key: op.target } : {}),
        verdict: op.verdict === "refused" ? "refused" : "allowed",
      };
  }
}

function netVerdict(verdict: OperationEvent["verdict"]): NetVerdict {
  return verdict === "refused" || verdict === "failed" || verdict === "limit" ? verdict : "allowed";
}

/** Error types of the limits, as the host reports them. */
const LIMIT_OF_ERROR: Record<string, LimitName> = {
  TimeoutError: "time",
  MemoryError: "memory",
  OutputLimitError: "output",
  RecursionError: "recursion",
  ResponseTooLargeError: "response",
  CodeSizeError: "size",
};

/** The limit a result ended at, if it ended at one. */
export function limitOf(result: RunResult): LimitName | undefined {
  const error = result.error;
  if (!error) return undefined;
  // Where the trusted side says whose error it is, only a `limit` is one.
  if (error.kind !== undefined && error.kind !== "limit") return undefined;
  return Object.hasOwn(LIMIT_OF_ERROR, error.type) ? LIMIT_OF_ERROR[error.type] : undefined;
}

/** The `limit` event of a result that ended at a limit, if it did. */
export function limitEvent(context: RunContext, result: RunResult): AuditEvent | undefined {
  const limit = limitOf(result);
  if (!limit) return undefined;
  return { ...eventBase(context), type: "limit", limit, detail: result.error!.message };
}

/** The `run.end` event of a result. */
export function endEvent(
  context: RunContext,
  result: RunResult,
  extra: { operationsCapped?: boolean } = {},
): AuditEvent {
  return {
    ...eventBase(context),
    type: "run.end",
    ok: result.ok,
    ...(result.error ? { errorType: result.error.type, errorKind: result.error.kind } : {}),
    violations: result.violations.length,
    ...(result.violationsOmitted ? { violationsOmitted: result.violationsOmitted } : {}),
    ...(extra.operationsCapped ? { operationsCapped: true } : {}),
    durationMs: result.durationMs,
    ...(result.cpuTimeMs === undefined ? {} : { cpuTimeMs: result.cpuTimeMs }),
    peakMemoryBytes: result.peakMemoryBytes,
    truncated: result.truncated === true,
  };
}
