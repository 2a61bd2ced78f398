/**
 * The shape of what a run returns. Everything here is plain data: it crosses
 * process and worker boundaries and is validated on the way in.
 *
 * @module
 */

/**
 * The kinds of capability a violation can concern (declared once; the
 * protocol validates against it). All but `breach` are reported by the
 * Python guard; `breach` is a sign only the trusted side (the sandbox
 * process's supervisor or the host) can see: a Deno permission check the
 * worker was refused, a worker thread or memory left behind, a malformed or
 * out-of-order message, a figure the host disproves.
 */
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
  // Seen only by the trusted side: a worker cannot report it.
  "breach",
] as const;

/** One of {@link VIOLATION_KINDS}. */
export type ViolationKind = typeof VIOLATION_KINDS[number];

/**
 * Whose an error is, decided by the trusted side only (the host, the sandbox
 * process's supervisor, or the guard's own accounting), never by the name of
 * the exception, which a script chooses:
 *
 * - `script`: the script's own exception, of any name (CLI exit 1);
 * - `violation`: a security violation, reported by the guard or seen by the
 *   trusted side as a breach (exit 3);
 * - `limit`: a resource limit the host, the supervisor or the guard's own
 *   accounting established: time, memory, output, recursion, response size,
 *   host calls, code size, or the caller's abort `signal` (exit 4);
 * - `crash`: the interpreter or its worker crashed or could not start (exit 1);
 * - `queue`: the run never started, because it waited too long for a sandbox
 *   or the queue was full (`QueueTimeout`, `QueueFull`);
 * - `closed`: the run never started, because its session had ended
 *   (`SessionClosed`: closed, expired, or ended by an earlier run's
 *   violation, limit or crash; the message says which) (exit 1).
 */
export const ERROR_KINDS = ["script", "violation", "limit", "crash", "queue", "closed"] as const;

/** One of {@link ERROR_KINDS}. */
export type ErrorKind = typeof ERROR_KINDS[number];

/**
 * What a static-analysis finding can be about: the guard's checks (`import`,
 * `builtin`, `attribute`, `dynamic` code, `filesystem` paths, `name`s
 * reserved for the guard, `suspicious` strings naming internal attributes,
 * `syntax`), and the host's (`size`: the script is over `code_bytes`;
 * `error`: the analysis itself failed). The protocol rejects any other.
 */
export const FINDING_KINDS = [
  "import",
  "builtin",
  "attribute",
  "dynamic",
  "filesystem",
  "name",
  "suspicious",
  "syntax",
  "size",
  "error",
] as const;

/** One of {@link FINDING_KINDS}. */
export type FindingKind = typeof FINDING_KINDS[number];

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
  /**
   * Present and true for an import refused under `imports: probe`: the script
   * got a catchable `ImportBlockedError` and the run went on.
   */
  probe?: true;
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
   * The exception's name: the Python exception's (`SecurityError`,
   * `ZeroDivisionError`, or any name a script gave its own class), or one the
   * trusted side reports: `TimeoutError`, `MemoryError`, `RecursionError`,
   * `OutputLimitError`, `ResponseTooLargeError`, `HostCallLimitError`,
   * `CodeSizeError`, `Aborted` (the caller's `signal`) (a limit),
   * `WorkerCrash` (a crash), `SandboxBreach` (a breach sign, see
   * {@link VIOLATION_KINDS}), `QueueTimeout`, `QueueFull`. A name is only a
   * name: {@link RunError.kind} says what it means.
   */
  type: string;
  /** Whose error it is, decided by the trusted side (see {@link ERROR_KINDS}). */
  kind: ErrorKind;
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
  /**
   * The violations, in order: at most `CAPS.violations` (1000) that the
   * guard reported, then every `breach` sign the trusted side saw.
   */
  violations: Violation[];
  /** Present when more violations were reported than `violations` keeps: how many were only counted. */
  violationsOmitted?: number;
  /** Wall time of the run in milliseconds, boot excluded. */
  durationMs: number;
  /**
   * How much the sandbox process's resident memory grew during the run, at
   * its peak, in bytes: measured outside the worker, never taken from it. On
   * Linux the kernel's own peak (`VmHWM`, exact); elsewhere the sandbox
   * process's main thread samples it every 50 ms, and can miss a short spike.
   */
  peakMemoryBytes: number;
  /** Present and true when output was cut at the policy's cap. */
  truncated?: boolean;
  /**
   * The value of the script's last statement, when that is an expression
   * (as in a notebook cell) and the run succeeded: plain data (a dict with
   * str keys, list, tuple, str, int within ±2^53, finite float, bool) as JSON
   * data; anything else, and plain data over 256 KiB of JSON, as its
   * `repr()` (a string, cut at 256 KiB) with `valueRepr: true`. A value of
   * `None`, or no final expression: no key.
   */
  value?: unknown;
  /** Present and true when {@link RunResult.value} is the value's `repr()`. */
  valueRepr?: true;
  /**
   * The files the script wrote into its writable area (a policy with
   * `filesystem.writable`), by normalised relative path. Absent when it wrote
   * none, or when a violation ended the run.
   */
  files?: Record<string, Uint8Array>;
  /** The calls the script made to functions the caller exposed, in order; absent when none. */
  hostCalls?: HostCall[];
}

/** One static-analysis finding of `check()`. */
export interface Finding {
  /** What was found (see {@link FINDING_KINDS}). */
  kind: FindingKind;
  /** What exactly, e.g. `import os`. */
  detail: string;
  /** Line in the script. */
  line?: number;
  /** Column in the script (1-based, in characters). */
  col?: number;
}

/** A {@link RunResult} as JSON data: written files as base64 text. */
export type RunResultJson = Omit<RunResult, "files"> & { files?: Record<string, string> };

/**
 * A result as JSON data, for a JSON document or an HTTP response: each
 * written file's bytes become base64 text; everything else is already data.
 *
 * @example
 * ```ts
 * import { resultToJson } from "./result.ts";
 * import assert from "node:assert/strict";
 * const json = resultToJson({
 *   ok: true, stdout: "", stderr: "", violations: [], durationMs: 1, peakMemoryBytes: 0,
 *   files: { "a.txt": new TextEncoder().encode("hi") },
 * });
 * assert.deepEqual(json.files, { "a.txt": "aGk=" });
 * ```
 */
export function resultToJson(result: RunResult): RunResultJson {
  const { files, ...rest } = result;
  if (!files) return rest;
  return {
    ...rest,
    files: Object.fromEntries(Object.entries(files).map(([k, v]) => [k, v.toBase64()])),
  };
}
