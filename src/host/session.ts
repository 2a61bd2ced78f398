/**
 * Sessions: several runs in one interpreter, whose globals, imports and
 * written files carry over from one run to the next (a notebook's kernel).
 *
 * A session holds one sandbox process of its own for its whole life (it
 * counts against the sandbox's `maxProcesses` until it ends), and in it one
 * worker: the process's supervisor hands that worker each run of the
 * session and no one else's (jobs marked `keep`, see `process.ts`). Two
 * sessions never share a process, so JavaScript reached in one session's
 * worker (both Python-side defences bypassed) finds nothing of another
 * session or run: no thread, no memory, no channel.
 *
 * What is counted per run is the run's own: its deadline, output cap,
 * violations, host-call budget and record, exactly as for `sandbox.run()`.
 * The host decides when a session ends, from the result's `error.kind`
 * (itself decided by the trusted side): any error but the script's own
 * exception (a violation that ended the run, a limit, a crash, a breach
 * sign, the caller's abort) ends the session and retires its process. So
 * does `close()`, the policy's `limits.session_idle_ms` without a run, and
 * `limits.session_max_ms` after it began. A run of an ended session never
 * starts: it returns a result whose `error` is `SessionClosed` (kind
 * `closed`), never a fresh interpreter.
 *
 * @module
 */
import type { RunResult } from "../protocol/result.ts";
import { checkOptionKeys } from "../option_keys.ts";
import type { RunOptions } from "./options.ts";
import { PolicyError, UsageError } from "../errors.ts";

/** Options of {@link Sandbox.session}. */
export interface SessionOptions {
  /** The session's origin, e.g. `https://a.example` (fixed for its life). Omitted or `"null"`: no network. */
  origin?: string;
  /** Tighten the policy's memory limit (MiB) for the session's interpreter; a looser value is an error. */
  memoryMb?: number;
  /** Functions every run of the session may call (see `RunOptions.expose`); fixed for its life. */
  expose?: RunOptions["expose"];
  /** How long to wait for a sandbox process when all are busy (milliseconds; default the sandbox's `queueTimeoutMs`). */
  queueTimeoutMs?: number;
  /** Abort the wait for a sandbox process. */
  signal?: AbortSignal;
}

/** The keys of {@link SessionOptions}. */
export const SESSION_OPTION_KEYS: Record<keyof SessionOptions, true> = {
  origin: true,
  memoryMb: true,
  expose: true,
  queueTimeoutMs: true,
  signal: true,
};

/** Options of {@link Session.run}: what may differ from one run of a session to the next. */
export type SessionRunOptions = Pick<RunOptions, "inputs" | "timeoutMs" | "onOutput" | "signal">;

const SESSION_RUN_OPTION_KEYS: Record<keyof SessionRunOptions, true> = {
  inputs: true,
  timeoutMs: true,
  onOutput: true,
  signal: true,
};

/** What a {@link Session} needs of its sandbox (made by `Sandbox.session`). */
export interface SessionDriver {
  /** A random id, fresh for this session: the key of its process's owner. */
  id: string;
  /** `limits.session_idle_ms` of the policy. */
  idleMs: number;
  /** `limits.session_max_ms` of the policy. */
  maxMs: number;
  /**
   * Run `code` in the session's worker, within `leftMs` of the session's life
   * (it tightens the run's time limit). Throws only what `sandbox.run()` throws.
   */
  run(code: string, options: SessionRunOptions, leftMs: number): Promise<RunResult>;
  /** The session's process is still fit for its next run. */
  alive(): boolean;
  /** Retire the session's process; resolves once it has exited. */
  retire(): Promise<void>;
}

/** Let `timer` not keep the program alive. */
function unrefTimer(timer: ReturnType<typeof setTimeout>): void {
  // Deno 2.9 returns a Node-style Timeout (which `Deno.unrefTimer` ignores), 2.5 a number.
  if (typeof timer === "number") Deno.unrefTimer(timer);
  else (timer as unknown as { unref(): void }).unref();
}

/** The result of a run of a session that has ended: it never started. */
function closedResult(why: string): RunResult {
  return {
    ok: false,
    stdout: "",
    stderr: "",
    error: { type: "SessionClosed", kind: "closed", message: `the session has ended: ${why}` },
    violations: [],
    durationMs: 0,
    peakMemoryBytes: 0,
  };
}

/**
 * Runs that share one interpreter: globals, imports and written files carry
 * over. Made by {@link Sandbox.session}; see there for an example.
 *
 * A run whose error is anything but the script's own exception (`kind`
 * `violation`, `limit`, `crash`) ends the session, as do {@link close}, the
 * policy's `limits.session_idle_ms` without a run and `limits.session_max_ms`
 * after it began; later runs return `error.type` `SessionClosed`
 * (`error.kind` `closed`) without running. Runs of one session take turns.
 */
export class Session {
  /** The session's id (random). */
  readonly id: string;
  #driver: SessionDriver;
  #ended?: string;
  #turn: Promise<unknown> = Promise.resolve();
  #idle?: ReturnType<typeof setTimeout>;
  #lifetime: ReturnType<typeof setTimeout>;
  #endsAt: number;
  #running = false;
  #exited?: Promise<void>;

  /** Internal: made by `Sandbox.session()`. */
  constructor(driver: SessionDriver) {
    this.id = driver.id;
    this.#driver = driver;
    this.#endsAt = performance.now() + driver.maxMs;
    this.#lifetime = setTimeout(() => {
      // A run in progress ends at its deadline, which the lifetime tightened.
      if (!this.#running) this.#end(`it reached its maximum lifetime of ${driver.maxMs} ms`);
    }, driver.maxMs);
    unrefTimer(this.#lifetime);
    this.#armIdle();
  }

  /** Why the session ended, or `undefined` while it lives. */
  get ended(): string | undefined {
    return this.#ended;
  }

  /**
   * Run `code` in the session's interpreter, after the session's earlier
   * runs (in the order of the calls). Never throws for anything the script
   * does; a session that has ended returns `error.type` `SessionClosed`.
   *
   * @throws {UsageError} an unknown option key, bad inputs, or a limit looser than the policy's (the session lives on).
   * @throws {SandboxError} the sandbox could not run it (the session has ended).
   */
  run(code: string, options: SessionRunOptions = {}): Promise<RunResult> {
    checkOptionKeys("session.run() options", options, SESSION_RUN_OPTION_KEYS);
    const turn = this.#turn.then(() => this.#runNow(code, options));
    this.#turn = turn.catch(() => {});
    return turn;
  }

  async #runNow(code: string, options: SessionRunOptions): Promise<RunResult> {
    if (this.#ended) return closedResult(this.#ended);
    const left = Math.floor(this.#endsAt - performance.now());
    if (left < 1) {
      this.#end(`it reached its maximum lifetime of ${this.#driver.maxMs} ms`);
      return closedResult(this.#ended!);
    }
    clearTimeout(this.#idle);
    this.#running = true;
    let result: RunResult;
    try {
      result = await this.#driver.run(code, options, left);
    } catch (err) {
      // The caller's mistake ran nothing: the session lives on.
      if (!(err instanceof UsageError || err instanceof PolicyError)) {
        this.#end(`its sandbox failed: ${(err as Error).message}`);
      }
      throw err;
    } finally {
      this.#running = false;
    }
    const { error } = result;
    if (error && error.kind !== "script") {
      this.#end(`a run ended with ${error.type} (${error.kind})`);
    } else if (!this.#driver.alive()) {
      this.#end("its sandbox process was retired");
    } else if (performance.now() >= this.#endsAt) {
      this.#end(`it reached its maximum lifetime of ${this.#driver.maxMs} ms`);
    } else this.#armIdle();
    return result;
  }

  /**
   * End the session and retire its process; resolves once the process has
   * exited. A run in progress ends as `WorkerCrash`; later runs return
   * `SessionClosed`. Closing an ended session does nothing more.
   */
  async close(): Promise<void> {
    this.#end("it was closed");
    await this.#exited;
  }

  /** {@link Session.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #armIdle(): void {
    clearTimeout(this.#idle);
    const { idleMs } = this.#driver;
    this.#idle = setTimeout(() => this.#end(`it was idle for more than ${idleMs} ms`), idleMs);
    unrefTimer(this.#idle);
  }

  #end(why: string): void {
    if (this.#ended) return;
    this.#ended = why;
    clearTimeout(this.#idle);
    clearTimeout(this.#lifetime);
    this.#exited = this.#driver.retire();
  }
}
