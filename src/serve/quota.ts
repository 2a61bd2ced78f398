/**
 * One caller's quota: a token bucket for its rate, and a gate for its
 * concurrency with a bounded, first-come queue, so that a burst waits its
 * turn instead of being refused, and what cannot wait is answered 429 with
 * `Retry-After`.
 *
 * @module
 */
import { ApiError } from "./api_error.ts";
import type { CallerLimits } from "./options.ts";

interface Waiter {
  resolve: (release: () => void) => void;
  reject: (err: unknown) => void;
  timer: ReturnType<typeof setTimeout>;
  signal?: AbortSignal;
  onAbort: () => void;
}

/** The rate and concurrency quota of one caller. */
export class Quota {
  #limits: Readonly<Required<CallerLimits>>;
  #now: () => number;
  #tokens: number;
  #refilledAt: number;
  #running = 0;
  #waiting: Waiter[] = [];

  /** A quota with `limits`; `now` (milliseconds) is for tests. */
  constructor(
    limits: Readonly<Required<CallerLimits>>,
    now: () => number = () => performance.now(),
  ) {
    this.#limits = limits;
    this.#now = now;
    this.#tokens = limits.burst;
    this.#refilledAt = now();
  }

  /** Runs executing now. */
  get running(): number {
    return this.#running;
  }

  /** Runs waiting for their turn. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Take one run from the rate.
   *
   * @throws {ApiError} `rate_limited`, with the seconds until one is available.
   */
  take(): void {
    const perMs = this.#limits.ratePerMinute / 60_000;
    const now = this.#now();
    this.#tokens = Math.min(this.#limits.burst, this.#tokens + (now - this.#refilledAt) * perMs);
    this.#refilledAt = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return;
    }
    throw new ApiError(
      "rate_limited",
      `more than ${this.#limits.ratePerMinute} runs a minute (burst ${this.#limits.burst})`,
      { retryAfter: Math.max(1, Math.ceil((1 - this.#tokens) / perMs / 1000)) },
    );
  }

  /**
   * Wait for a turn to run; call the returned function when the run ends.
   *
   * @throws {ApiError} `too_many_runs` when the queue is full or the wait
   * passed `queueWaitMs`; the signal's reason when it aborts first.
   */
  slot(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.#running < this.#limits.concurrency) {
      this.#running++;
      return Promise.resolve(this.#releaser());
    }
    if (this.#waiting.length >= this.#limits.queue) {
      return Promise.reject(
        new ApiError(
          "too_many_runs",
          `${this.#running} runs running and ${this.#waiting.length} waiting: the most this ` +
            `caller may have (concurrency ${this.#limits.concurrency}, queue ${this.#limits.queue})`,
          { retryAfter: 1 },
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        timer: setTimeout(() => {
          this.#drop(waiter);
          reject(
            new ApiError(
              "too_many_runs",
              `waited ${this.#limits.queueWaitMs} ms for one of this caller's ` +
                `${this.#limits.concurrency} concurrent runs`,
              { retryAfter: 1 },
            ),
          );
        }, this.#limits.queueWaitMs),
        onAbort: () => {
          this.#drop(waiter);
          reject(signal!.reason);
        },
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }

  /** Reject every waiting run with `err` (the server is shutting down). */
  rejectWaiting(err: ApiError): void {
    for (const waiter of [...this.#waiting]) {
      this.#drop(waiter);
      waiter.reject(err);
    }
  }

  #drop(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    waiter.signal?.removeEventListener("abort", waiter.onAbort);
    const index = this.#waiting.indexOf(waiter);
    if (index >= 0) this.#waiting.splice(index, 1);
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next === undefined) {
        this.#running--;
        return;
      }
      // The turn passes straight on: `running` stays as it is.
      clearTimeout(next.timer);
      next.signal?.removeEventListener("abort", next.onAbort);
      next.resolve(this.#releaser());
    };
  }
}
