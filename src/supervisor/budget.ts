/**
 * What one job may send through the sandbox process, counted in the units
 * the host counts: messages, and UTF-8 bytes of text. The guard keeps a
 * script far below this on its own; the budget is for a worker whose
 * JavaScript no longer obeys the guard, so that a flood of messages ends as
 * `OutputLimitError` instead of exhausting the process or the host.
 *
 * @module
 */

// Room beyond the output cap for violation details and the guard's last chunk.
const SLACK_BYTES = 4 * 1024 * 1024;
// Room beyond one message per output byte for `started`, violations and `done`.
const SLACK_MESSAGES = 65536;

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
}
