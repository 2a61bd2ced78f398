/**
 * The audit trail in Deno KV, for a server: events indexed by time, by
 * origin and by caller, so that a report can ask for one origin's or one
 * caller's events of the last day without reading the rest.
 *
 * Deno KV is an unstable API: the process that opens it needs
 * `--unstable-kv` (or `"unstable": ["kv"]` in its `deno.json`; Deno Deploy
 * has it). pyfence never asks its users for `--unstable-*` flags, so where
 * `Deno.openKv` is missing, opening the store fails with a
 * {@link UsageError} that says so. Only the small {@link AuditStore}
 * interface is used by the sink, so that the flag-free store of
 * `host/storage/store.ts` (`openStore`: Deno KV in a store process) can take
 * this one's place in one line (`kvAuditSink`) once an {@link AuditStore}
 * over its paged `list` and `commit` exists; it does not yet.
 *
 * Keys, under `["pyfence-audit"]`: `["t", ms, seq]`, `["o", origin, ms, seq]`
 * and `["c", caller, ms, seq]`, each holding the whole event (indexes hold
 * copies: the trail is written once and read by range). `seq` orders the
 * events of one millisecond as they were appended.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import type { AuditEvent } from "./trail.ts";
import {
  type AuditQuery,
  type AuditStore,
  type ClosableAuditSink,
  matches,
  storeAuditSink,
} from "./store.ts";

/** The parts of Deno KV this store uses (typed here: `Deno.Kv` exists only with `--unstable-kv`). */
interface KvLike {
  atomic(): {
    set(key: unknown[], value: unknown, options?: { expireIn?: number }): unknown;
    commit(): Promise<{ ok: boolean }>;
  };
  list<T>(
    selector: { prefix?: unknown[]; start?: unknown[]; end?: unknown[] },
  ): AsyncIterable<{ key: unknown[]; value: T }>;
  close(): void;
}

/** Options of {@link openKvAuditStore} and {@link kvAuditSink}. */
export interface KvAuditOptions {
  /** Delete events after this many milliseconds (Deno KV's `expireIn`). Default: keep them. */
  retainMs?: number;
}

const ROOT = "pyfence-audit";
// Deno KV refuses an atomic operation of more than 1000 mutations or 800 KiB.
const MAX_MUTATIONS = 600;
const MAX_BATCH_BYTES = 512 * 1024;
// A key part may be at most about 2 KiB; an origin or caller longer than this is not indexed by it.
const MAX_KEY_TEXT = 1024;

const encoder = new TextEncoder();

/**
 * `Deno.openKv` of this process.
 *
 * @throws {UsageError} (naming `argument`) this process has no Deno KV.
 */
function openKvFunction(argument: string): (path?: string) => Promise<KvLike> {
  const openKv = (Deno as unknown as { openKv?: (path?: string) => Promise<KvLike> }).openKv;
  if (typeof openKv !== "function") {
    throw new UsageError(
      argument,
      "Deno KV is not available in this process: start it with --unstable-kv " +
        '(or add "unstable": ["kv"] to its deno.json; Deno Deploy has it), or use a JSONL audit file',
    );
  }
  return openKv.bind(Deno);
}

function timeOf(event: AuditEvent): number {
  const ms = Date.parse(event.ts);
  return Number.isNaN(ms) ? 0 : ms;
}

class KvAuditStore implements AuditStore {
  #kv: KvLike;
  #retainMs?: number;
  #prefix = crypto.randomUUID().slice(0, 8);
  #seq = 0;
  #closed = false;

  constructor(kv: KvLike, options: KvAuditOptions) {
    this.#kv = kv;
    this.#retainMs = options.retainMs;
  }

  async append(events: readonly AuditEvent[]): Promise<void> {
    if (this.#closed) throw new Error("the audit store is closed");
    let atomic = this.#kv.atomic();
    let mutations = 0;
    let bytes = 0;
    const options = this.#retainMs === undefined ? undefined : { expireIn: this.#retainMs };
    for (const event of events) {
      const ms = timeOf(event);
      // Unique per store and ordered within a millisecond as appended.
      const seq = `${this.#prefix}-${String(this.#seq++).padStart(12, "0")}`;
      const keys: unknown[][] = [[ROOT, "t", ms, seq]];
      if (event.origin.length <= MAX_KEY_TEXT) keys.push([ROOT, "o", event.origin, ms, seq]);
      if (event.caller !== undefined && event.caller.length <= MAX_KEY_TEXT) {
        keys.push([ROOT, "c", event.caller, ms, seq]);
      }
      const size = encoder.encode(JSON.stringify(event)).length * keys.length;
      if (
        mutations && (mutations + keys.length > MAX_MUTATIONS || bytes + size > MAX_BATCH_BYTES)
      ) {
        await this.#commit(atomic);
        atomic = this.#kv.atomic();
        mutations = 0;
        bytes = 0;
      }
      for (const key of keys) atomic.set(key, event, options);
      mutations += keys.length;
      bytes += size;
    }
    if (mutations) await this.#commit(atomic);
  }

  async #commit(atomic: ReturnType<KvLike["atomic"]>): Promise<void> {
    const { ok } = await atomic.commit();
    if (!ok) throw new Error("Deno KV refused to store audit events");
  }

  async *query(query: AuditQuery = {}): AsyncIterable<AuditEvent> {
    // One index narrows the range; the other conditions filter what it yields.
    const prefix = query.origin !== undefined && query.origin.length <= MAX_KEY_TEXT
      ? [ROOT, "o", query.origin]
      : query.caller !== undefined && query.caller.length <= MAX_KEY_TEXT
      ? [ROOT, "c", query.caller]
      : [ROOT, "t"];
    const start = query.since && [...prefix, query.since.getTime()];
    const end = query.until && [...prefix, query.until.getTime()];
    // Deno KV takes a prefix with one bound, or two bounds without a prefix.
    const selector = start && end ? { start, end } : { prefix, start, end };
    for await (const { value } of this.#kv.list<AuditEvent>(selector)) {
      if (matches(value, query)) yield value;
    }
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#kv.close();
    }
    return Promise.resolve();
  }
}

/**
 * Open an audit store in Deno KV: a local database file (`path`), a KV
 * Connect URL (`https://…`, e.g. a self-hosted `denokv`), or, without a path,
 * the default database (Deno Deploy's managed KV there).
 *
 * @throws {UsageError} (`kv`) this process has no Deno KV (`--unstable-kv`), or the database cannot be opened.
 */
export async function openKvAuditStore(
  path?: string,
  options: KvAuditOptions = {},
  argument = "kv",
): Promise<AuditStore> {
  if (
    options.retainMs !== undefined &&
    (!Number.isInteger(options.retainMs) || options.retainMs < 1)
  ) {
    throw new UsageError("retainMs", `must be a positive integer (ms), got ${options.retainMs}`);
  }
  const openKv = openKvFunction(argument);
  let kv: KvLike;
  try {
    kv = await openKv(path);
  } catch (err) {
    throw new UsageError(
      argument,
      `cannot open Deno KV${path ? ` at '${path}'` : ""}: ${(err as Error).message}`,
    );
  }
  return new KvAuditStore(kv, options);
}

/**
 * A sink that appends audit events to Deno KV (see {@link openKvAuditStore}
 * for `path`); `close()` it when done. Events of concurrent runs are batched
 * into few atomic writes, in order.
 *
 * @throws {UsageError} (`kv`) this process has no Deno KV (`--unstable-kv`), or the database cannot be opened.
 *
 * @example
 * ```ts ignore
 * // deno run -A --unstable-kv app.ts
 * import { kvAuditSink, Sandbox } from "@pyfence/pyfence";
 * const audit = await kvAuditSink("audit.kv");
 * const sandbox = new Sandbox({ audit });
 * await sandbox.run("import os");
 * await sandbox.close();
 * await audit.close();
 * ```
 */
export async function kvAuditSink(
  path?: string,
  options: KvAuditOptions = {},
): Promise<ClosableAuditSink> {
  return storeAuditSink(await openKvAuditStore(path, options));
}
