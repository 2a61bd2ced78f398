/**
 * WebSocket for `pyfence.web`, inside the worker. A connection is allowed
 * where an HTTP request would be (`checkTarget` in `web.ts`): the script's
 * origin or a CORS origin the policy lists, `ws:`/`wss:` standing for
 * `http:`/`https:` (so `ws://a.example` is `http://a.example:80` and never
 * `https://a.example`). There is no CORS for WebSocket: the server decides by
 * the handshake's `Origin`, which is always the script's origin (the script
 * sets no header). Cookies go with the handshake as with a credentialed
 * request, when the policy keeps cookies.
 *
 * Caps (the policy's limits): sockets open at once, messages per run (sent
 * and received together), bytes per message either way, and unread bytes
 * buffered per run; a socket that receives past a cap is closed (1009 or
 * 1008) and says why. Every socket is closed when the run ends. Beneath
 * this, the worker's Deno net permission admits only the same hosts.
 *
 * @module
 */
import { checkTarget, type CookieHooks, WebError, WebLimitError, type WebRules } from "./web.ts";
import { INTERRUPT } from "../protocol/boot.ts";

/** The WebSocket caps of one run. */
export interface SocketLimits {
  /** Sockets open at once. */
  maxSockets: number;
  /** Messages sent and received in the run. */
  maxMessages: number;
  /** Bytes of one message (text as UTF-8). */
  maxMessageBytes: number;
  /** Bytes received and not yet read, all sockets together. */
  maxBufferedBytes: number;
}

/** What `recv` hands to Python (as JSON): a message, the socket's end, or no message yet. */
export type Received =
  | { type: "text"; data: string }
  | { type: "binary"; data: Uint8Array }
  | { type: "close"; code: number; reason: string; why?: string }
  | { type: "timeout" }
  | { type: "interrupted" };

interface Socket {
  ws: WebSocket;
  queue: Exclude<Received, { type: "timeout" | "interrupted" }>[];
  closed?: { code: number; reason: string; why?: string };
  wake?: () => void;
}

const encoder = new TextEncoder();
/**
 * The runtime's WebSocket, taken when this module loads: boot.ts then
 * deletes the global (a script that reached JavaScript must not open
 * sockets of its own, nor make Blobs from binary messages; these sockets
 * receive ArrayBuffers).
 */
const RealWebSocket = globalThis.WebSocket;
// RFC 6455: a subprotocol is an HTTP token.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,128}$/;

/**
 * The URL to connect to, for a script URL `ws:`, `wss:`, `http:` or
 * `https:`; a {@link WebError} when the rules refuse it (as for HTTP, and a
 * fragment, as the WebSocket standard refuses it).
 *
 * @example
 * ```ts
 * import { socketTarget } from "./websocket.ts";
 * import assert from "node:assert/strict";
 * const rules = { origin: "http://a.example:8080", sameOrigin: true, cors: [], maxResponseBytes: 1, maxRequests: 1 };
 * assert.equal(socketTarget("ws://a.example:8080/chat", rules).href, "ws://a.example:8080/chat");
 * assert.throws(() => socketTarget("wss://a.example:8080/chat", rules), /not allowed/);
 * ```
 */
export function socketTarget(url: string, rules: WebRules): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new WebError(`not a URL: ${url.slice(0, 200)}`);
  }
  const http = { "ws:": "http:", "wss:": "https:", "http:": "http:", "https:": "https:" }[
    u.protocol
  ];
  if (!http) throw new WebError(`only ws, wss, http and https are allowed: ${url.slice(0, 200)}`);
  if (u.hash || url.includes("#")) throw new WebError("a WebSocket URL has no fragment");
  u.protocol = http;
  const { target } = checkTarget(u.href, rules);
  target.protocol = target.protocol === "https:" ? "wss:" : "ws:";
  return target;
}

/** How often a waiting socket looks at the interrupt word (Deno 2.5's `Atomics.waitAsync` never times out). */
const POLL_MS = 10;

/**
 * A promise that settles once the sandbox process has written the
 * deadline into the interrupt word, and a way to stop looking.
 */
function deadline(interrupt: Int32Array): { reached: Promise<"interrupted">; stop: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const reached = new Promise<"interrupted">((resolve) => {
    const tick = () => {
      if (Atomics.load(interrupt, 0) === INTERRUPT.deadline) return resolve("interrupted");
      timer = setTimeout(tick, POLL_MS);
    };
    tick();
  });
  return { reached, stop: () => clearTimeout(timer) };
}

/** The WebSockets of one run. */
export class Sockets {
  #rules: WebRules;
  #limits: SocketLimits;
  #enabled: boolean;
  #cookies?: CookieHooks;
  #interrupt?: Int32Array;
  #sockets = new Map<number, Socket>();
  #next = 1;
  #messages = 0;
  #buffered = 0;
  #ended = false;

  /**
   * Sockets under `rules` and `limits`, if `enabled` (the policy's
   * `network.websocket`); `cookies` gives each handshake its `Cookie`
   * header; a wait ends when `interrupt` (the sandbox process's interrupt
   * word) says the deadline has passed.
   */
  constructor(
    rules: WebRules,
    limits: SocketLimits,
    options: { enabled: boolean; cookies?: CookieHooks; interrupt?: Int32Array },
  ) {
    this.#rules = rules;
    this.#limits = limits;
    this.#enabled = options.enabled;
    this.#cookies = options.cookies;
    this.#interrupt = options.interrupt;
  }

  /**
   * Connect; resolves once the handshake is done.
   *
   * @throws {WebError} WebSocket is off, the rules refuse the URL, or a protocol is not a token.
   * @throws {WebLimitError} as many sockets are open as the run may have.
   * @throws {Error} the connection failed.
   */
  async open(url: string, protocols: string[]): Promise<{ id: number; protocol: string }> {
    if (!this.#enabled) throw new WebError("WebSocket is not allowed by the policy");
    const target = socketTarget(url, this.#rules);
    if (!protocols.every((p) => typeof p === "string" && TOKEN.test(p))) {
      throw new WebError("a WebSocket subprotocol must be a token");
    }
    if (this.#open() >= this.#limits.maxSockets) {
      throw new WebLimitError(`at most ${this.#limits.maxSockets} WebSockets may be open at once`);
    }
    const httpUrl = new URL(target);
    httpUrl.protocol = target.protocol === "wss:" ? "https:" : "http:";
    const cookie = await this.#cookies?.header(httpUrl.href, "include");
    const headers: [string, string][] = [["origin", this.#rules.origin!]];
    if (cookie) headers.push(["cookie", cookie]);
    const ws = new RealWebSocket(target, { protocols, headers });
    ws.binaryType = "arraybuffer";
    const socket: Socket = { ws, queue: [] };
    const id = this.#next++;
    this.#sockets.set(id, socket);
    ws.onmessage = (e) => this.#receive(socket, e.data);
    ws.onclose = (e) => {
      socket.closed ??= { code: e.code, reason: e.reason };
      socket.wake?.();
    };
    ws.onerror = (e) => {
      socket.closed ??= { code: 1006, reason: "", why: (e as ErrorEvent).message || "failed" };
      socket.wake?.();
    };
    let opened = false;
    const handshake = new Promise<void>((resolve) => {
      socket.wake = resolve;
      ws.onopen = () => {
        opened = true;
        resolve();
      };
    });
    // A handshake that never completes waits no longer than the run.
    const end = this.#interrupt ? deadline(this.#interrupt) : undefined;
    await Promise.race([handshake, ...(end ? [end.reached] : [])]);
    end?.stop();
    socket.wake = undefined;
    // (A server may close at once: the socket opened, and its close is the next thing read.)
    if (!opened) {
      ws.close();
      this.#sockets.delete(id);
      throw new Error(
        `WebSocket connection to ${target.origin} failed: ${socket.closed?.why ?? "closed"}`,
      );
    }
    if (this.#ended) ws.close();
    return { id, protocol: ws.protocol };
  }

  /**
   * Send a text (`text`) or binary (`bytes`) message.
   *
   * @throws {WebLimitError} the message or the run's message count is over its cap.
   * @throws {Error} no such socket, or it is closed.
   */
  send(id: number, message: string | Uint8Array): void {
    const socket = this.#socket(id);
    if (socket.closed || socket.ws.readyState !== RealWebSocket.OPEN) {
      throw new Error("the WebSocket is closed");
    }
    const size = typeof message === "string" ? encoder.encode(message).length : message.length;
    if (size > this.#limits.maxMessageBytes) {
      throw new WebLimitError(
        `a WebSocket message of ${size} bytes; at most ${this.#limits.maxMessageBytes} may be sent`,
      );
    }
    if (++this.#messages > this.#limits.maxMessages) {
      throw new WebLimitError(
        `more than ${this.#limits.maxMessages} WebSocket messages in one run`,
      );
    }
    socket.ws.send(message as string | Uint8Array<ArrayBuffer>);
  }

  /**
   * The next message, the socket's end (once, then again on every call), or
   * `timeout` after `timeoutMs` (`null`: no timeout), or `interrupted` once
   * the sandbox process has signalled the run's deadline.
   */
  async recv(id: number, timeoutMs: number | null): Promise<Received> {
    const socket = this.#socket(id);
    const next = socket.queue.shift();
    if (next) {
      if (next.type !== "close") {
        this.#buffered -= next.type === "text" ? next.data.length * 3 : next.data.length;
      }
      return next;
    }
    if (socket.closed) return { type: "close", ...socket.closed };
    const end = this.#interrupt ? deadline(this.#interrupt) : undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      new Promise<"ready">((resolve) => socket.wake = () => resolve("ready")),
      ...(timeoutMs === null ? [] : [
        new Promise<"timeout">((resolve) => {
          timer = setTimeout(() => resolve("timeout"), Math.max(0, timeoutMs));
        }),
      ]),
      ...(end ? [end.reached] : []),
    ]);
    clearTimeout(timer);
    end?.stop();
    socket.wake = undefined;
    if (outcome === "ready") return this.recv(id, 0);
    return { type: outcome };
  }

  /** Close one socket (a no-op when it is closed already). */
  close(id: number, code?: number, reason?: string): void {
    const socket = this.#socket(id);
    socket.closed ??= { code: code ?? 1005, reason: reason ?? "" };
    try {
      socket.ws.close(code, reason);
    } catch (err) {
      throw new WebError(`cannot close with that code or reason: ${(err as Error).message}`);
    }
  }

  /** The run is over: close every socket, and any a pending handshake opens later. */
  closeAll(): void {
    this.#ended = true;
    for (const socket of this.#sockets.values()) {
      try {
        socket.ws.close();
      } catch {
        // closing already
      }
    }
  }

  #open(): number {
    let n = 0;
    for (const s of this.#sockets.values()) if (!s.closed) n++;
    return n;
  }

  #socket(id: number): Socket {
    const socket = this.#sockets.get(id);
    if (!socket) throw new Error("no such WebSocket");
    return socket;
  }

  #receive(socket: Socket, data: unknown): void {
    if (socket.closed) return;
    const message: Received = typeof data === "string"
      ? { type: "text", data }
      : { type: "binary", data: new Uint8Array(data as ArrayBuffer) };
    const size = message.type === "text"
      ? encoder.encode(message.data).length
      : message.data.length;
    // A UTF-16 string costs at most three UTF-8 bytes per unit when it reaches Python.
    const held = message.type === "text" ? message.data.length * 3 : size;
    const limits = this.#limits;
    let problem: [number, string] | undefined;
    if (size > limits.maxMessageBytes) {
      problem = [1009, `a message of ${size} bytes arrived; at most ${limits.maxMessageBytes}`];
    } else if (++this.#messages > limits.maxMessages) {
      problem = [1008, `more than ${limits.maxMessages} WebSocket messages in one run`];
    } else if (this.#buffered + held > limits.maxBufferedBytes) {
      problem = [1008, `more than ${limits.maxBufferedBytes} bytes received and not read`];
    }
    if (problem) {
      const [code, why] = problem;
      socket.closed = { code, reason: "", why };
      try {
        socket.ws.close(code);
      } catch {
        // closing already
      }
    } else {
      this.#buffered += held;
      socket.queue.push(message);
    }
    socket.wake?.();
  }
}
