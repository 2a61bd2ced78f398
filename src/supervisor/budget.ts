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
 * @module
 */

// Room beyond the output cap for violation details and the guard's last chunk.
const SLACK_BYTES = 4 * 1024 * 1024;
// Room beyond one message per output byte for violations.
const SLACK_MESSAGES = 65536;
// Messages that carry no output: a repeated `started`, anything on the
// worker's global channel. The runtime sends one `started` and nothing else.
const MAX_CONTROL_MESSAGES = 1000;

/** The UTF-8 length of `text` (as `TextEncoder` would encode it), without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3; // lone surrogates become U+FFFD, also 3 bytes
  }
  return bytes;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** The per-job relay budget. */
export class RelayBudget {
  #messages = 0;
  #bytes = 0;
  #control = 0;
  #maxMessages: number;
  #maxBytes: number;

  /** A budget for a job whose policy allows `outputBytes` of output. */
  constructor(outputBytes: number) {
    this.#maxMessages = outputBytes + SLACK_MESSAGES;
    this.#maxBytes = outputBytes + SLACK_BYTES;
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
