/**
 * The one way every layer reports a job that did not end on its own. Kept
 * free of the schema library so the worker can use it without loading it.
 *
 * @module
 */
import type { DoneEvent } from "./messages.ts";

/** The `done` event of a job that did not end on its own: a crash, a kill, a missed deadline. */
export function crashDone(type: string, message: string): DoneEvent {
  return { t: "done", ok: false, error: { type, message }, peakMemoryBytes: 0 };
}
