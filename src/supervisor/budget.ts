/**
 * What one job may send through the sandbox process, counted in the units
 * the host counts: messages, and UTF-8 bytes of text. The guard keeps a
 * script far below this on its own; the budget is for a worker whose
 * JavaScript no longer obeys the guard, so that a flood of messages ends as
 * `OutputLimitError` instead of exhausting the process or the host.
 *
 * The message count allows one message per byte of output (the guard sends
 * a message per stream switch), so a flood of tiny output messages may last
 * until the deadline instead: it then ends as `TimeoutError`.
 *
 * Host calls are counted apart, against the run's own budget of calls and
 * bytes (the host enforces it exactly; this keeps a worker that ignores its
 * answers from flooding the host).
 *
 * @module
 */

// Room beyond the output cap for violation details and the guard's last chunk.
const SLACK_BYTES = 4 * 1024 * 1024;
// Room beyond one message per output byte for violations.
const SLACK_MESSAGES = 65536;
// Messages that carry no output: a repeated `started`, anything on the
// worker's global channel. The runtime sends one `started` and nothing else.
const MAX_CONTROL_MESSAGES = 1000;
// Calls beyond the run's budget the host answers with a limit before the relay stops.
const SLACK_CALLS = 64;

/** The per-job relay budget. */
export class RelayBudget {
  #messages = 0;
  #bytes = 0;
  #control = 0;
  #maxMessages: number;
  #maxBytes: number;
  #calls = 0;
  #callBytes = 0;
  #maxCalls: number;
  #maxCallBytes: number;

  /**
   * A budget for a job whose policy allows `outputBytes` of output, and
   * `hostCalls` host calls carrying `hostCallBytes` in all.
   */
  constructor(outputBytes: number, hostCalls = 0, hostCallBytes = 0) {
    this.#maxMessages = outputBytes + SLACK_MESSAGES;
    this.#maxBytes = outputBytes + SLACK_BYTES;
    this.#maxCalls = hostCalls + SLACK_CALLS;
    this.#maxCallBytes = hostCallBytes + SLACK_BYTES;
  }

  /** Count one host call carrying `bytes` of arguments; false once the budget is spent. */
  call(bytes: number): boolean {
    this.#calls++;
    this.#callBytes += bytes;
    return this.#calls <= this.#maxCalls && this.#callBytes <= this.#maxCallBytes;
  }

  /** Count one message carrying `bytes` of text; false once the budget is spent. */
  take(bytes: number): boolean {
    this.#messages++;
    this.#bytes += bytes;
    return this.#messages <= this.#maxMessages && this.#bytes <= this.#maxBytes;
  }

  /** Count one message that carries no output; false once too many have come. */
  control(): boolean {
    return ++this.#control <= MAX_CONTROL_MESSAGES;
  }
}
