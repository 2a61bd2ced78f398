import assert from "assert";
import { UsageError } from "../src/errors.ts";
import { parseOrigin } from "../src/capabilities/origin.ts";
import {
  normalizeFileName,
  permissionsFor,
  virtualFiles,
} from "../src/capabilities/permissions.ts";
import { explain, renderExplanation } from "../src/capabilities/explain.ts";
import { loadPolicy, validatePolicy } from "../src/policy/load.ts";
import { tighten } from "../src/policy/merge.ts";

const FIXTURES = new URL("./fixtures/policies/", import.meta.url);

const NONE = {
  read: false,
  write: false,
  env: false,
  run: false,
  ffi: false,
  sys: false,
  import: false,
};

function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof UsageError, `expected UsageError, got ${e}`);
    return e;
  }
  assert.fail("expected a UsageError, but nothing was thrown");
}

Deno.test("opaque origin: net false, no network or storage in the guard", async () => {
  for (const name of ["default", "strict", "compute", "agent"]) {
    const map = permissionsFor(await loadPolicy(name), parseOrigin());
    assert.deepEqual(map.deno, { ...NONE, net: false }, name);
    assert.equal(map.guard.network.origin, null);
    assert.equal(map.guard.network.same_origin, false);
    assert.deepEqual(map.guard.network.cors, []);
    assert.equal(map.guard.network.websocket, false);
    assert.equal(map.guard.storage, false);
  }
});

Deno.test("opaque origin: CORS hosts are not granted either", async () => {
  const policy = await loadPolicy(new URL("network.yaml", FIXTURES).href);
  const map = permissionsFor(policy, parseOrigin("null"));
  assert.equal(map.deno.net, false);
  assert.deepEqual(map.guard.network.cors, []);
});

Deno.test("tuple origin: exactly its host:port, everything else false", async () => {
  const map = permissionsFor(await loadPolicy("default"), parseOrigin("https://a.example/x.py"));
  assert.deepEqual(map.deno, { ...NONE, net: ["a.example:443"] });
  assert.deepEqual(map.guard.network, {
    origin: "https://a.example",
    same_origin: true,
    cors: [],
    websocket: true,
  });
  assert.equal(map.guard.storage, true);
  const http = permissionsFor(await loadPolicy("default"), parseOrigin("http://[::1]:8000"));
  assert.deepEqual(http.deno.net, ["[::1]:8000"]);
  assert.equal(http.guard.network.origin, "http://[::1]:8000");
});

Deno.test("CORS origins' hosts are added, deduplicated", async () => {
  const policy = await loadPolicy(new URL("network.yaml", FIXTURES).href);
  const map = permissionsFor(policy, parseOrigin("https://a.example"));
  assert.deepEqual(map.deno, {
    ...NONE,
    net: ["a.example:443", "api.example:443", "data.example:8080", "[2001:db8::1]:443"],
  });
  assert.deepEqual(map.guard.network.cors, [
    "https://api.example",
    "http://data.example:8080",
    "https://[2001:db8::1]",
  ]);
  // The script's own host is not listed twice.
  const own = permissionsFor(policy, parseOrigin("https://api.example"));
  assert.deepEqual(own.deno.net, ["api.example:443", "data.example:8080", "[2001:db8::1]:443"]);
});

Deno.test("same_origin: false leaves only CORS hosts; nothing at all is net: false", () => {
  const corsOnly = validatePolicy({
    version: 1,
    network: { same_origin: false, cors: ["https://api.example"], websocket: true },
  });
  const map = permissionsFor(corsOnly, parseOrigin("https://a.example"));
  assert.deepEqual(map.deno.net, ["api.example:443"]);
  assert.equal(map.guard.network.same_origin, false);
  assert.equal(map.guard.network.websocket, true);

  const nothing = validatePolicy({ version: 1, network: { websocket: true } });
  const none = permissionsFor(nothing, parseOrigin("https://a.example"));
  assert.equal(none.deno.net, false);
  assert.equal(none.guard.network.origin, "https://a.example");
  assert.equal(none.guard.network.websocket, false, "no WebSocket without any host");
});

Deno.test("strict: no network even with an origin", async () => {
  const map = permissionsFor(await loadPolicy("strict"), parseOrigin("https://a.example"));
  assert.deepEqual(map.deno, { ...NONE, net: false });
  assert.equal(map.guard.storage, false);
});

Deno.test("guard config and host limits mirror the policy", async () => {
  const policy = await loadPolicy("compute");
  const map = permissionsFor(policy, parseOrigin("https://a.example"), { "a.csv": "x,y\n" });
  assert.deepEqual(map.guard.modules.allow, policy.modules.allow);
  assert.deepEqual(map.guard.modules.deny, policy.modules.deny);
  // The exact list is policy_test.ts's to pin; here: the guard gets the policy's.
  assert.deepEqual(map.guard.modules.members.io, policy.modules.members.io);
  assert.deepEqual(map.guard.builtins, {
    deny: policy.builtins.deny,
    restrict: ["__import__", "open", "globals", "locals", "vars", "dir"],
  });
  assert.equal(map.guard.dynamic_code, "deny");
  assert.deepEqual(map.guard.files, { "a.csv": { text: "x,y\n" } });
  assert.deepEqual(map.guard.limits, {
    recursion: 1000,
    output_bytes: 4194304,
    code_bytes: 1048576,
    write_bytes: 8388608,
    write_files: 100,
    host_calls: 500,
    host_call_bytes: 16777216,
    websockets: 4,
    websocket_messages: 1000,
    websocket_message_bytes: 1048576,
  });
  assert.deepEqual(map.guard.host_functions, []);
  // compute has no writable area: the quotas are not the host's business.
  assert.equal(map.guard.writable, false);
  assert.equal(map.limits.writeBytes, undefined);
  assert.equal(map.guard.on_violation, "terminate");
  assert.equal(map.guard.static_check, true);
  assert.deepEqual(map.limits, {
    timeoutMs: 30000,
    memoryMb: 1024,
    outputBytes: 4194304,
    codeBytes: 1048576,
    recursion: 1000,
    hostCalls: 500,
    hostCallBytes: 16777216,
    storageQuotaBytes: 0, // compute keeps no storage
    sessionIdleMs: 300000,
    sessionMaxMs: 3600000,
  });
  // The guard config is plain data, independent of the policy object.
  map.guard.modules.members.io.allow!.push("open");
  assert.ok(!policy.modules.members.io.allow!.includes("open"));
  assert.deepEqual(policy.modules.members.io, (await loadPolicy("compute")).modules.members.io);
  assert.deepEqual(JSON.parse(JSON.stringify(map)), map);
});

Deno.test("tightened limits reach the host limits", async () => {
  const policy = tighten(await loadPolicy("default"), { timeoutMs: 100, memoryMb: 64 });
  const map = permissionsFor(policy, parseOrigin());
  assert.equal(map.limits.timeoutMs, 100);
  assert.equal(map.limits.memoryMb, 64);
});

Deno.test("__import__ and open are always restricted unless denied", () => {
  const policy = validatePolicy({ version: 1, builtins: { deny: [], restrict: ["dir"] } });
  assert.deepEqual(permissionsFor(policy, parseOrigin()).guard.builtins, {
    deny: [],
    restrict: ["dir", "__import__", "open"],
  });
});

Deno.test("filesystem.virtual: false denies open and refuses files", () => {
  const policy = validatePolicy({ version: 1, filesystem: { virtual: false } });
  const map = permissionsFor(policy, parseOrigin());
  assert.ok(map.guard.builtins.deny.includes("open"));
  assert.ok(!map.guard.builtins.restrict.includes("open"));
  const e = usageError(() => permissionsFor(policy, parseOrigin(), { "a.txt": "x" }));
  assert.equal(e.argument, "files");
});

Deno.test("files: text and bytes, names normalised", () => {
  assert.deepEqual(
    virtualFiles({
      "./data//in.csv": "a,b\n",
      "b.bin": new Uint8Array([0, 1, 2, 255]),
      "empty.bin": new Uint8Array(),
    }),
    {
      "data/in.csv": { text: "a,b\n" },
      "b.bin": { base64: "AAEC/w==" },
      "empty.bin": { base64: "" },
    },
  );
  const big = new Uint8Array(100_000).map((_, i) => i & 0xff);
  const { base64 } = virtualFiles({ big }).big as { base64: string };
  assert.deepEqual(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)), big);
  assert.equal(normalizeFileName("a/./b.txt"), "a/b.txt");
});

Deno.test("files: bad names are UsageError('files')", async () => {
  const policy = await loadPolicy("default");
  for (
    const name of [
      "/etc/passwd",
      "../secret",
      "a/../../b",
      "a/..",
      "a\0b",
      "a\\b.txt",
      "C:/x.txt",
      "",
      ".",
      "./",
      "a\nb",
    ]
  ) {
    const e = usageError(() => permissionsFor(policy, parseOrigin(), { [name]: "x" }));
    assert.equal(e.argument, "files", JSON.stringify(name));
    assert.ok(e.message.startsWith("files: "), e.message);
  }
  // Two names for the same file.
  const dup = usageError(() =>
    permissionsFor(policy, parseOrigin(), { "a.txt": "1", "./a.txt": "2" })
  );
  assert.equal(dup.argument, "files");
  // Contents other than string / Uint8Array.
  const bad = usageError(() =>
    permissionsFor(policy, parseOrigin(), { "a.txt": 42 as unknown as string })
  );
  assert.match(bad.message, /string or a Uint8Array/);
});

Deno.test("explain: the capability table with exact values", async () => {
  const policy = await loadPolicy(new URL("network.yaml", FIXTURES).href);
  const map = permissionsFor(policy, parseOrigin("https://a.example"), { "a.csv": "1" });
  const ex = explain(map);
  assert.equal(ex.origin, "https://a.example");
  assert.deepEqual(ex.rows.map((r) => r.capability), [
    "import",
    "open()",
    "HTTP (pyfence.web)",
    "WebSocket (pyfence.web)",
    "cookies, local storage",
    "host functions (pyfence.host)",
    "exec / eval / compile",
    "JS bridge",
    "CPU / time",
    "memory",
    "recursion",
    "output",
    "sessions",
    "builtins",
    "packages",
  ]);
  const row = (c: string) => ex.rows.find((r) => r.capability === c)!;
  assert.match(row("packages").guard, /^none installed; no installer/);
  assert.equal(
    row("HTTP (pyfence.web)").deno,
    'net: ["a.example:443","api.example:443","data.example:8080","[2001:db8::1]:443"]',
  );
  assert.match(row("HTTP (pyfence.web)").guard, /origin https:\/\/a.example; same-origin: allowed/);
  // WebSocket reaches what HTTP reaches, under the same net permission.
  assert.equal(row("WebSocket (pyfence.web)").deno, row("HTTP (pyfence.web)").deno);
  assert.match(row("WebSocket (pyfence.web)").guard, /Origin is always https:\/\/a.example/);
  assert.match(row("WebSocket (pyfence.web)").guard, /at most 4 open at once, 1000 messages/);
  assert.match(row("cookies, local storage").guard, /for https:\/\/a.example only/);
  assert.match(row("cookies, local storage").guard, /quota 5242880 bytes/);
  assert.match(row("cookies, local storage").deno, /^— \(the worker holds none/);
  const closed = explain(
    permissionsFor(validatePolicy({ version: 1 }), parseOrigin("https://a.example")),
  );
  assert.equal(
    closed.rows.find((r) => r.capability === "WebSocket (pyfence.web)")?.guard,
    "denied (network.websocket: false)",
  );
  assert.equal(
    closed.rows.find((r) => r.capability === "cookies, local storage")?.guard,
    "denied (storage.enabled: false)",
  );
  assert.match(row("open()").guard, /1 file\(s\): a.csv/);
  assert.equal(row("open()").deno, "read: false, write: false");
  assert.equal(row("memory").deno, "wasm memory growth capped at 256 MiB");
  assert.equal(row("recursion").guard, "recursion limit 400");
  assert.equal(row("exec / eval / compile").guard, "denied");
  assert.deepEqual(ex.deno, map.deno);
  assert.deepEqual(ex.guard.files, ["a.csv"]);

  const text = renderExplanation(ex);
  assert.match(text, /^origin: https:\/\/a.example\n/);
  assert.match(text, /capability\s+\| Python guard\s+\| Deno worker/);
  assert.ok(text.includes(`Deno worker permissions: ${JSON.stringify(map.deno)}`));

  const opaque = explain(permissionsFor(await loadPolicy("default"), parseOrigin()));
  assert.equal(opaque.origin, "null");
  assert.equal(opaque.rows[2].deno, "net: false");
  assert.equal(opaque.rows[2].guard, "none (opaque origin null)");
});
