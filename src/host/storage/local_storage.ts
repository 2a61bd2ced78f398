/**
 * Local storage (`pyfence.web.local_storage`): string keys and values per
 * origin, kept by the host in its store, within a per-origin quota
 * (`storage.quota_bytes`, UTF-8 bytes of keys and values). A service on the
 * host-call channel (`storage`), made for one run with the run's trusted
 * origin: every key the store sees is built here from that origin, never
 * from anything the worker sends, so a script can read, list and overwrite
 * its own origin's items and nothing else, whatever it sends (a key with
 * `/`, NUL or another origin's name is just a string inside this origin).
 *
 * In the store, under `["pyfence", "local", origin]`:
 *
 * - `["meta"]`: `{ bytes, items }`, rewritten by every change of the
 *   origin's items, so that checking it makes each change atomic against
 *   every other (two hosts writing at once never lose a write or pass the
 *   quota);
 * - `["key", h]`: `{ k, n, bytes }` for the item whose key hashes to `h`
 *   (SHA-256 of the key's JSON text);
 * - `["val", h, i]`: the value's `i`-th piece of at most 16 Ki UTF-16 units
 *   (a Deno KV value holds 64 KiB), written in the same commit as the head,
 *   so a read that finds them all with the head's versionstamp is whole.
 *
 * @module
 */
import { utf8Bytes } from "../../protocol/caps.ts";
import type { StoreKey, StoreValue } from "../../protocol/store.ts";
import { sha256Hex } from "../../sha256.ts";
import type { HostService } from "../host_calls.ts";
import type { KvStore } from "./store.ts";

/** UTF-16 units of one piece of a value. */
const PIECE = 16 * 1024;
/** Pieces of one value: a commit carries at most 800 KiB. */
const MAX_PIECES = 16;
/** UTF-16 units of one key (it is kept in the item's head). */
export const MAX_KEY_LENGTH = PIECE;
/** UTF-16 units of one value. */
export const MAX_VALUE_LENGTH = PIECE * MAX_PIECES;
/** Keys in one answer of `keys`, at most, and their JSON bytes. */
const KEYS_PAGE = 500;
const KEYS_PAGE_BYTES = 512 * 1024;
const HASH = /^[0-9a-f]{64}$/;
/** Items one commit of `clear` deletes. */
const CLEAR_BATCH = 40;
/** Tries of one change when other writers keep changing the origin's items. */
const RETRIES = 32;

interface Meta {
  bytes: number;
  items: number;
}

interface Head {
  k: string;
  n: number;
  bytes: number;
}

/** The answer of `set_item` when the quota would be passed (the guard raises `QuotaExceededError`). */
export interface QuotaAnswer {
  /** Always `"quota"`. */
  error: "quota";
  /** What would have been used, and the quota. */
  message: string;
}

function str(value: unknown, what: string): string {
  if (typeof value !== "string") throw new Error(`${what} must be a str`);
  return value;
}

function pieces(value: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < value.length; i += PIECE) out.push(value.slice(i, i + PIECE));
  return out;
}

/**
 * The `storage` service of one run: `get_item(key)`, `set_item(key, value)`,
 * `remove_item(key)`, `clear()`, `keys(after)` (a page: `{ keys, next }`, `next`
 * the `after` of the next page or `null`)
 * and `length()`, for `origin` (the run's trusted origin) within
 * `quotaBytes`. `store` opens the host's store on first use.
 */
export function localStorageService(
  store: () => Promise<KvStore>,
  origin: string,
  quotaBytes: number,
): HostService {
  const root: StoreKey = ["pyfence", "local", origin];
  const metaKey: StoreKey = [...root, "meta"];
  const hash = (key: string) => sha256Hex(JSON.stringify(key));
  const headKey = (h: string): StoreKey => [...root, "key", h];
  const pieceKey = (h: string, i: number): StoreKey => [...root, "val", h, i];
  const metaOf = (value: StoreValue | null): Meta =>
    (value as Meta | null) ?? { bytes: 0, items: 0 };

  async function change(
    attempt: (kv: KvStore) => Promise<"done" | "retry" | QuotaAnswer>,
  ): Promise<null | QuotaAnswer> {
    const kv = await store();
    for (let i = 0; i < RETRIES; i++) {
      const outcome = await attempt(kv);
      if (outcome === "done") return null;
      if (outcome !== "retry") return outcome;
    }
    throw new Error("local storage is too busy (other writers of this origin kept changing it)");
  }

  const functions: Record<string, (args: unknown[]) => Promise<unknown>> = {
    async get_item([key]) {
      const h = await hash(str(key, "key"));
      const kv = await store();
      for (let i = 0; i < RETRIES; i++) {
        const [head] = await kv.getMany([headKey(h)]);
        if (head.value === null) return null;
        const { n } = head.value as unknown as Head;
        if (n === 0) return "";
        const { entries } = await kv.list([...root, "val", h], { limit: n + 1 });
        // Every piece was written with its head: one versionstamp, or a writer came between.
        if (entries.length === n && entries.every((e) => e.versionstamp === head.versionstamp)) {
          return entries.map((e) => e.value as string).join("");
        }
      }
      throw new Error("local storage is too busy (other writers of this origin kept changing it)");
    },

    async set_item([key, value]) {
      const k = str(key, "key");
      const v = str(value, "value");
      if (k.length > MAX_KEY_LENGTH) {
        throw new Error(`a key may be at most ${MAX_KEY_LENGTH} characters`);
      }
      if (v.length > MAX_VALUE_LENGTH) {
        throw new Error(`a value may be at most ${MAX_VALUE_LENGTH} characters`);
      }
      const h = await hash(k);
      const bytes = utf8Bytes(k) + utf8Bytes(v);
      const parts = pieces(v);
      return await change(async (kv) => {
        const [meta, head] = await kv.getMany([metaKey, headKey(h)]);
        const used = metaOf(meta.value);
        const old = head.value as Head | null;
        const total = used.bytes - (old?.bytes ?? 0) + bytes;
        if (total > quotaBytes) {
          return {
            error: "quota",
            message: `local storage of ${origin} would hold ${total} bytes; its quota is ` +
              `${quotaBytes} (keys and values in UTF-8)`,
          };
        }
        const stale = [];
        for (let i = parts.length; i < (old?.n ?? 0); i++) stale.push(pieceKey(h, i));
        const { ok } = await kv.commit({
          checks: [{ key: metaKey, versionstamp: meta.versionstamp }],
          set: [
            { key: metaKey, value: { bytes: total, items: used.items + (old ? 0 : 1) } },
            { key: headKey(h), value: { k, n: parts.length, bytes } },
            ...parts.map((p, i) => ({ key: pieceKey(h, i), value: p })),
          ],
          delete: stale,
        });
        return ok ? "done" : "retry";
      });
    },

    async remove_item([key]) {
      const h = await hash(str(key, "key"));
      return await change(async (kv) => {
        const [meta, head] = await kv.getMany([metaKey, headKey(h)]);
        const old = head.value as Head | null;
        if (!old) return "done";
        const used = metaOf(meta.value);
        const { ok } = await kv.commit({
          checks: [{ key: metaKey, versionstamp: meta.versionstamp }],
          set: [{ key: metaKey, value: { bytes: used.bytes - old.bytes, items: used.items - 1 } }],
          delete: [headKey(h), ...Array.from({ length: old.n }, (_, i) => pieceKey(h, i))],
        });
        return ok ? "done" : "retry";
      });
    },

    async clear() {
      const kv = await store();
      for (let i = 0; i < RETRIES;) {
        const [meta] = await kv.getMany([metaKey]);
        const { entries } = await kv.list([...root, "key"], { limit: CLEAR_BATCH });
        if (entries.length === 0) return null;
        const used = metaOf(meta.value);
        const heads = entries.map((e) => ({
          h: e.key.at(-1) as string,
          ...(e.value as unknown as Head),
        }));
        const { ok } = await kv.commit({
          checks: [{ key: metaKey, versionstamp: meta.versionstamp }],
          set: [{
            key: metaKey,
            value: {
              bytes: used.bytes - heads.reduce((sum, x) => sum + x.bytes, 0),
              items: used.items - heads.length,
            },
          }],
          delete: heads.flatMap(({ h, n }) => [
            headKey(h),
            ...Array.from({ length: n }, (_, j) => pieceKey(h, j)),
          ]),
        });
        // A batch deleted is progress; only a conflict counts as a try.
        if (!ok) i++;
      }
      throw new Error("local storage is too busy (other writers of this origin kept changing it)");
    },

    async keys([after]) {
      // The page starts after the last key hash of the previous one: a hash
      // the host checks, never a cursor of the store's.
      if (after !== null && (typeof after !== "string" || !HASH.test(after))) {
        throw new Error("keys(): not a position in the list");
      }
      const kv = await store();
      const { entries } = await kv.list([...root, "key"], {
        limit: KEYS_PAGE,
        ...(after === null ? {} : { start: [...root, "key", after, 0] }),
      });
      const keys: string[] = [];
      let bytes = 0;
      let last = "";
      for (const e of entries) {
        const k = (e.value as unknown as Head).k;
        bytes += utf8Bytes(JSON.stringify(k)) + 1;
        // One answer stays well inside what a host call may carry.
        if (bytes > KEYS_PAGE_BYTES && keys.length) break;
        keys.push(k);
        last = e.key.at(-1) as string;
      }
      const more = keys.length < entries.length || entries.length === KEYS_PAGE;
      return { keys, next: more ? last : null };
    },

    async length() {
      const kv = await store();
      const [meta] = await kv.getMany([metaKey]);
      return metaOf(meta.value).items;
    },
  };

  return {
    has: (name) => Object.hasOwn(functions, name),
    call: (name, args) => functions[name](args),
  };
}
