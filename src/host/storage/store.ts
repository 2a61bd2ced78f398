/**
 * Where what outlives a run is kept: a Deno KV store, opened by the host.
 *
 * - A local file by default (`web-storage.kv` in pyfence's cache directory;
 *   `pyfence cache clear` leaves it alone), or the path the caller gives
 *   (`Sandbox({ storage })`, `$PYFENCE_STORAGE`); `:memory:` keeps nothing
 *   past the host process.
 * - A KV Connect URL (`https://…`, e.g. a self-hosted `denokv`), so that
 *   several hosts share one store; the access token is
 *   `$DENO_KV_ACCESS_TOKEN`, as for `Deno.openKv`.
 * - On Deno Deploy, by default, the managed KV of the deployment.
 *
 * It is opened in the host's own process when `Deno.openKv` is there (Deno
 * Deploy; a host run with `--unstable-kv`), else in a store process pyfence
 * starts with `--unstable-kv` and access to the store only
 * (`store_process.ts`): a consumer needs no `--unstable-*` flag. Either way
 * the same entries are read and written (plain JSON values), and several
 * processes may use one store at once: Deno KV's atomic commits check
 * versionstamps, so no write is lost.
 *
 * A file several processes use at once is locked by whichever writes; the
 * others wait and try again (for up to 10 s per operation).
 *
 * `openStore` is for any part of pyfence that keeps data (local storage and
 * cookies here, the audit trail later); sandboxes share one open store per
 * location through {@link StoreRef}.
 *
 * @module
 */
import { isAbsolute, join, resolve } from "node:path";
import { UsageError } from "../../errors.ts";
import { cacheDir } from "../cache_dir.ts";
import type {
  StoreCommit,
  StoreCommitResult,
  StoreEntry,
  StoreKey,
  StoreList,
} from "../../protocol/store.ts";
import { startStoreProcess } from "./store_process.ts";

/** Where a store lives. */
export type StoreLocation =
  /** A local Deno KV file (SQLite). */
  | { kind: "file"; path: string }
  /** A KV Connect server (`https://…`), e.g. a self-hosted `denokv`. */
  | { kind: "url"; url: string }
  /** In memory: gone when the host process ends. */
  | { kind: "memory" }
  /** Deno Deploy's managed KV (the default there). */
  | { kind: "managed" };

/** The environment variable that says where the store lives when no option does. */
export const STORAGE_ENV = "PYFENCE_STORAGE";

/** The file name of the default store, in pyfence's cache directory. */
export const DEFAULT_STORE_FILE = "web-storage.kv";

/** Which page of a list: at most `limit` (default 100) entries, from `start` (a key under the prefix) or `cursor`. */
export interface ListOptions {
  /** Entries of the page, at most. */
  limit?: number;
  /** The first key to list (inclusive); it must be under the prefix. */
  start?: StoreKey;
  /** Where the previous page ended. */
  cursor?: string;
}

/** A key-value store in Deno KV's shape (`protocol/store.ts`). */
export interface KvStore {
  /** Where it lives. */
  readonly location: StoreLocation;
  /** False once it can answer nothing more (closed, or its store process ended). */
  readonly alive: boolean;
  /** Read several keys in one consistent read (at most 10, as in Deno KV). */
  getMany(keys: StoreKey[]): Promise<StoreEntry[]>;
  /** One page of the entries under `prefix`, in key order. */
  list(prefix: StoreKey, options?: ListOptions): Promise<StoreList>;
  /** Check, then write, atomically. */
  commit(commit: StoreCommit): Promise<StoreCommitResult>;
  /** Close it; pending requests fail. */
  close(): Promise<void>;
}

/**
 * The store's location from the `storage` option (a path, `:memory:`, or a
 * KV Connect URL), else `$PYFENCE_STORAGE`, else Deno Deploy's managed KV on
 * Deno Deploy, else `web-storage.kv` in pyfence's cache directory. A
 * relative path is resolved against the working directory now.
 *
 * @throws {UsageError} for `argument`: not a string, empty, a NUL, or a URL
 * whose scheme is not `http:`/`https:`.
 *
 * @example
 * ```ts
 * import { storeLocation } from "./store.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(storeLocation(":memory:"), { kind: "memory" });
 * assert.deepEqual(storeLocation("/data/web.kv"), { kind: "file", path: "/data/web.kv" });
 * assert.throws(() => storeLocation("ftp://kv.example/"), /storage: /);
 * ```
 */
export function storeLocation(option?: unknown, argument = "storage"): StoreLocation {
  let value = option;
  let name = argument;
  if (value === undefined) {
    value = envValue(STORAGE_ENV);
    name = STORAGE_ENV;
  }
  if (value === undefined) {
    return envValue("DENO_DEPLOYMENT_ID") !== undefined
      ? { kind: "managed" }
      : { kind: "file", path: join(cacheDir(), DEFAULT_STORE_FILE) };
  }
  if (typeof value !== "string") {
    throw new UsageError(
      name,
      `must be a path, ':memory:' or a KV Connect URL, got ${typeof value}`,
    );
  }
  if (value === "" || value.includes("\0")) {
    throw new UsageError(name, "must be a path, ':memory:' or a KV Connect URL (empty, or a NUL)");
  }
  if (value === ":memory:") return { kind: "memory" };
  if (/^[A-Za-z][A-Za-z0-9+.-]+:\/\//.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new UsageError(name, `not a URL: ${JSON.stringify(value)}`);
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      throw new UsageError(name, `a KV Connect URL is http: or https:, got '${url.protocol}'`);
    }
    return { kind: "url", url: url.href };
  }
  return { kind: "file", path: isAbsolute(value) ? value : resolve(value) };
}

function envValue(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    // no env permission: as if unset
    return undefined;
  }
}

/**
 * A one-line description of where the store lives and how the host reaches
 * it, for `policy explain` and messages.
 *
 * @example
 * ```ts
 * import { describeStore } from "./store.ts";
 * import assert from "node:assert/strict";
 * assert.match(describeStore({ kind: "memory" }), /^Deno KV in memory/);
 * ```
 */
export function describeStore(location: StoreLocation): string {
  const where = location.kind === "file"
    ? `Deno KV file ${location.path}`
    : location.kind === "url"
    ? `Deno KV Connect ${location.url}`
    : location.kind === "memory"
    ? "Deno KV in memory (nothing outlives the host process)"
    : "the deployment's managed Deno KV";
  const how = inProcess() || location.kind === "managed"
    ? "opened in the host's process"
    : "opened in a store process started with --unstable-kv and access to it only";
  return `${where}, ${how}`;
}

type DenoKv = {
  getMany(keys: StoreKey[]): Promise<StoreEntry[]>;
  list(
    selector: { prefix: StoreKey; start?: StoreKey },
    options: { limit: number; cursor?: string },
  ): AsyncIterableIterator<StoreEntry> & { cursor: string };
  atomic(): {
    check(...checks: { key: StoreKey; versionstamp: string | null }[]): unknown;
    set(key: StoreKey, value: unknown, options?: { expireIn?: number }): unknown;
    delete(key: StoreKey): unknown;
    commit(): Promise<{ ok: boolean }>;
  };
  close(): void;
};

function openKvFunction(): ((path?: string) => Promise<DenoKv>) | undefined {
  const open = (Deno as unknown as { openKv?: (path?: string) => Promise<DenoKv> }).openKv;
  return typeof open === "function" ? open.bind(Deno) : undefined;
}

/** Whether this process can open Deno KV itself (Deno Deploy, or `--unstable-kv`). */
function inProcess(): boolean {
  return openKvFunction() !== undefined;
}

/** Deno KV opened in this process, as a {@link KvStore}. */
class InProcessStore implements KvStore {
  readonly location: StoreLocation;
  #kv: DenoKv;
  #closed = false;

  constructor(kv: DenoKv, location: StoreLocation) {
    this.#kv = kv;
    this.location = location;
  }

  get alive(): boolean {
    return !this.#closed;
  }

  getMany(keys: StoreKey[]): Promise<StoreEntry[]> {
    return this.#kv.getMany(keys);
  }

  async list(prefix: StoreKey, options: ListOptions = {}): Promise<StoreList> {
    const limit = options.limit ?? 100;
    const iter = this.#kv.list(options.start ? { prefix, start: options.start } : { prefix }, {
      limit,
      ...(options.cursor ? { cursor: options.cursor } : {}),
    });
    const entries: StoreEntry[] = [];
    for await (const e of iter) entries.push(e);
    return { entries, cursor: entries.length < limit ? "" : iter.cursor };
  }

  async commit(op: StoreCommit): Promise<StoreCommitResult> {
    const atomic = this.#kv.atomic();
    if (op.checks?.length) atomic.check(...op.checks);
    for (const s of op.set ?? []) {
      atomic.set(s.key, s.value, s.expireIn ? { expireIn: s.expireIn } : undefined);
    }
    for (const key of op.delete ?? []) atomic.delete(key);
    return { ok: (await atomic.commit()).ok };
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
 * Open the store at `location`: in this process when it has `Deno.openKv`,
 * else in a store process (see the module's description). The caller closes it.
 *
 * @throws {Error} the store cannot be opened (a path that cannot be written,
 * an unreachable server); the message says why.
 */
export async function openStore(location: StoreLocation): Promise<KvStore> {
  const open = openKvFunction();
  if (location.kind === "file") {
    // A store in a directory that does not exist yet (the cache directory on first use).
    await Deno.mkdir(join(location.path, ".."), { recursive: true }).catch(() => {});
  }
  if (open) {
    const target = location.kind === "file"
      ? location.path
      : location.kind === "url"
      ? location.url
      : location.kind === "memory"
      ? ":memory:"
      : undefined;
    return new WaitingStore(new InProcessStore(await open(target), location));
  }
  if (location.kind === "managed") {
    throw new Error("Deno Deploy's managed KV, but this process has no Deno.openKv");
  }
  return new WaitingStore(await startStoreProcess(location));
}

/** How long one operation waits for a file another process holds locked. */
const BUSY_WAIT_MS = 10_000;

/**
 * A local store file is one SQLite database: while another process writes
 * it, an operation fails with "database is locked" having done nothing.
 * This waits and tries again (with growing, jittered pauses, for up to
 * {@link BUSY_WAIT_MS}), so that several processes can share one file.
 */
class WaitingStore implements KvStore {
  readonly location: StoreLocation;
  #store: KvStore;

  constructor(store: KvStore) {
    this.#store = store;
    this.location = store.location;
  }

  get alive(): boolean {
    return this.#store.alive;
  }

  async #retry<T>(op: () => Promise<T>): Promise<T> {
    const end = Date.now() + BUSY_WAIT_MS;
    for (let pause = 2;; pause = Math.min(pause * 2, 100)) {
      try {
        return await op();
      } catch (err) {
        if (!/database is locked|SQLITE_BUSY/i.test(String(err)) || Date.now() > end) throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, pause * (0.5 + Math.random())));
    }
  }

  getMany(keys: StoreKey[]): Promise<StoreEntry[]> {
    return this.#retry(() => this.#store.getMany(keys));
  }

  list(prefix: StoreKey, options?: ListOptions): Promise<StoreList> {
    return this.#retry(() => this.#store.list(prefix, options));
  }

  commit(commit: StoreCommit): Promise<StoreCommitResult> {
    return this.#retry(() => this.#store.commit(commit));
  }

  close(): Promise<void> {
    return this.#store.close();
  }
}

type Shared = { key: string; store: Promise<KvStore>; users: number };
const shared = new Map<string, Shared>();

/**
 * A sandbox's claim on the store at one location, shared with every other
 * claim on it in this process: opened on first use, closed when the last
 * claim is released.
 */
export class StoreRef {
  #location?: StoreLocation;
  #entry?: Shared;
  #released = false;

  /**
   * A claim on the store at `location`; nothing is opened yet. Without a
   * location, the default ({@link storeLocation}) is found on first use.
   */
  constructor(location?: StoreLocation) {
    this.#location = location;
  }

  /** Where the store lives. */
  get location(): StoreLocation {
    return this.#location ??= storeLocation();
  }

  /**
   * The open store (opened now if no one has). A failure to open is retried
   * on the next call, and a store whose process has ended is opened again.
   */
  store(): Promise<KvStore> {
    return this.#store(true);
  }

  #store(reopen: boolean): Promise<KvStore> {
    if (this.#released) return Promise.reject(new Error("the sandbox is closed"));
    let location: StoreLocation;
    try {
      location = this.location;
    } catch (err) {
      return Promise.reject(err);
    }
    const key = JSON.stringify(location);
    let entry = shared.get(key);
    if (!entry) {
      const opened: Shared = { key, store: openStore(location), users: 0 };
      opened.store.catch(() => {
        if (shared.get(key) === opened) shared.delete(key);
      });
      shared.set(key, opened);
      entry = opened;
    }
    if (this.#entry !== entry) {
      this.#entry = entry;
      entry.users++;
    }
    const current = entry;
    return entry.store.then((store) => {
      if (store.alive || !reopen) return store;
      if (shared.get(key) === current) shared.delete(key);
      return this.#store(false);
    });
  }

  /** Give the claim up; the last one closes the store. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    const entry = this.#entry;
    if (!entry || --entry.users > 0) return;
    if (shared.get(entry.key) === entry) shared.delete(entry.key);
    await entry.store.then((s) => s.close(), () => {});
  }
}
