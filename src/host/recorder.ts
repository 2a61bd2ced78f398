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
import { CAPS } from "../protocol/caps.ts";
import { normalizeFileName } from "../capabilities/permissions.ts";

/** How a run is recorded. */
export interface RecorderOptions {
  /** stdout + stderr cap in bytes (UTF-8). */
  outputBytes: number;
  /** Stop recording output at the first violation. */
  terminateOnViolation: boolean;
  /** `imports: probe`: a refused import reported as a probe does not end the run. */
  importProbes?: boolean;
  /** The writable area's quotas, when the policy has one: files beyond them are a breach. */
  writable?: { bytes: number; files: number };
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
  #files = new Map<string, Uint8Array[]>();
  #fileBytes = 0;
  #currentFile?: string;
  /** What the worker sent that the guard never would: the run cannot be believed. */
  #breaches: string[] = [];

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
        // Only the policy makes a probe: a worker's word alone does not.
        const probe = event.probe === true && event.kind === "import" &&
          this.#options.importProbes === true;
        const violation: Violation = {
          kind: event.kind,
          detail: event.detail,
          ...(event.line === undefined ? {} : { line: event.line }),
          at: Math.round(this.#elapsed()),
          ...(probe ? { probe: true as const } : {}),
        };
        this.#violations.push(violation);
        this.#options.onViolation?.(violation);
        if (this.#options.terminateOnViolation && !probe) this.#terminated = true;
        return;
      }
      case "file":
        return this.#file(event.path, event.data);
    }
  }

  /**
   * One piece of a written file. The guard sends each file once, its pieces
   * together, within the policy's quotas and under a name the path rule
   * keeps as it is; anything else is a breach, and no file is returned.
   */
  #file(path: string, data: string): void {
    if (this.#terminated || this.#breaches.length) return;
    const quota = this.#options.writable;
    if (!quota) return this.#breach("a written file, but the policy has no writable area");
    if (path !== this.#currentFile) {
      let normal: string | undefined;
      try {
        normal = normalizeFileName(path);
      } catch {
        // reported below
      }
      if (normal !== path) return this.#breach(`a written file named ${JSON.stringify(path)}`);
      if (this.#files.has(path)) return this.#breach(`the file '${path}' sent twice`);
      if (this.#files.size >= quota.files) {
        return this.#breach(`more than ${quota.files} written files`);
      }
      for (const other of this.#files.keys()) {
        if (other.startsWith(path + "/") || path.startsWith(other + "/")) {
          return this.#breach(`'${path}' and '${other}' are a file and a directory at once`);
        }
      }
      this.#currentFile = path;
      this.#files.set(path, []);
    }
    let bytes: Uint8Array;
    try {
      bytes = Uint8Array.fromBase64(data);
    } catch {
      return this.#breach(`the file '${path}' is not valid base64`);
    }
    this.#fileBytes += bytes.length;
    if (this.#fileBytes > quota.bytes) {
      return this.#breach(`written files of more than ${quota.bytes} bytes`);
    }
    this.#files.get(path)!.push(bytes);
  }

  #breach(sign: string): void {
    this.#breaches.push(sign);
    this.#files.clear();
  }

  /** The final expression's value, as the result carries it (the guard's JSON re-checked). */
  #value(done: DoneEvent): Pick<RunResult, "value" | "valueRepr"> {
    const value = done.value;
    if (!value) return {};
    if ("repr" in value) return { value: value.repr, valueRepr: true };
    let parsed: unknown;
    try {
      parsed = JSON.parse(value.json);
    } catch {
      this.#breach("a value that is not JSON");
      return {};
    }
    if (nesting(parsed) > CAPS.value_depth) {
      this.#breach(`a value nested deeper than ${CAPS.value_depth} levels`);
      return {};
    }
    return parsed === null ? {} : { value: parsed };
  }

  #writtenFiles(): Record<string, Uint8Array> | undefined {
    if (this.#terminated || this.#files.size === 0) return undefined;
    const out: Record<string, Uint8Array> = {};
    for (const [path, pieces] of this.#files) {
      const bytes = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
      let offset = 0;
      for (const piece of pieces) {
        bytes.set(piece, offset);
        offset += piece.length;
      }
      out[path] = bytes;
    }
    return out;
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
    const value = done.ok && !done.error ? this.#value(done) : {};
    if (this.#breaches.length) return this.#breached(done);
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
    const files = this.#writtenFiles();
    return {
      ok,
      stdout: this.#out.stdout,
      stderr: this.#out.stderr,
      ...(error ? { error } : {}),
      violations: this.#violations,
      durationMs: Math.round(this.#elapsed() * 100) / 100,
      peakMemoryBytes: done.peakMemoryBytes,
      ...(this.#truncated ? { truncated: true } : {}),
      ...(ok ? value : {}),
      ...(files ? { files } : {}),
    };
  }

  /** A run whose worker sent what the guard never would: a violation, whatever it said. */
  #breached(done: DoneEvent): RunResult {
    for (const sign of this.#breaches) {
      this.#violations.push({ kind: "breach", detail: sign, at: Math.round(this.#elapsed()) });
    }
    return {
      ok: false,
      stdout: this.#out.stdout,
      stderr: this.#out.stderr,
      error: { type: "SandboxBreach", kind: "violation", message: this.#breaches[0] },
      violations: this.#violations,
      durationMs: Math.round(this.#elapsed() * 100) / 100,
      peakMemoryBytes: done.peakMemoryBytes,
      ...(this.#truncated ? { truncated: true } : {}),
    };
  }
}

/** How deeply arrays and objects nest in a parsed JSON value (iteratively: no stack to exhaust). */
function nesting(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    deepest = Math.max(deepest, depth + 1);
    for (const item of Object.values(v)) stack.push([item, depth + 1]);
  }
  return deepest;
}

function truncateUtf8(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return "";
  const bytes = encoder.encode(text).subarray(0, maxBytes);
  // Drop a trailing partial character rather than emit U+FFFD.
  return new TextDecoder().decode(bytes).replace(/\uFFFD$/, "");
}
