/**
 * The store (`src/host/storage/store.ts`) on its own, without a sandbox:
 * where it lives, atomic commits checked by versionstamp, listing by pages,
 * and a store process that ended being opened again. This test process has
 * no `Deno.openKv` (no `--unstable-kv`), so the store runs in a store
 * process, as it does for any consumer that passes no unstable flag.
 */
import { deepEqual, equal, match, ok, rejects, throws } from "assert";
import { join, resolve } from "node:path";
import {
  describeStore,
  openStore,
  STORAGE_ENV,
  storeLocation,
  StoreRef,
} from "../src/host/storage/store.ts";
import { UsageError } from "../src/errors.ts";

Deno.test("store location: a path, :memory:, or a KV Connect URL", () => {
  deepEqual(storeLocation("rel/web.kv"), { kind: "file", path: resolve("rel/web.kv") });
  deepEqual(storeLocation(":memory:"), { kind: "memory" });
  deepEqual(storeLocation("https://kv.example/db"), { kind: "url", url: "https://kv.example/db" });
  for (const bad of ["", "a\0b", "ftp://kv.example/", 42]) {
    throws(() => storeLocation(bad), UsageError);
  }
  throws(() => storeLocation("ftp://kv.example/"), /storage: a KV Connect URL is http: or https:/);
  match(
    describeStore({ kind: "file", path: "/x.kv" }),
    /in a store process started with --unstable-kv/,
  );
});

Deno.test("store location: $PYFENCE_STORAGE when no option says, checked as the option is", async () => {
  // In a process of its own: the environment is the whole test run's.
  const module = new URL("../src/host/storage/store.ts", import.meta.url).href;
  const where = async (value: string) => {
    const { stdout } = await new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `import { storeLocation } from ${JSON.stringify(module)};\n` +
        "try { console.log(JSON.stringify(storeLocation())); } catch (e) { console.log(e.message); }",
      ],
      env: { [STORAGE_ENV]: value },
      stdout: "piped",
      stderr: "null",
    }).output();
    return new TextDecoder().decode(stdout).trim();
  };
  equal(await where(":memory:"), '{"kind":"memory"}');
  match(await where("nope://x"), /^PYFENCE_STORAGE: a KV Connect URL is http: or https:/);
});

Deno.test({
  name: "store: checked commits, pages, and a store process that ended is opened again",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    const location = storeLocation(join(dir, "t.kv"));
    const store = await openStore(location);
    try {
      const [empty] = await store.getMany([["k"]]);
      deepEqual(empty, { key: ["k"], value: null, versionstamp: null });
      ok(
        (await store.commit({
          checks: [{ key: ["k"], versionstamp: null }],
          set: [{ key: ["k"], value: { n: 1 } }],
        })).ok,
      );
      // The same check again fails: the key holds a value now; nothing is written.
      const stale = await store.commit({
        checks: [{ key: ["k"], versionstamp: null }],
        set: [{ key: ["k"], value: { n: 99 } }],
      });
      equal(stale.ok, false);
      const [k] = await store.getMany([["k"]]);
      deepEqual(k.value, { n: 1 });
      await store.commit({
        set: Array.from({ length: 5 }, (_, i) => ({ key: ["p", `e${i}`], value: i })),
      });
      const first = await store.list(["p"], { limit: 2 });
      deepEqual(first.entries.map((e) => e.value), [0, 1]);
      const second = await store.list(["p"], { limit: 10, cursor: first.cursor });
      deepEqual(second.entries.map((e) => e.value), [2, 3, 4]);
      equal(second.cursor, "");
      const from = await store.list(["p"], { start: ["p", "e3"] });
      deepEqual(from.entries.map((e) => e.value), [3, 4]);
    } finally {
      await store.close();
    }
    equal(store.alive, false);
    await rejects(store.getMany([["k"]]), /closed/);

    const ref = new StoreRef(location);
    try {
      const a = await ref.store();
      deepEqual((await a.getMany([["k"]]))[0].value, { n: 1 });
      await a.close(); // as if its process had ended
      const b = await ref.store();
      ok(b !== a && b.alive, "the store was not opened again");
      deepEqual((await b.getMany([["k"]]))[0].value, { n: 1 });
    } finally {
      await ref.release();
    }
    await rejects(ref.store(), /closed/);
    await Deno.remove(dir, { recursive: true });
  },
});
