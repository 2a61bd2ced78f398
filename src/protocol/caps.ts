/**
 * Every cap of the protocol, in one unit: UTF-8 bytes of a field before JSON
 * escaping. The guard cuts what it sends to these sizes (they reach it in
 * its configuration), the supervisor and the host reject anything larger,
 * and the line cap is chosen so that no message built within them can
 * overflow a line after escaping: JSON escaping grows text at most six-fold
 * (a control byte becomes `\u00XX`).
 *
 * @module
 */

/** The caps the guard applies to what it sends (part of its configuration). */
export interface ProtocolCaps {
  /** One chunk of output (`out.text`). */
  chunk_bytes: number;
  /** A violation's or a finding's detail. */
  detail_bytes: number;
  /** An error message. */
  message_bytes: number;
  /** A traceback. */
  traceback_bytes: number;
  /** Findings in one check. */
  findings: number;
  /** Violations reported by one run; later ones still end the run but are counted only. */
  violations: number;
  /** One host call's arguments, or one answer's data: JSON text (see `host_call.ts`). */
  host_data_bytes: number;
  /** Nesting of arrays and objects in a host call's arguments or an answer's data. */
  host_data_depth: number;
  /** Host calls of one run waiting for their answers at once. */
  host_calls_in_flight: number;
}

/** The caps every layer applies. */
export const CAPS: Readonly<ProtocolCaps> = Object.freeze({
  chunk_bytes: 64 * 1024,
  detail_bytes: 2048,
  message_bytes: 16 * 1024,
  traceback_bytes: 64 * 1024,
  findings: 500,
  violations: 1000,
  host_data_bytes: 1024 * 1024,
  host_data_depth: 64,
  host_calls_in_flight: 16,
});

/** An exception type name as the protocol carries it. */
export const TYPE_NAME = /^[A-Za-z_][A-Za-z0-9_.]{0,99}$/;

/**
 * Longest line the host accepts from a sandbox process (bytes). The largest
 * message within the caps, escaped six-fold, fits: a `done` of a check with
 * `findings` findings of `detail_bytes` each, one with a full message and
 * traceback, or a host call with its arguments.
 */
export const MAX_LINE_BYTES: number = 6 * Math.max(
      CAPS.findings * (CAPS.detail_bytes / 2 + 64),
      CAPS.message_bytes + CAPS.traceback_bytes + 256,
      CAPS.chunk_bytes + 256,
      CAPS.host_data_bytes + 512,
    ) + 4096;

const encoder = new TextEncoder();

/** UTF-8 length of `text` (lone surrogates count as the three bytes WTF-8 gives them). */
export function utf8Bytes(text: string): number {
  return encoder.encode(text).length;
}
