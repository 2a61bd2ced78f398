/**
 * A run's live events as server-sent events (`POST /v1/run` with
 * `Accept: text/event-stream`). The response's status is decided before its
 * first byte: a request the server refuses (its quota, its policy, a busy
 * server) is answered with the usual JSON error; once the run has started,
 * the stream carries `started`, `output`, `violation`, `sample`, `warning`
 * and finally `done` with the result (or `error`, if the server failed after
 * the run started), and ends.
 *
 * @module
 */
import type { RunEvent } from "../host/events.ts";
import type { RunResult } from "../protocol/result.ts";
import { type ApiErrorBody, toApiError } from "./api_error.ts";

const encoder = new TextEncoder();

/** What the stream carries: a run's events, or the server's error after the run started. */
export type StreamEvent = RunEvent | ({ type: "error" } & ApiErrorBody);

/** One event in the `text/event-stream` format: its type as `event`, the whole JSON as `data`. */
export function sseFrame(id: number, event: StreamEvent): Uint8Array {
  return encoder.encode(`id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
}

/**
 * Start `run` with an event callback and answer with its events as a stream,
 * once the first event has come; if `run` fails before any event, that
 * failure is thrown instead (and becomes a JSON error).
 */
export async function eventStream(
  run: (onEvent: (event: RunEvent) => void) => Promise<RunResult>,
): Promise<Response> {
  const buffered: RunEvent[] = [];
  let push: ((event: RunEvent) => void) | undefined;
  let first!: () => void;
  const firstEvent = new Promise<void>((resolve) => first = resolve);
  const running = run((event) => {
    // `done` is sent once the run's promise settles, with the result it returns.
    if (event.type === "done") return;
    if (push) push(event);
    else buffered.push(event);
    first();
  });
  await Promise.race([firstEvent, running.catch(() => {})]);
  if (!buffered.length) await running; // a refusal before any event: thrown as it is
  let id = 0;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (event: StreamEvent) => {
        try {
          controller.enqueue(sseFrame(++id, event));
        } catch {
          // the client has gone; the run finishes anyway
        }
      };
      buffered.splice(0).forEach(send);
      push = send;
      running.then(
        (result) => send({ type: "done", result }),
        // The server failed after the run started: its kind only, as a JSON error says it.
        (err) => {
          const error = toApiError(err);
          if (error.status >= 500 && error.cause !== undefined) {
            console.error("pyfence serve:", error.cause);
          }
          send({ type: "error", ...error.body() });
        },
      ).finally(() => {
        try {
          controller.close();
        } catch {
          // already closed by the client
        }
      });
    },
  });
  return new Response(body, {
    status: 200,
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "x-accel-buffering": "no",
    },
  });
}
