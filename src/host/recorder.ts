/**
 * Turns the validated event stream of one run into a {@link RunResult}. This
 * is the host's own enforcement of output caps and of `on_violation:
 * terminate`: whatever a worker sends after the first violation, or past the
 * output cap, never reaches the result.
 *
 * @module
 */
import type { RunError, RunResult, Violation } from "../protocol/result.ts";
import type { WorkerEvent } from "../protocol/messages.ts";
import type { DoneEvent } from "../protocol/messages.ts";

/** How a run is recorded. */
export interface RecorderOptions {
  /** stdout + stderr cap in bytes (UTF-8). */
  outputBytes: number;
  /** Stop recording output at the first violation. */
  terminateOnViolation: boolean;
  /** Called with each accepted chunk of output. */
  onOutput?: (stream: "stdout" | "stderr", text: string) => void;
  /** Called with each violation as it happens. */
  onViolation?: (violation: Violation) => void;
}

const encoder = new TextEncoder();

/** Accumulates one run's events. */
export class RunRecorder {
  #options: RecorderOptions;
  #out = { stdout: "", stderr: "" };
  #bytes = 0;
  #truncated = false;
  #terminated = false;
  #violations: Violation[] = [];
  #startedAt?: number;

  /** Start recording with `options`. */
  constructor(options: RecorderOptions) {
    this.#options = options;
  }

  /** Feed one event from the worker. */
  accept(event: WorkerEvent): void {
    switch (event.t) {
      case "started":
        this.#startedAt = performance.now();
        return;
      case "out":
        return this.#output(event.stream, event.text);
      case "violation": {
        if (this.#terminated) return;
        const violation: Violation = {
          kind: event.kind,
          detail: event.detail,
          ...(event.line === undefined ? {} : { line: event.line }),
          at: Math.round(this.#elapsed()),
        };
        this.#violations.push(violation);
        this.#options.onViolation?.(violation);
        if (this.#options.terminateOnViolation) this.#terminated = true;
      }
    }
  }

  #elapsed(): number {
    return this.#startedAt === undefined ? 0 : performance.now() - this.#startedAt;
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

  /** The result, given the job's final event. */
  finish(done: DoneEvent): RunResult {
    let error: RunError | undefined = done.error;
    // The guard stops writing at the cap itself, so the host may never see the excess.
    if (error?.type === "OutputLimitError") this.#truncated = true;
    if (this.#truncated && (!error || error.type !== "OutputLimitError")) {
      error = {
        type: "OutputLimitError",
        message: `output exceeded ${this.#options.outputBytes} bytes`,
      };
    }
    const ok = done.ok && !error && !(this.#terminated && this.#violations.length);
    if (!ok && !error && this.#violations.length) {
      error = { type: "SecurityError", message: this.#violations[0].detail };
    }
    return {
      ok,
      stdout: this.#out.stdout,
      stderr: this.#out.stderr,
      ...(error ? { error } : {}),
      violations: this.#violations,
      durationMs: Math.round(this.#elapsed() * 100) / 100,
      peakMemoryBytes: done.peakMemoryBytes,
      ...(this.#truncated ? { truncated: true } : {}),
    };
  }
}

function truncateUtf8(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return "";
  const bytes = encoder.encode(text).subarray(0, maxBytes);
  // Drop a trailing partial character rather than emit U+FFFD.
  return new TextDecoder().decode(bytes).replace(/\uFFFD$/, "");
}
