/**
 * An audit store: where a server keeps its trail so that it can be queried
 * by time, origin and caller. The sink writes to a store through this small
 * interface only, so the store behind it (Deno KV in this process today;
 * the flag-free store process of `host/storage/` once adapted) is chosen in
 * one line.
 *
 * @module
 */
import type { AuditEvent, AuditSink } from "./trail.ts";

/** Which events a query wants; every field narrows it. */
export interface AuditQuery {
  /** Events at or after this time. */
  since?: Date;
  /** Events before this time. */
  until?: Date;
  /** Only this origin's events. */
  origin?: string;
  /** Only this caller's events. */
  caller?: string;
}

/** Somewhere audit events can be appended and queried back in time order. */
export interface AuditStore {
  /** Append `events` (in order). Resolves once they are stored. */
  append(events: readonly AuditEvent[]): Promise<void>;
  /** The stored events that match `query`, oldest first. */
  query(query?: AuditQuery): AsyncIterable<AuditEvent>;
  /** Release the store. Appends after this fail. */
  close(): Promise<void>;
}

/** Whether `event` matches `query` (a bad timestamp never matches a time range). */
export function matches(event: AuditEvent, query: AuditQuery): boolean {
  if (query.origin !== undefined && event.origin !== query.origin) return false;
  if (query.caller !== undefined && event.caller !== query.caller) return false;
  if (query.since === undefined && query.until === undefined) return true;
  const at = Date.parse(event.ts);
  if (Number.isNaN(at)) return false;
  if (query.since !== undefined && at < query.since.getTime()) return false;
  if (query.until !== undefined && at >= query.until.getTime()) return false;
  return true;
}

/** An {@link AuditSink} that is also closed when its owner is done with it. */
export interface ClosableAuditSink {
  /** Receive one event; resolves once it is stored. */
  (event: AuditEvent): Promise<void>;
  /** Store what is pending, then close the store. */
  close(): Promise<void>;
}

/**
 * A sink that appends to `store`, batching the events that arrive while an
 * append is in flight into the next one (one writer, order kept). Each
 * event's promise settles once the batch holding it is stored, rejecting if
 * that append failed.
 */
export function storeAuditSink(store: AuditStore): ClosableAuditSink {
  let pending: AuditEvent[] = [];
  let next: Promise<void> | undefined;
  let last: Promise<void> = Promise.resolve();
  let closed = false;
  const sink: AuditSink = (event) => {
    if (closed) return Promise.reject(new Error("the audit store is closed"));
    pending.push(event);
    if (!next) {
      const batch = last.then(() => {
        next = undefined;
        const events = pending;
        pending = [];
        return store.append(events);
      });
      next = batch;
      last = batch.catch(() => {});
    }
    return next;
  };
  return Object.assign(sink as (event: AuditEvent) => Promise<void>, {
    close: async () => {
      closed = true;
      await last;
      await store.close();
    },
  });
}
