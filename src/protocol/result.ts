/**
 * The shape of what a run returns. Everything here is plain data: it crosses
 * process and worker boundaries and is validated on the way in.
 *
 * @module
 */

/** The kinds of capability a violation can concern (declared once; the protocol validates against it). */
export const VIOLATION_KINDS = [
  "import",
  "builtin",
  "attribute",
  "filesystem",
  "network",
  "websocket",
  "storage",
  "bridge",
  "static",
] as const;

/** One of {@link VIOLATION_KINDS}. */
export type ViolationKind = typeof VIOLATION_KINDS[number];

/** Error types that mean a resource limit ended the run. */
export const LIMIT_ERRORS: ReadonlySet<string> = new Set([
  "TimeoutError",
  "MemoryError",
  "OutputLimitError",
  "RecursionError",
  "CodeSizeError",
  "ResponseTooLargeError",
  "HostCallLimitError",
]);

/**
 * Whose an error is, decided by the trusted side only: `script` (the
 * script's own exception, whatever its name), `violation` (a security
 * violation), `limit` (a resource limit the host or the guard's own
 * accounting established), `crash` (the interpreter or worker crashed or
 * could not start), `queue` (the run never started: it waited too long for
 * a process, or the queue was full).
 */
export const ERROR_KINDS = ["script", "violation", "limit", "crash", "queue"] as const;

/** One of {@link ERROR_KINDS}. */
export type ErrorKind = typeof ERROR_KINDS[number];

/** One attempt by a script to use something its policy does not grant. */
export interface Violation {
  /** Which capability was asked for. */
  kind: ViolationKind;
  /** What exactly was asked for, e.g. `import os` or `open('/etc/passwd')`. */
  detail: string;
  /** Line in the script, when known. */
  line?: number;
  /** Milliseconds since the run started. */
  at: number;
}

/** One call a script made to its host (a function the caller exposed), as the host saw it. */
export interface HostCall {
  /** The service: `host` for the caller's exposed functions. */
  service: string;
  /** The function called. */
  name: string;
  /** UTF-8 bytes of the arguments' JSON. */
  bytesIn: number;
  /** UTF-8 bytes of the answer's JSON (0 when it failed). */
  bytesOut: number;
  /** From the call reaching the host to its answer, in milliseconds. */
  durationMs: number;
  /**
   * `ok`; `error`: the function threw or returned what cannot cross (the
   * script got `HostError`); `timeout`: the run's deadline passed first;
   * `limit`: the run's budget of calls or bytes was spent.
   */
  outcome: "ok" | "error" | "timeout" | "limit";
}

/** The exception a run ended with. */
export interface RunError {
  /**
   * The Python exception name (`SecurityError`, `ZeroDivisionError`, …) or a
   * host-side kind: `TimeoutError`, `MemoryError`, `OutputLimitError`,
   * `HostCallLimitError`, `WorkerCrash`, `Aborted` (the caller's `signal`),
   * `QueueTimeout`, `QueueFull`.
   */
  type: string;
  /** Whose error it is (see {@link ERROR_KINDS}); `queue` for `QueueTimeout` and `QueueFull`. */
  kind?: ErrorKind;
  /** The exception's message. */
  message: string;
  /** The Python traceback of the script's own frames, when there is one. */
  traceback?: string;
}

/** What {@link run} returns. It never throws for anything the script did. */
export interface RunResult {
  /** True when the script ran to its end without an exception. */
  ok: boolean;
  /** Everything the script printed to stdout (capped). */
  stdout: string;
  /** Everything the script printed to stderr (capped). */
  stderr: string;
  /** Why the script did not end normally. */
  error?: RunError;
  /** Every violation, in order. */
  violations: Violation[];
  /** Wall time of the run in milliseconds, boot excluded. */
  durationMs: number;
  /** The interpreter's peak linear-memory size in bytes. */
  peakMemoryBytes: number;
  /** Present and true when output was cut at the policy's cap. */
  truncated?: boolean;
  /** The calls the script made to functions the caller exposed, in order; absent when none. */
  hostCalls?: HostCall[];
}

/** One static-analysis finding of `check()`. */
export interface Finding {
  /** What was found: `import`, `builtin`, `attribute`, `dynamic`, `syntax`, … */
  kind: string;
  /** What exactly, e.g. `import os`. */
  detail: string;
  /** Line in the script. */
  line?: number;
  /** Column in the script (1-based, in characters). */
  col?: number;
}
