/**
 * Writing to the CLI's stdout and stderr. A reader that goes away
 * (`pyfence run --json - | head -c 300`) closes the pipe; that ends the
 * output quietly instead of with a stack trace. Text meant for a person
 * that a script controls goes through `inert.ts` first; see the callers.
 *
 * @module
 */

const encoder = new TextEncoder();
const closed = new Set<"stdout" | "stderr">();

function file(stream: "stdout" | "stderr") {
  return stream === "stdout" ? Deno.stdout : Deno.stderr;
}

/** Whether `stream` is a terminal (a person reads it, and it interprets escapes). */
export function isTerminal(stream: "stdout" | "stderr"): boolean {
  return file(stream).isTerminal();
}

/** Write all of `text` to `stream`, unless its reader has gone. */
export function write(stream: "stdout" | "stderr", text: string): void {
  if (closed.has(stream) || text === "") return;
  const bytes = encoder.encode(text);
  try {
    for (let off = 0; off < bytes.length;) off += file(stream).writeSync(bytes.subarray(off));
  } catch (err) {
    if (!(err instanceof Deno.errors.BrokenPipe)) throw err;
    closed.add(stream);
  }
}

/** Write `text` and a newline to stdout. */
export function println(text: string): void {
  write("stdout", text + "\n");
}

/** Write `text` and a newline to stderr. */
export function eprintln(text: string): void {
  write("stderr", text + "\n");
}
