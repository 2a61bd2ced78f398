/**
 * The store process: opens one Deno KV store (a file, a KV Connect URL or
 * `:memory:`, its only argument) and answers the host's requests, one JSON
 * line each on stdin, one JSON line each on stdout (`protocol/store.ts`).
 * The host starts it with `--unstable-kv` and access to that store only,
 * when its own process has no `Deno.openKv`; it runs nothing but this code.
 * It ends when its stdin closes, that is, when the host closes it or exits.
 *
 * @module
 */
import { readLines } from "../../protocol/lines.ts";
import type {
  StoreAnswer,
  StoreCommit,
  StoreEntry,
  StoreKey,
  StoreList,
  StoreRequest,
} from "../../protocol/store.ts";

// A request carries at most one commit of Deno KV's own size (800 KiB) as JSON.
const MAX_REQUEST_BYTES = 8 * 1024 * 1024;

type Kv = {
  getMany(keys: StoreKey[]): Promise<{ key: unknown; value: unknown; versionstamp: unknown }[]>;
  list(
    selector: { prefix: StoreKey; start?: StoreKey },
    options: { limit: number; cursor?: string },
  ): AsyncIterableIterator<{ key: unknown; value: unknown; versionstamp: unknown }> & {
    cursor: string;
  };
  atomic(): {
    check(...checks: { key: StoreKey; versionstamp: string | null }[]): unknown;
    set(key: StoreKey, value: unknown, options?: { expireIn?: number }): unknown;
    delete(key: StoreKey): unknown;
    commit(): Promise<{ ok: boolean }>;
  };
};

const encoder = new TextEncoder();
const out = Deno.stdout.writable.getWriter();
let writing = Promise.resolve();

function write(message: unknown): Promise<void> {
  const bytes = encoder.encode(JSON.stringify(message) + "\n");
  writing = writing.then(() => out.write(bytes));
  return writing;
}

function entry(e: { key: unknown; value: unknown; versionstamp: unknown }): StoreEntry {
  return e as StoreEntry;
}

async function answer(kv: Kv, request: StoreRequest): Promise<StoreAnswer> {
  const { id } = request;
  try {
    switch (request.op) {
      case "getMany":
        return { id, ok: true, result: (await kv.getMany(request.keys)).map(entry) };
      case "list": {
        const selector = request.start
          ? { prefix: request.prefix, start: request.start }
          : { prefix: request.prefix };
        const iter = kv.list(selector, {
          limit: request.limit,
          ...(request.cursor ? { cursor: request.cursor } : {}),
        });
        const entries: StoreEntry[] = [];
        for await (const e of iter) entries.push(entry(e));
        const result: StoreList = {
          entries,
          cursor: entries.length < request.limit ? "" : iter.cursor,
        };
        return { id, ok: true, result };
      }
      case "commit":
        return { id, ok: true, result: await commit(kv, request.commit) };
      default:
        return { id, ok: false, error: "unknown request" };
    }
  } catch (err) {
    return { id, ok: false, error: String((err as Error)?.message ?? err).slice(0, 2000) };
  }
}

async function commit(kv: Kv, op: StoreCommit): Promise<{ ok: boolean }> {
  const atomic = kv.atomic();
  if (op.checks?.length) atomic.check(...op.checks);
  for (const s of op.set ?? []) {
    atomic.set(s.key, s.value, s.expireIn ? { expireIn: s.expireIn } : undefined);
  }
  for (const key of op.delete ?? []) atomic.delete(key);
  const { ok } = await atomic.commit();
  return { ok };
}

async function main(): Promise<void> {
  const location = Deno.args[0];
  let kv: Kv;
  try {
    const open = (Deno as unknown as { openKv(path?: string): Promise<Kv> }).openKv;
    kv = await open(location || undefined);
  } catch (err) {
    await write({ ready: false, error: String((err as Error)?.message ?? err).slice(0, 2000) });
    Deno.exit(1);
  }
  await write({ ready: true });
  try {
    for await (const line of readLines(Deno.stdin.readable, MAX_REQUEST_BYTES)) {
      answer(kv, JSON.parse(line) as StoreRequest).then(write);
    }
  } finally {
    // stdin closed: the host is done with the store (or gone). Let answers drain.
    await writing.catch(() => {});
    Deno.exit(0);
  }
}

main();
