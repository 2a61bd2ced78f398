/**
 * Local storage (`pyfence.web.local_storage`): per origin, kept by the host
 * across runs and host restarts, within a quota; keys are data (path
 * separators, NUL, another origin's name are just characters); one origin
 * never reads, lists or overwrites another's; two host processes writing
 * one store at once lose nothing; and a worker whose guard is off reaches
 * only its own origin's items.
 */
import { deepEqual, equal, match, ok } from "assert";
import { join } from "node:path";
import { Sandbox } from "../src/host/sandbox.ts";
import { unguardedForTests } from "../src/host/internal.ts";

const A = "http://127.0.0.1:1";
const B = "http://127.0.0.1:2";
const POLICY = {
  version: 1,
  modules: { allow: ["json"] },
  network: { same_origin: true },
  storage: { enabled: true, quota_bytes: 200_000 },
};

Deno.test({
  name: "local storage: per origin, keys as data, quota, strings only",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const dir = await Deno.makeTempDir();
    const storage = join(dir, "web.kv");
    const sandbox = new Sandbox({ policy: POLICY as never, storage });
    const py = (code: string, origin = A) =>
      sandbox.run("from pyfence.web import local_storage as ls\n" + code, { origin });
    // Keys that would escape a key built from text: path separators, NUL,
    // another origin's name, a prefix of the store's own keys.
    const keys = [
      "count",
      "a/b/../../c",
      "..",
      "k\u0000v",
      B,
      `${B}/count`,
      "pyfence",
      "\ud800 lone",
      "emoji 🐍",
      "k".repeat(16384),
    ];
    try {
      await t.step("a counter survives runs", async () => {
        const counter =
          "n = int(ls.get_item('count') or '0') + 1\nls.set_item('count', str(n))\nprint(n)";
        equal((await py(counter)).stdout, "1\n");
        const second = await py(counter);
        equal(second.stdout, "2\n", JSON.stringify(second));
        deepEqual(second.hostCalls?.map((c) => `${c.service}.${c.name}`), [
          "storage.get_item",
          "storage.set_item",
        ]);
      });

      await t.step("any string is a key of this origin, and comes back exactly", async () => {
        const big = "🐍é" + "v".repeat(100_000); // several pieces in the store
        const r = await py(
          `import json\nkeys = json.loads(${JSON.stringify(JSON.stringify(keys.slice(1)))})\n` +
            `keys[6] = "\\ud800 lone"\nbig = "🐍é" + "v" * 100_000\n` +
            `for k in keys:\n    ls.set_item(k, "value of " + k[:20])\n` +
            `ls["big"] = big\n` +
            `print(all(ls.get_item(k) == "value of " + k[:20] for k in keys), ls["big"] == big)\n` +
            `print(sorted(ls.keys()) == sorted(keys + ["count", "big"]), len(ls), "k\\x00v" in ls)\n`,
        );
        equal(r.error, undefined, JSON.stringify(r.error));
        equal(r.stdout, "True True\nTrue 11 True\n");
        ok(big.length > 16384 * 6);
      });

      await t.step("another origin sees none of it, and cannot overwrite it", async () => {
        const r = await py(
          `print(len(ls), ls.keys(), ls.get_item("count"), ls.get_item("${B}/count"))\n` +
            `ls.set_item("count", "999")\nls.clear()\nprint(len(ls))`,
          B,
        );
        equal(r.error, undefined, JSON.stringify(r.error));
        equal(r.stdout, "0 [] None None\n0\n");
        const a = await py(`print(ls.get_item("count"), len(ls))`);
        equal(a.stdout, "2 11\n");
      });

      await t.step("the quota counts UTF-8 bytes of keys and values", async () => {
        const r = await py(
          `from pyfence.web import QuotaExceededError\nls.clear()\n` +
            `ls.set_item("a", "x" * 150_000)\n` +
            `try:\n    ls.set_item("b", "é" * 30_000)\nexcept QuotaExceededError as e:\n    print("quota:", e)\n` +
            `print(ls.get_item("b"))\nls.set_item("a", "x" * 10)\nls.set_item("b", "é" * 30_000)\n` +
            `print(len(ls))\nls.remove_item("a")\ndel ls["b"]\nprint(len(ls), ls.keys())`,
        );
        equal(r.error, undefined, JSON.stringify(r.error));
        const lines = r.stdout.split("\n");
        match(
          lines[0],
          /^quota: local storage of http:\/\/127\.0\.0\.1:1 would hold 210002 bytes; its quota is 200000/,
        );
        deepEqual(lines.slice(1), ["None", "2", "0 []", ""]);
      });

      await t.step("strings only; a Python mapping's errors", async () => {
        const r = await py(
          `for args in ((1, "x"), ("k", b"x"), ("k", None)):\n` +
            `    try:\n        ls.set_item(*args)\n    except TypeError as e:\n        print(e)\n` +
            `try:\n    ls["missing"]\nexcept KeyError:\n    print("KeyError")\n`,
        );
        equal(r.error, undefined, JSON.stringify(r.error));
        equal(
          r.stdout,
          "key must be a str, not int\nvalue must be a str, not bytes\n" +
            "value must be a str, not NoneType\nKeyError\n",
        );
      });

      await t.step("network.websocket: false refuses every socket", async () => {
        const r = await py(`from pyfence.web import WebSocket\nWebSocket("ws://127.0.0.1:1/")`);
        equal(r.error?.type, "SecurityError");
        equal(r.violations[0].kind, "websocket");
        match(r.violations[0].detail, /not allowed by the policy \(network\.websocket\)/);
      });

      await t.step("no storage without storage.enabled, nor for origin null", async () => {
        const off = new Sandbox({ policy: { ...POLICY, storage: { enabled: false } } as never });
        try {
          const r = await off.run("from pyfence.web import local_storage\nlocal_storage.keys()", {
            origin: A,
          });
          equal(r.error?.type, "SecurityError");
          equal(r.violations[0].kind, "storage");
          match(r.violations[0].detail, /storage\.enabled/);
        } finally {
          await off.close();
        }
        const none = await sandbox.run(
          "from pyfence.web import local_storage\nlocal_storage.keys()",
        );
        equal(none.error?.type, "SecurityError");
        match(none.violations[0].detail, /origin null/);
      });
    } finally {
      await sandbox.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "local storage, guard off: a forging worker reaches only its own origin's items",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    const storage = join(dir, "web.kv");
    const guarded = new Sandbox({ policy: POLICY as never, storage });
    const open = new Sandbox(unguardedForTests({ policy: POLICY as never, storage }));
    try {
      const secret = "secret-" + crypto.randomUUID();
      const a = await guarded.run(
        `from pyfence.web import local_storage\nlocal_storage.set_item("token", "${secret}")`,
        { origin: A },
      );
      equal(a.error, undefined, JSON.stringify(a.error));
      const r = await open.run(
        "import js, json\nfrom pyodide.ffi import run_sync\n" +
          "def call(service, name, *args):\n" +
          "    return json.loads(str(run_sync(js.pyfenceChannel.call(service, name, json.dumps(list(args))))))\n" +
          // Every spelling of A's key, and A's origin inside the key.
          `for k in ("token", "${A}/token", "../${A}/token", "${A}\\x00token", ["${A}", "token"]):\n` +
          "    print(call('storage', 'get_item', k))\n" +
          "print(call('storage', 'keys', None))\n" +
          "print(call('storage', 'keys', '../../x'))\n" +
          "print(call('storage', 'length'))\n" +
          "print(call('cookies', 'request_header', '" + A + "/', 'include'))\n",
        { origin: B },
      );
      equal(r.ok, true, JSON.stringify(r));
      ok(!r.stdout.includes(secret), r.stdout);
      const lines = r.stdout.trimEnd().split("\n");
      deepEqual(lines.slice(0, 4), Array(4).fill("{'ok': True, 'data': None}"));
      match(lines[4], /'ok': False, .*key must be a str/);
      equal(lines[5], "{'ok': True, 'data': {'keys': [], 'next': None}}");
      match(lines[6], /'ok': False, .*not a position in the list/);
      equal(lines[7], "{'ok': True, 'data': 0}");
      match(lines[8], /'ok': False, .*neither the script's origin nor one of its CORS origins/);
      const still = await guarded.run(
        "from pyfence.web import local_storage\nprint(local_storage.get_item('token'))",
        { origin: A },
      );
      equal(still.stdout, `${secret}\n`);
    } finally {
      await Promise.all([guarded.close(), open.close()]);
      await Deno.remove(dir, { recursive: true });
    }
  },
});

const HOST = new URL("./helpers/storage_host.ts", import.meta.url).pathname;

/** Run `code` under origin A in a host process of its own, on the store at `storage`. */
async function host(storage: string, code: string, inProcessKv = false): Promise<string> {
  const { code: status, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...(inProcessKv ? ["--unstable-kv"] : []), HOST, storage, A, code],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(stdout);
  equal(status, 0, new TextDecoder().decode(stderr));
  return out;
}

Deno.test({
  name: "local storage: across host restarts, and two hosts writing one store at once",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    const storage = join(dir, "shared.kv");
    const counter = "from pyfence.web import local_storage as ls\n" +
      "n = int(ls.get_item('count') or '0') + 1\nls.set_item('count', str(n))\nprint(n)";
    const writer = (prefix: string) =>
      `from pyfence.web import local_storage as ls\nfor i in range(15):\n    ls.set_item(f"${prefix}{i}", "v" * 100)\nprint("wrote")`;
    try {
      // A host whose process has no Deno.openKv: the store runs in a store process.
      equal(JSON.parse(await host(storage, counter)).stdout, "1\n");
      // Two hosts at once, one of them opening the store in its own process.
      const [y, z] = await Promise.all([
        host(storage, writer("y")),
        host(storage, writer("z"), true),
      ]);
      equal(JSON.parse(y).stdout, "wrote\n", y);
      equal(JSON.parse(z).stdout, "wrote\n", z);
      const last = JSON.parse(
        await host(
          storage,
          counter +
            "\nprint(len(ls), sorted(ls.keys()) == sorted(['count'] + [f'{p}{i}' for p in 'yz' for i in range(15)]))",
        ),
      );
      equal(last.stdout, "2\n31 True\n", JSON.stringify(last));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
