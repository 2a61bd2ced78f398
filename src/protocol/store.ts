/**
 * The store: a key-value database in Deno KV's shape (keys are lists of
 * parts, every entry has a versionstamp, atomic commits check
 * versionstamps), holding what outlives a run — per-origin local storage and
 * cookies (`host/storage/`), later the audit trail. Only the host reaches
 * it, in its own process when `Deno.openKv` is available there, else
 * through a store process it starts (`host/storage/store_process.ts`), whose
 * requests and answers are the JSON lines below. Nothing of a sandbox ever
 * reaches it but through host calls the host checks.
 *
 * Keys and values are plain JSON data, so both ways of reaching the store
 * read and write the same entries.
 *
 * @module
 */

/** One part of a key: a string or a finite number. */
export type StoreKeyPart = string | number;

/** A key: a non-empty list of parts, as in Deno KV. */
export type StoreKey = StoreKeyPart[];

/** A value: plain JSON data. */
export type StoreValue =
  | null
  | boolean
  | number
  | string
  | StoreValue[]
  | { [key: string]: StoreValue };

/** An entry as read: `value` and `versionstamp` are `null` when the key holds nothing. */
export interface StoreEntry {
  /** The key that was read. */
  key: StoreKey;
  /** Its value, or `null` if there is none. */
  value: StoreValue | null;
  /** Changes with every write of the key; `null` if there is no value. */
  versionstamp: string | null;
}

/** One atomic commit: every check must hold, then every mutation is made, all or nothing. */
export interface StoreCommit {
  /** The key must have this versionstamp (`null`: it must hold nothing). */
  checks?: { key: StoreKey; versionstamp: string | null }[];
  /** Keys to set; `expireIn` (ms) lets the store delete the entry after that time. */
  set?: { key: StoreKey; value: StoreValue; expireIn?: number }[];
  /** Keys to delete. */
  delete?: StoreKey[];
}

/** What a commit did: `ok: false` when a check failed (and nothing was written). */
export interface StoreCommitResult {
  /** Whether the checks held and the mutations were made. */
  ok: boolean;
}

/** One page of entries under a prefix, in key order. */
export interface StoreList {
  /** The entries of this page. */
  entries: StoreEntry[];
  /** Where the next page starts; empty when there is none. */
  cursor: string;
}

/** A request to a store process: one line of JSON. */
export type StoreRequest =
  & { id: number }
  & (
    | { op: "getMany"; keys: StoreKey[] }
    | { op: "list"; prefix: StoreKey; start?: StoreKey; limit: number; cursor?: string }
    | { op: "commit"; commit: StoreCommit }
  );

/** The answer to one request, one line of JSON with the request's id. */
export type StoreAnswer =
  | { id: number; ok: true; result: StoreEntry[] | StoreList | StoreCommitResult }
  | { id: number; ok: false; error: string };

/** What a store process says first, once its store is open (or could not be). */
export type StoreHello = { ready: true } | { ready: false; error: string };
