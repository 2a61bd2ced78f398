/**
 * The store process: where the host opens its store when its own process
 * has no `Deno.openKv` (Deno KV needs `--unstable-kv`, and a consumer of
 * pyfence must need no `--unstable-*` flag). pyfence starts it with its own
 * flags, as it starts sandbox processes: `--unstable-kv`, read and write
 * access to the store's file only (or net access to a KV Connect server and
 * its access token), nothing else. Its code is the generated bundle of
 * `store_main.ts`, written into the cache directory. The host talks to it
 * over its stdin and stdout, which only the host holds: it runs no code but
 * pyfence's, and no sandbox can reach it.
 *
 * @module
 */
import { join } from "node:path";
import { STORE_JS } from "../../generated/sandbox_code.ts";
import { cacheDir } from "../cache_dir.ts";
import { sha256Hex } from "../../sha256.ts";
import { readLines } from "../../protocol/lines.ts";
import type {
  StoreAnswer,
  StoreCommit,
  StoreCommitResult,
  StoreEntry,
  StoreHello,
  StoreKey,
  StoreList,
  StoreRequest,
} from "../../protocol/store.ts";
import type { KvStore, ListOptions, StoreLocation } from "./store.ts";

/** A store process answers with at most one page of entries of at most 64 KiB each, as JSON. */
const MAX_ANSWER_BYTES = 256 * 1024 * 1024;
const START_TIMEOUT_MS = 30_000;

/** The store process's code in the cache directory, named by its content. */
async function storeCode(): Promise<string> {
  const dir = join(cacheDir(), `store-${(await sha256Hex(STORE_JS)).slice(0, 24)}`);
  const path = join(dir, "store.js");
  try {
    if (await Deno.readTextFile(path) === STORE_JS) return path;
  } catch {
    // missing: write it
  }
  await Deno.mkdir(dir, { recursive: true });
  const tmp = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.writeTextFile(tmp, STORE_JS);
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
  return path;
}

/**
 * The `deno run` flags of a store process for `location`, apart from its
 * code: exported so that `policy explain` and the README can show them.
 *
 * @example
 * ```ts
 * import { storeProcessFlags } from "./store_process.ts";
 * import assert from "node:assert/strict";
 * const flags = storeProcessFlags({ kind: "file", path: "/data/pyfence.kv" }, "/cache/store.js");
 * assert.ok(flags.includes("--unstable-kv"));
 * assert.ok(flags.includes("--allow-write=/data/pyfence.kv"));
 * ```
 */
export function storeProcessFlags(location: StoreLocation, code: string): string[] {
  const flags = [
    "--quiet",
    "--no-prompt",
    "--no-config",
    "--no-lock",
    "--no-npm",
    "--no-remote",
    "--unstable-kv",
  ];
  switch (location.kind) {
    case "file":
      flags.push(`--allow-read=${code},${location.path}`, `--allow-write=${location.path}`);
      break;
    case "url":
      flags.push(
        `--allow-read=${code}`,
        `--allow-net=${new URL(location.url).host}`,
        "--allow-env=DENO_KV_ACCESS_TOKEN",
      );
      break;
    default:
      flags.push(`--allow-read=${code}`);
  }
  return flags;
}

function argument(location: StoreLocation): string {
  switch (location.kind) {
    case "file":
      return location.path;
    case "url":
      return location.url;
    case "memory":
      return ":memory:";
    default:
      // The managed store exists only in the process Deno Deploy runs.
      throw new Error("the managed Deno KV can only be opened in the host's own process");
  }
}

/** Start a store process for `location` and wait until its store is open. */
export async function startStoreProcess(location: StoreLocation): Promise<KvStore> {
  const code = await storeCode();
  const token = location.kind === "url" ? Deno.env.get("DENO_KV_ACCESS_TOKEN") : undefined;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...storeProcessFlags(location, code), code, argument(location)],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    clearEnv: true,
    env: {
      NO_COLOR: "1",
      DENO_NO_UPDATE_CHECK: "1",
      ...(token ? { DENO_KV_ACCESS_TOKEN: token } : {}),
    },
  }).spawn();
  const stderr = tail(child.stderr);
  const lines = readLines(child.stdout, MAX_ANSWER_BYTES);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const first = await Promise.race([
      lines.next(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("it did not start in time")), START_TIMEOUT_MS);
      }),
    ]);
    const hello = first.done ? undefined : JSON.parse(first.value) as StoreHello;
    if (!hello?.ready) {
      throw new Error(hello ? hello.error : "it exited before opening the store");
    }
  } catch (err) {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await child.status;
    const said = (await stderr).trim();
    throw new Error(`${(err as Error).message}${said ? `: ${said}` : ""}`);
  } finally {
    clearTimeout(timer);
  }
  return new StoreProcess(child, lines, location);
}

/** The last 2000 characters a stream carries, once it ends (it is read to the end). */
async function tail(stream: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  try {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text = (text + chunk).slice(-2000);
    }
  } catch {
    // the process is gone
  }
  return text;
}

/** The host's handle on a running store process. */
class StoreProcess implements KvStore {
  readonly location: StoreLocation;
  #child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #waiting = new Map<number, (answer: StoreAnswer) => void>();
  #next = 1;
  #closed = false;
  #gone?: Error;

  constructor(child: Deno.ChildProcess, lines: AsyncGenerator<string>, location: StoreLocation) {
    this.location = location;
    this.#child = child;
    this.#writer = child.stdin.getWriter();
    // Idle, it never keeps the host alive; a request waiting for its answer does.
    child.unref();
    this.#read(lines);
  }

  get alive(): boolean {
    return !this.#closed && !this.#gone;
  }

  async #read(lines: AsyncGenerator<string>): Promise<void> {
    try {
      for await (const line of lines) {
        const answer = JSON.parse(line) as StoreAnswer;
        const resolve = this.#waiting.get(answer.id);
        this.#waiting.delete(answer.id);
        resolve?.(answer);
      }
    } catch {
      // the process is gone
    }
    this.#gone = new Error("the store process ended");
    for (const [id, resolve] of this.#waiting) {
      resolve({ id, ok: false, error: this.#gone.message });
    }
    this.#waiting.clear();
    this.#child.unref();
  }

  async #request<T>(body: DistributiveOmit<StoreRequest, "id">): Promise<T> {
    if (this.#closed) throw new Error("the store is closed");
    if (this.#gone) throw this.#gone;
    const id = this.#next++;
    const answered = new Promise<StoreAnswer>((resolve) => this.#waiting.set(id, resolve));
    if (this.#waiting.size === 1) this.#child.ref();
    try {
      await this.#writer.write(new TextEncoder().encode(JSON.stringify({ id, ...body }) + "\n"));
      const answer = await answered;
      if (!answer.ok) throw new Error(`the store failed: ${answer.error}`);
      return answer.result as T;
    } finally {
      this.#waiting.delete(id);
      if (this.#waiting.size === 0) this.#child.unref();
    }
  }

  getMany(keys: StoreKey[]): Promise<StoreEntry[]> {
    return this.#request({ op: "getMany", keys });
  }

  list(prefix: StoreKey, options: ListOptions = {}): Promise<StoreList> {
    return this.#request({
      op: "list",
      prefix,
      start: options.start,
      limit: options.limit ?? 100,
      cursor: options.cursor,
    });
  }

  commit(commit: StoreCommit): Promise<StoreCommitResult> {
    return this.#request({ op: "commit", commit });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Closing its stdin ends it once it has written what it owes.
    await this.#writer.close().catch(() => {});
    const status = this.#child.status;
    const timer = setTimeout(() => {
      try {
        this.#child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }, 5000);
    await status;
    clearTimeout(timer);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
