/**
 * The one way every layer reports a job that did not end on its own. Kept
 * free of the schema library so the worker can use it without loading it.
 *
 * @module
 */
import type { Cause, DoneEvent } from "./messages.ts";

/**
 * The `done` event of a job that did not end on its own: a crash, a kill, a
 * missed deadline. `cause` is what the reporting layer itself established
 * (see {@link Cause}).
 */
export function crashDone(type: string, message: string, cause: Cause): DoneEvent {
  return { t: "done", ok: false, error: { type, message }, cause, wasmBytes: 0 };
}
