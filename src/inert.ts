/**
 * Script-controlled text made inert before a person sees it: in a terminal,
 * a control character, a CR or an escape sequence (ANSI CSI, OSC titles and
 * hyperlinks) can rewrite what is on screen or forge a line of the report,
 * and bidirectional overrides can reorder it. Each such character is shown as
 * a visible escape instead (`\x1b`, `\r`, `\u{202e}`); everything else,
 * including any other Unicode, passes unchanged. Machine-readable output
 * (JSON, JSONL) never goes through this: it stays exact.
 *
 * @module
 */

// C0 controls, DEL, C1 controls (0x9b is a one-byte CSI), line and paragraph
// separators, and the bidirectional marks, embeddings, overrides and isolates.
// deno-lint-ignore no-control-regex
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_IN_TEXT =
  // deno-lint-ignore no-control-regex
  /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function visible(ch: string): string {
  const code = ch.codePointAt(0)!;
  return NAMED[ch] ??
    (code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`);
}

/**
 * One field (a violation detail, an error message, an origin) as a single
 * inert line: every control character, CR and LF included, is escaped.
 *
 * @example
 * ```ts
 * import { inertField } from "./inert.ts";
 * import assert from "node:assert/strict";
 * assert.equal(inertField("a\x1b[2Jb\nc"), "a\\x1b[2Jb\\nc");
 * ```
 */
export function inertField(text: string): string {
  return text.replace(UNSAFE, visible);
}

/**
 * Multi-line text (a script's output, a traceback) made inert: line feeds and
 * tabs stay, every other control character (CR included) is escaped.
 *
 * @example
 * ```ts
 * import { inertText } from "./inert.ts";
 * import assert from "node:assert/strict";
 * assert.equal(inertText("ok\n\x1b]0;owned\x07\rfake\n"), "ok\n\\x1b]0;owned\\x07\\rfake\n");
 * ```
 */
export function inertText(text: string): string {
  return text.replace(UNSAFE_IN_TEXT, visible);
}
