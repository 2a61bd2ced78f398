/**
 * The host's end of host calls (`protocol/host_call.ts`), one router per
 * run: it dispatches each call to a service registered for that run,
 * enforces the run's caps (calls, bytes, and time: no call outlives the
 * run's deadline), turns what a handler returns into plain data, and
 * records every call.
 *
 * A call the guard would never send (a service or function this run does
 * not offer, arguments that are not a JSON list) is a sign the worker no
 * longer obeys it: the router rejects with {@link HostCallBreach} and the
 * process handle ends the run. Everything a handler does wrong is the
 * script's `HostError` instead.
 *
 * @module
 */
import type { CallEvent } from "../protocol/messages.ts";
import {
  type HostAnswer,
  parseCallArgs,
  PlainDataError,
  plainJson,
} from "../protocol/host_call.ts";
import { CAPS, utf8Bytes } from "../protocol/caps.ts";
import type { HostCall, RunError } from "../protocol/result.ts";

/** What a service's handler learns about the call besides its arguments. */
export interface HostCallContext {
  /** Aborted when the run ends: the answer is no longer awaited. */
  signal: AbortSignal;
}

/** One service on the host-call channel (`host` for `expose`; storage and cookies later). */
export interface HostService {
  /** Whether the service offers `name`; a call of anything else ends the run as a breach sign. */
  has(name: string): boolean;
  /**
   * Answer a call of `name` with its (plain-data) arguments: plain data, or
   * a promise of it. A throw or rejection reaches the script as `HostError`
   * with the message only.
   */
  call(name: string, args: unknown[], context: HostCallContext): unknown;
}

/** A host call the guard would never have sent: the worker no longer obeys it. */
export class HostCallBreach extends Error {
  /** Create the error; `message` says what was wrong with the call. */
  constructor(message: string) {
    super(message);
    this.name = "HostCallBreach";
  }
}

/** How a run's calls are routed and capped. */
export interface RouterOptions {
  /** The services this run offers, by name. */
  services: Record<string, HostService>;
  /** Calls the run may make. */
  maxCalls: number;
  /** UTF-8 bytes of JSON the run's calls may carry, arguments and answers together. */
  maxBytes: number;
  /** The run's time limit: no call is awaited past it. */
  timeoutMs: number;
  /** Called with each call once it is answered (the audit trail). */
  onCall?: (call: HostCall) => void;
}

const TIMED_OUT = Symbol("timed out");

function messageOf(err: unknown): string {
  try {
    return err instanceof Error ? err.message : String(err);
  } catch {
    return "(a value that cannot be shown)";
  }
}

/** `text` cut to at most `max` UTF-8 bytes, at a character boundary. */
function cutUtf8(text: string, max: number): string {
  if (utf8Bytes(text) <= max) return text;
  const bytes = new TextEncoder().encode(text).subarray(0, max - 16);
  return new TextDecoder().decode(bytes).replace(/\uFFFD$/, "") + " … [cut]";
}

/** Routes, caps and records the host calls of one run. */
export class HostCallRouter {
  #options: RouterOptions;
  #deadline: number;
  #count = 0;
  #bytes = 0;
  #limit?: string;
  #calls: HostCall[] = [];
  #ended = new AbortController();

  /** A router for one run. */
  constructor(options: RouterOptions) {
    this.#options = options;
    this.#deadline = performance.now() + options.timeoutMs;
  }

  /** The script started: its deadline, and so every call's, runs from now. */
  start(): void {
    this.#deadline = performance.now() + this.#options.timeoutMs;
  }

  /** The run is over: handlers still running see their signal aborted. */
  end(): void {
    this.#ended.abort(new Error("the run ended"));
  }

  /** Every call so far, in the order they were answered. */
  get calls(): HostCall[] {
    return [...this.#calls];
  }

  /**
   * The error the run ends with because its budget was spent, if it was:
   * decided here, whatever the worker reports.
   */
  get limitError(): RunError | undefined {
    return this.#limit === undefined
      ? undefined
      : { type: "HostCallLimitError", message: this.#limit };
  }

  /**
   * The answer to one call.
   *
   * @throws {HostCallBreach} the call names a service or function this run
   * does not offer, or its arguments are not a JSON list of plain data.
   */
  async answer(event: CallEvent): Promise<HostAnswer> {
    const { services, maxCalls, maxBytes } = this.#options;
    const service = Object.hasOwn(services, event.service) ? services[event.service] : undefined;
    if (!service?.has(event.name)) {
      throw new HostCallBreach(
        `a host call of '${event.service}.${event.name}', which this run does not offer`,
      );
    }
    const args = parseCallArgs(event.data);
    if (!args) throw new HostCallBreach("host call arguments that are not a JSON list");
    const label = `${event.name}()`;
    const started = performance.now();
    const bytesIn = utf8Bytes(event.data);
    const finish = (outcome: HostCall["outcome"], bytesOut: number) => {
      const call: HostCall = {
        service: event.service,
        name: event.name,
        bytesIn,
        bytesOut,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
        outcome,
      };
      this.#calls.push(call);
      this.#options.onCall?.(call);
    };
    const fail = (type: "HostError" | "TimeoutError" | "HostCallLimitError", message: string) => {
      finish(type === "HostError" ? "error" : type === "TimeoutError" ? "timeout" : "limit", 0);
      const error = { type, message: cutUtf8(message, CAPS.message_bytes) };
      return { call: event.call, ok: false as const, error };
    };
    const overLimit = (message: string) => {
      this.#limit ??= message;
      return fail("HostCallLimitError", message);
    };
    if (this.#count >= maxCalls) return overLimit(`more than ${maxCalls} host calls in one run`);
    if (this.#bytes + bytesIn > maxBytes) {
      return overLimit(`host calls of this run would carry more than ${maxBytes} bytes`);
    }
    this.#count++;
    this.#bytes += bytesIn;

    let value: unknown;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const handled = Promise.resolve().then(() =>
        service.call(event.name, args, { signal: this.#ended.signal })
      );
      const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
        timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, this.#deadline - started));
      });
      value = await Promise.race([handled, timeout]);
    } catch (err) {
      return fail("HostError", messageOf(err));
    } finally {
      clearTimeout(timer);
    }
    if (value === TIMED_OUT) return fail("TimeoutError", `${label} did not answer in time`);
    let data: string;
    try {
      data = plainJson(value);
    } catch (err) {
      if (!(err instanceof PlainDataError)) return fail("HostError", messageOf(err));
      const where = err.path ? ` at ${err.path}` : "";
      return fail(
        "HostError",
        `${label} returned ${err.problem}${where}; only plain data (null, booleans, numbers, ` +
          "strings, arrays and plain objects) crosses to Python",
      );
    }
    const bytesOut = utf8Bytes(data);
    if (bytesOut > CAPS.host_data_bytes) {
      return fail(
        "HostError",
        `${label} returned ${bytesOut} bytes of JSON; one answer may carry at most ` +
          `${CAPS.host_data_bytes}`,
      );
    }
    if (this.#bytes + bytesOut > maxBytes) {
      return overLimit(`host calls of this run would carry more than ${maxBytes} bytes`);
    }
    this.#bytes += bytesOut;
    finish("ok", bytesOut);
    return { call: event.call, ok: true, data };
  }
}
