/**
 * Turns the validated event stream of one run into a {@link RunResult}. This
 * is the host's own enforcement of output caps, of the violation cap and of
 * `on_violation: terminate` (whatever a worker sends after the first
 * violation, or past the output cap, never reaches the result), and the one
 * place where a run's error gets its {@link ErrorKind}: from the facts of the
 * layer that ended the run (`JobEnd`), never from an exception's name. Written
 * files are checked against the policy's quotas and path rule here too.
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
import type { Cause, DoneEvent, JobEnd, WireError } from "../protocol/messages.ts";
import type { JobEvent } from "./process.ts";
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
  #files = new Map<string, Uint8Array[]>();
  #fileBytes = 0;
  #currentFile?: string;

  /** Start recording with `options`. */
  constructor(options: RecorderOptions) {
    this.#options = options;
  }

  /**
   * Feed one event of the job. Returns a breach sign when the event is one
   * the guard never sends (a written file past the policy's rules): the
   * caller ends the job and retires its process.
   */
  accept(event: JobEvent): string | undefined {
    switch (event.t) {
      case "started":
        this.#startedAt = performance.now();
        return;
      case "ended":
        this.#endedAt ??= performance.now();
        return;
      case "out":
        this.#output(event.stream, event.text);
        return;
      case "violation": {
        if (this.#terminated) return;
        // Only the policy makes a probe: a worker's word alone does not.
        const probe = event.probe === true && event.kind === "import" &&
          this.#options.importProbes === true;
        this.#violation(event.kind, event.detail, event.line, probe);
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
   * keeps as it is; anything else is a breach sign, and no file is returned.
   */
  #file(path: string, data: string): string | undefined {
    if (this.#terminated) return;
    const quota = this.#options.writable;
    if (!quota) return this.#fileBreach("a written file, but the policy has no writable area");
    if (path !== this.#currentFile) {
      let normal: string | undefined;
      try {
        normal = normalizeFileName(path);
      } catch {
        // reported below
      }
      if (normal !== path) return this.#fileBreach(`a written file named ${JSON.stringify(path)}`);
      if (this.#files.has(path)) return this.#fileBreach(`the file '${path}' sent twice`);
      if (this.#files.size >= quota.files) {
        return this.#fileBreach(`more than ${quota.files} written files`);
      }
      for (const other of this.#files.keys()) {
        if (other.startsWith(path + "/") || path.startsWith(other + "/")) {
          return this.#fileBreach(`'${path}' and '${other}' are a file and a directory at once`);
        }
      }
      this.#currentFile = path;
      this.#files.set(path, []);
    }
    let bytes: Uint8Array;
    try {
      bytes = Uint8Array.fromBase64(data);
    } catch {
      return this.#fileBreach(`the file '${path}' is not valid base64`);
    }
    this.#fileBytes += bytes.length;
    if (this.#fileBytes > quota.bytes) {
      return this.#fileBreach(`written files of more than ${quota.bytes} bytes`);
    }
    this.#files.get(path)!.push(bytes);
  }

  #fileBreach(sign: string): string {
    this.#files.clear();
    this.#terminated = true;
    return sign;
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

  #violation(kind: ViolationKind, detail: string, line?: number, probe = false): void {
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
      ...(probe ? { probe: true as const } : {}),
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
    // A script error keeps what it wrote; a terminating violation or a breach voids it.
    const files = end.breaches.length ? undefined : this.#writtenFiles();
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
      ...(ok ? valueOf(end.done) : {}),
      ...(files ? { files } : {}),
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
    // A probe was the script's to catch: it does not make the run a violation.
    const violated = this.#violations.some((v) => v.kind !== "breach" && !v.probe);
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

/**
 * The final expression's value as the result carries it. Its JSON was
 * checked (valid, within the size and depth caps) where the supervisor
 * validated the worker's `done`.
 */
function valueOf(done: DoneEvent): Pick<RunResult, "value" | "valueRepr"> {
  const value = done.value;
  if (!value) return {};
  if ("repr" in value) return { value: value.repr, valueRepr: true };
  const parsed = JSON.parse(value.json);
  return parsed === null ? {} : { value: parsed };
}

function truncateUtf8(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return "";
  const bytes = encoder.encode(text).subarray(0, maxBytes);
  // Drop a trailing partial character rather than emit U+FFFD.
  return new TextDecoder().decode(bytes).replace(/\uFFFD$/, "");
}
