/**
 * Turns the validated event stream of one run into a {@link RunResult}. This
 * is the host's own enforcement of output caps, of the violation cap and of
 * `on_violation: terminate` (whatever a worker sends after the first
 * violation, or past the output cap, never reaches the result), and the one
 * place where a run's error gets its {@link ErrorKind}: from the facts of the
 * layer that ended the run (`JobEnd`), never from an exception's name.
 *
 * @module
 */
import type {
  ErrorKind,
  RunError,
  RunResult,
  Violation,
  ViolationKind,
} from "../protocol/result.ts";
import type { Cause, JobEnd, WireError } from "../protocol/messages.ts";
import type { JobEvent } from "./process.ts";
import { CAPS } from "../protocol/caps.ts";

/** How a run is recorded. */
export interface RecorderOptions {
  /** stdout + stderr cap in bytes (UTF-8). */
  outputBytes: number;
  /** Stop recording output at the first violation. */
  terminateOnViolation: boolean;
  /** Called with each accepted chunk of output. */
  onOutput?: (stream: "stdout" | "stderr", text: string) => void;
  /** Called with each violation as it is recorded (never past the cap). */
  onViolation?: (violation: Violation) => void;
}

const encoder = new TextEncoder();

/** What a cause established by the trusted side makes of an error. */
const KIND_OF_CAUSE: Record<Cause, ErrorKind> = {
  time: "limit",
  memory: "limit",
  output: "limit",
  recursion: "limit",
  response: "limit",
  websocket: "limit",
  calls: "limit",
  size: "limit",
  abort: "limit",
  crash: "crash",
};

/** Accumulates one run's events. */
export class RunRecorder {
  #options: RecorderOptions;
  #out = { stdout: "", stderr: "" };
  #bytes = 0;
  #truncated = false;
  #terminated = false;
  #violations: Violation[] = [];
  #omitted = 0;
  /** Violations the worker reported and the result keeps. */
  #reported = 0;
  #startedAt?: number;
  #endedAt?: number;

  /** Start recording with `options`. */
  constructor(options: RecorderOptions) {
    this.#options = options;
  }

  /** Feed one event of the job. */
  accept(event: JobEvent): void {
    switch (event.t) {
      case "started":
        this.#startedAt = performance.now();
        return;
      case "ended":
        this.#endedAt ??= performance.now();
        return;
      case "out":
        return this.#output(event.stream, event.text);
      case "violation":
        if (this.#terminated) return;
        this.#violation(event.kind, event.detail, event.line);
        if (this.#options.terminateOnViolation) this.#terminated = true;
    }
  }

  #violation(kind: ViolationKind, detail: string, line?: number): void {
    // Breach signs (at most MAX_BREACH_SIGNS, from the trusted side) are never crowded out.
    if (kind !== "breach" && this.#reported >= CAPS.violations) {
      this.#omitted++;
      return;
    }
    if (kind !== "breach") this.#reported++;
    const violation: Violation = {
      kind,
      detail,
      ...(line === undefined ? {} : { line }),
      at: Math.round(this.#elapsed()),
    };
    this.#violations.push(violation);
    this.#options.onViolation?.(violation);
  }

  #elapsed(): number {
    if (this.#startedAt === undefined) return 0;
    return (this.#endedAt ?? performance.now()) - this.#startedAt;
  }

  #output(stream: "stdout" | "stderr", text: string): void {
    if (this.#terminated || this.#truncated) return;
    const size = encoder.encode(text).length;
    const room = this.#options.outputBytes - this.#bytes;
    if (size > room) {
      text = truncateUtf8(text, room);
      this.#truncated = true;
    }
    this.#bytes += Math.min(size, room);
    if (!text) return;
    this.#out[stream] += text;
    this.#options.onOutput?.(stream, text);
  }

  /**
   * The result, given how the job ended. Breach signs are recorded whatever
   * came before them, and make the run a violation (`SandboxBreach`).
   */
  finish(end: JobEnd): RunResult {
    for (const sign of end.breaches) this.#violation("breach", sign);
    this.#omitted += end.violationsOmitted;
    const error = this.#error(end);
    const ok = !error;
    return {
      ok,
      stdout: this.#out.stdout,
      stderr: this.#out.stderr,
      ...(error ? { error } : {}),
      violations: this.#violations,
      ...(this.#omitted ? { violationsOmitted: this.#omitted } : {}),
      durationMs: Math.round(this.#elapsed() * 100) / 100,
      peakMemoryBytes: end.memoryGrowthBytes,
      ...(this.#truncated ? { truncated: true } : {}),
    };
  }

  #error(end: JobEnd): RunError | undefined {
    const { done } = end;
    if (end.breaches.length) {
      return { type: "SandboxBreach", kind: "violation", message: end.breaches[0] };
    }
    const reported: WireError | undefined = done.error;
    // The guard stops writing at the cap itself, so the host may never see
    // the excess; past the cap by the host's own count, it is the limit.
    if (this.#truncated && !(reported && done.cause === "output")) {
      return {
        type: "OutputLimitError",
        kind: "limit",
        message: `output exceeded ${this.#options.outputBytes} bytes`,
      };
    }
    if (done.cause === "output") this.#truncated = true;
    const violated = this.#violations.some((v) => v.kind !== "breach");
    if (!reported) {
      if (done.ok && !(this.#terminated && violated)) return undefined;
      return violated
        ? { type: "SecurityError", kind: "violation", message: this.#violations[0].detail }
        : { type: "WorkerCrash", kind: "crash", message: "the run ended without a result" };
    }
    return { ...reported, kind: kindOf(end, violated) };
  }
}

/**
 * Whose error a run ended with. A recorded violation makes it a violation;
 * otherwise only a cause counts (from the supervisor or the host, or the
 * guard's and worker runtime's own accounting), never the error's name.
 */
function kindOf(end: JobEnd, violated: boolean): ErrorKind {
  if (violated) return "violation";
  const { cause } = end.done;
  return cause ? KIND_OF_CAUSE[cause] : "script";
}

function truncateUtf8(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return "";
  const bytes = encoder.encode(text).subarray(0, maxBytes);
  // Drop a trailing partial character rather than emit U+FFFD.
  return new TextDecoder().decode(bytes).replace(/\uFFFD$/, "");
}
