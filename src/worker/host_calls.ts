/**
 * The worker's end of host calls (`protocol/host_call.ts`): a call is posted
 * on the private port with a fresh random id, and its promise settles when
 * the sandbox process posts the answer with that id. Only strings cross into
 * Python: the answer as JSON text.
 *
 * @module
 */
import type { AnswerMessage } from "../protocol/messages.ts";

/** Makes host calls for one job over `port`. */
export class HostCaller {
  #port: MessagePort;
  #waiting = new Map<string, (answer: string) => void>();

  /** Calls go out on `port`; feed its answers to {@link HostCaller.receive}. */
  constructor(port: MessagePort) {
    this.#port = port;
  }

  /**
   * Call `name` of `service` with the JSON text of an argument list; resolves
   * with the answer as JSON text: `{"ok": true, "data": …}` or
   * `{"ok": false, "error": {"type", "message"}}`.
   */
  call(service: string, name: string, data: string): Promise<string> {
    const call = crypto.randomUUID();
    return new Promise((resolve) => {
      this.#waiting.set(call, resolve);
      this.#port.postMessage({
        t: "call",
        call,
        service: String(service),
        name: String(name),
        data: String(data),
      });
    });
  }

  /** An answer from the sandbox process (which only relays the host's). */
  receive(message: AnswerMessage): void {
    const resolve = this.#waiting.get(message?.call);
    if (!resolve) return;
    this.#waiting.delete(message.call);
    // The host sent `data` as JSON text of plain data: embedded as it is.
    resolve(
      message.ok
        ? `{"ok":true,"data":${message.data}}`
        : JSON.stringify({ ok: false, error: message.error }),
    );
  }
}
