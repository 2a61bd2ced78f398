/**
 * Newline-delimited reading with a hard cap on line length, so a peer that
 * never sends a newline cannot make the reader buffer without bound.
 *
 * @module
 */

/** Thrown when a line grows past the cap before its newline arrives. */
export class LineTooLongError extends Error {
  /** Create the error for a cap of `maxBytes`. */
  constructor(maxBytes: number) {
    super(`line longer than ${maxBytes} bytes`);
    this.name = "LineTooLongError";
  }
}

/**
 * Yield the lines of a byte stream (without their `\n`), failing with
 * {@link LineTooLongError} as soon as one exceeds `maxBytes`.
 */
export async function* readLines(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  for await (const chunk of stream) {
    let start = 0;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, i);
      if (pendingBytes + piece.length > maxBytes) throw new LineTooLongError(maxBytes);
      pending.push(piece);
      yield decoder.decode(concat(pending, pendingBytes + piece.length));
      pending = [];
      pendingBytes = 0;
      start = i + 1;
    }
    const rest = chunk.subarray(start);
    pendingBytes += rest.length;
    if (pendingBytes > maxBytes) throw new LineTooLongError(maxBytes);
    if (rest.length) pending.push(rest.slice());
  }
  if (pendingBytes) yield decoder.decode(concat(pending, pendingBytes));
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(size);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
