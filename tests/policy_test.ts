import assert from "assert";
import { PolicyError, UsageError } from "../src/errors.ts";
import {
  builtinPolicyNames,
  keyPathOf,
  loadPolicy,
  parsePolicyYaml,
  validatePolicy,
} from "../src/policy/load.ts";
import { tighten } from "../src/policy/merge.ts";
import { parsePythonRange, pythonSatisfies } from "../src/policy/python_range.ts";
import { DEFAULT_LIMITS, type Policy } from "../src/policy/schema.ts";

const FIXTURES = new URL("./fixtures/policies/", import.meta.url);
const fixture = (name: string): string => new URL(name, FIXTURES).pathname;

/** The error `promise` rejects with; fails unless it is a PolicyError. */
async function policyError(promise: Promise<unknown>): Promise<PolicyError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof PolicyError, `expected PolicyError, got ${e}`);
    return e;
  }
  assert.fail("expected a PolicyError, but nothing was thrown");
}

/** The error `fn` throws; fails unless it is an instance of `cls`. */
function thrown<T extends Error>(fn: () => unknown, cls: new (...args: never[]) => T): T {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${e}`);
    return e;
  }
  assert.fail(`expected a ${cls.name}, but nothing was thrown`);
}

const syncPolicyError = (fn: () => unknown): PolicyError => thrown(fn, PolicyError);

// SECURITY_MODEL.md §2, in the spec's order.
const SPEC_ALLOWED = ["json", "datetime", "math", "random", "re", "collections", "itertools"];
const SPEC_FORBIDDEN = [
  "os",
  "sys",
  "subprocess",
  "socket",
  "urllib",
  "urllib2",
  "httplib",
  "http.client",
  "ftplib",
  "telnetlib",
  "smtplib",
  "pickle",
  "cPickle",
  "shelve",
  "marshal",
  "imp",
  "importlib",
  "compileall",
  "py_compile",
  "shutil",
  "glob",
  "requests",
  "urllib3",
  "httpx",
  "aiohttp",
  "xml",
  "xmlrpclib",
  "urllib.request",
  "urllib.parse",
  "urllib.error",
];

Deno.test("built-in names match the files under policies/", async () => {
  assert.deepEqual(builtinPolicyNames(), ["agent", "compute", "default", "strict"]);
  const onDisk: string[] = [];
  for await (const e of Deno.readDir(new URL("../policies/", import.meta.url))) {
    if (e.name.endsWith(".yaml")) onDisk.push(e.name.slice(0, -5));
  }
  assert.deepEqual(onDisk.sort(), builtinPolicyNames());
});

for (const name of ["default", "strict", "compute", "agent"]) {
  Deno.test(`built-in policy '${name}' loads and validates to itself`, async () => {
    const p = await loadPolicy(name);
    assert.equal(p.version, 1);
    assert.equal(p.python, ">=3.12");
    assert.equal(p.dynamic_code, "deny");
    assert.equal(p.on_violation, "terminate");
    assert.equal(p.static_check, true);
    // Every built-in keeps the spec's refusals; agent's sys is the guard's stand-in.
    if (name === "agent") {
      assert.deepEqual(p.modules.deny, SPEC_FORBIDDEN.filter((m) => m !== "sys"));
      assert.ok(p.modules.allow.includes("sys"));
    } else assert.deepEqual(p.modules.deny, SPEC_FORBIDDEN);
    assert.deepEqual(await loadPolicy(p), p, "a Policy re-validates to itself");
  });
}

Deno.test("default.yaml is exactly the spec's lists", async () => {
  const p = await loadPolicy("default");
  assert.deepEqual(p.modules.allow, SPEC_ALLOWED);
  assert.deepEqual(p.modules.deny, SPEC_FORBIDDEN);
  assert.deepEqual(p.modules.members, {});
  assert.deepEqual(p.builtins.restrict, ["__import__", "open", "globals", "locals", "vars", "dir"]);
  assert.deepEqual(p.builtins.deny, [
    "breakpoint",
    "help",
    "input",
    "exit",
    "quit",
    "license",
    "credits",
    "copyright",
    "memoryview",
  ]);
  assert.deepEqual(p.network, { same_origin: true, cors: [], websocket: true });
  assert.deepEqual(p.filesystem, { virtual: true, writable: false });
  assert.deepEqual(p.storage, { enabled: true, quota_bytes: 5242880 });
  assert.deepEqual(p.limits, {
    timeout_ms: 5000,
    memory_mb: 256,
    recursion: 400,
    output_bytes: 1048576,
    code_bytes: 262144,
    write_bytes: 8388608,
    write_files: 100,
    host_calls: 500,
    host_call_bytes: 16777216,
    websockets: 4,
    websocket_messages: 1000,
    websocket_message_bytes: 1048576,
    session_idle_ms: 300000,
    session_max_ms: 3600000,
  });
  assert.equal(p.imports, "violation");
});

Deno.test("strict allows less than default; compute allows more, with member rules", async () => {
  const [def, strict, compute] = await Promise.all(
    ["default", "strict", "compute"].map((n) => loadPolicy(n)),
  );
  assert.deepEqual(strict.modules.allow, ["json", "math"]);
  assert.ok(strict.modules.allow.every((m) => def.modules.allow.includes(m)));
  assert.deepEqual(strict.network, { same_origin: false, cors: [], websocket: false });
  assert.equal(strict.storage.enabled, false);
  for (const k of Object.keys(def.limits) as (keyof Policy["limits"])[]) {
    assert.ok(strict.limits[k] <= def.limits[k], `strict limits.${k}`);
  }
  assert.ok(def.modules.allow.every((m) => compute.modules.allow.includes(m)));
  for (
    const m of [
      "statistics",
      "decimal",
      "fractions",
      "csv",
      "io",
      "typing",
      "operator",
      "abc",
      "copy",
    ]
  ) {
    assert.ok(compute.modules.allow.includes(m), m);
  }
  // In-memory buffers, the wrappers over them and the ABCs; never the real open().
  assert.deepEqual(compute.modules.members.io, {
    allow: [
      "StringIO",
      "BytesIO",
      "TextIOWrapper",
      "BufferedReader",
      "BufferedWriter",
      "BufferedRandom",
      "BufferedRWPair",
      "IncrementalNewlineDecoder",
      "IOBase",
      "RawIOBase",
      "BufferedIOBase",
      "TextIOBase",
      "UnsupportedOperation",
      "SEEK_SET",
      "SEEK_CUR",
      "SEEK_END",
      "DEFAULT_BUFFER_SIZE",
    ],
  });
  assert.deepEqual(compute.modules.members.random, { deny: ["SystemRandom"] });
  // typing's evaluators and operator's getters are safe now (patched
  // ForwardRef.evaluate, guarded attrgetter): no member rule hides them.
  assert.deepEqual(Object.keys(compute.modules.members).sort(), ["io", "random"]);
});

Deno.test("loading a built-in returns a fresh copy each time", async () => {
  const a = await loadPolicy("default");
  a.modules.allow.push("os");
  const b = await loadPolicy("default");
  assert.deepEqual(b.modules.allow, SPEC_ALLOWED);
});

Deno.test("a minimal policy is valid and grants nothing", async () => {
  const p = await loadPolicy(fixture("minimal.yaml"));
  assert.deepEqual(p.modules, { allow: [], deny: [], members: {} });
  assert.deepEqual(p.network, { same_origin: false, cors: [], websocket: false });
  assert.deepEqual(p.storage, { enabled: false, quota_bytes: 5242880 });
  assert.deepEqual(p.limits, DEFAULT_LIMITS);
  assert.equal(p.dynamic_code, "deny");
  assert.equal(p.on_violation, "terminate");
  assert.deepEqual(validatePolicy({ version: 1 }), p);
});

Deno.test("relative paths resolve against opts.cwd", async () => {
  const p = await loadPolicy("members.yaml", { cwd: fixture("") });
  assert.deepEqual(p.modules.members, {
    io: { allow: ["StringIO", "BytesIO"] },
    random: { deny: ["SystemRandom"] },
  });
  assert.deepEqual(await loadPolicy(new URL("members.yaml", FIXTURES).href), p);
});

Deno.test("CORS origins are normalised", async () => {
  const p = await loadPolicy(fixture("network.yaml"));
  assert.deepEqual(p.network.cors, [
    "https://api.example",
    "http://data.example:8080",
    "https://[2001:db8::1]",
  ]);
});

Deno.test("YAML syntax error: PolicyError with line and column", async () => {
  // Written at test time: `deno fmt --check` would reject it as a fixture.
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/bad_syntax.yaml`;
    await Deno.writeTextFile(file, "version: 1\nmodules:\n  allow: [json, math\n  deny: [os]\n");
    const e = await policyError(loadPolicy(file));
    assert.equal(e.keyPath, "");
    assert.equal(e.file, file);
    assert.match(e.message, /: YAML syntax error at line 4, col 3: Flow sequence/);
    const f = syncPolicyError(() => parsePolicyYaml("version: 1\nlimits: {timeout_ms: 1\n"));
    assert.match(f.message, /^YAML syntax error at line \d+, col \d+: /);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("duplicate YAML key is a syntax error", async () => {
  const e = await policyError(loadPolicy(fixture("duplicate_key.yaml")));
  assert.match(e.message, /YAML syntax error at line 3, col 1: .*unique/i);
});

Deno.test("empty file: PolicyError", async () => {
  const e = await policyError(loadPolicy(fixture("empty.yaml")));
  assert.equal(e.keyPath, "");
  assert.match(e.message, /empty/);
});

Deno.test("unknown key: keyPath names it, with line and known keys", async () => {
  const e = await policyError(loadPolicy(fixture("unknown_key.yaml")));
  assert.equal(e.keyPath, "limits.timeout");
  assert.match(e.message, /unknown key 'timeout' \(did you mean 'timeout_ms'\?\)/);
  assert.match(e.message, /known keys here: timeout_ms, memory_mb/);
  assert.match(e.message, /line 4, col 3/);
});

Deno.test("unknown top-level key", () => {
  const e = syncPolicyError(() => validatePolicy({ version: 1, modulez: {} }));
  assert.equal(e.keyPath, "modulez");
  assert.match(e.message, /unknown key 'modulez' \(did you mean 'modules'\?\)/);
});

Deno.test("unknown key in a member rule: the rule's keys are suggested", () => {
  const e = syncPolicyError(() =>
    validatePolicy({ version: 1, modules: { allow: ["re"], members: { re: { dney: ["x"] } } } })
  );
  assert.equal(e.keyPath, "modules.members.re.dney");
  assert.match(
    e.message,
    /unknown key 'dney' \(did you mean 'deny'\?\); known keys here: allow, deny/,
  );
});

Deno.test("wrong type: keyPath and what was found", async () => {
  const e = await policyError(loadPolicy(fixture("wrong_type.yaml")));
  assert.equal(e.keyPath, "limits.timeout_ms");
  assert.match(e.message, /must be a number, got "soon" \(line 3, col 15\)/);
  const f = syncPolicyError(() => validatePolicy({ version: 1, limits: { recursion: 1.5 } }));
  assert.equal(f.keyPath, "limits.recursion");
  assert.match(f.message, /integer/);
  const g = syncPolicyError(() => validatePolicy({ version: 1, network: { websocket: "yes" } }));
  assert.equal(g.keyPath, "network.websocket");
  const h = syncPolicyError(() => validatePolicy({ version: 1, dynamic_code: "allow" }));
  assert.equal(h.keyPath, "dynamic_code");
  assert.match(h.message, /must be one of "deny", "guarded", got "allow"/);
});

Deno.test("limits out of bounds", async () => {
  const e = await policyError(loadPolicy(fixture("out_of_range.yaml")));
  assert.equal(e.keyPath, "limits.memory_mb");
  assert.match(e.message, /must be at least 48, got 16/);
  const f = syncPolicyError(() => validatePolicy({ version: 1, limits: { timeout_ms: 600_001 } }));
  assert.equal(f.keyPath, "limits.timeout_ms");
  assert.match(f.message, /at most 600000/);
});

Deno.test("version is required and must be 1", () => {
  assert.equal(syncPolicyError(() => validatePolicy({})).keyPath, "version");
  assert.match(syncPolicyError(() => validatePolicy({ version: 2 })).message, /must be 1/);
  assert.equal(syncPolicyError(() => validatePolicy("default")).keyPath, "");
  assert.equal(syncPolicyError(() => validatePolicy([1])).keyPath, "");
});

Deno.test("module both allowed and denied: names the deny entry", async () => {
  const e = await policyError(loadPolicy(fixture("allow_and_deny.yaml")));
  assert.equal(e.keyPath, "modules.deny[1]");
  assert.match(e.message, /'os' is both allowed \(modules.allow\[1\]\) and denied/);
  assert.match(e.message, /line 4, col 15/);
});

Deno.test("module names must be dotted identifiers", async () => {
  const e = await policyError(loadPolicy(fixture("bad_module_name.yaml")));
  assert.equal(e.keyPath, "modules.allow[1]");
  assert.match(e.message, /module name.*got "os\/path"/);
  assert.equal(
    syncPolicyError(() => validatePolicy({ version: 1, modules: { deny: ["a..b"] } })).keyPath,
    "modules.deny[0]",
  );
});

Deno.test("duplicates in a list are reported at the duplicate", () => {
  const e = syncPolicyError(() =>
    validatePolicy({ version: 1, modules: { allow: ["json", "math", "json"] } })
  );
  assert.equal(e.keyPath, "modules.allow[2]");
});

Deno.test("all problems appear in the message, the first in keyPath", () => {
  const e = syncPolicyError(() =>
    validatePolicy({ version: 1, limits: { timeout_ms: 0, memory_mb: 1e9 }, storage: 1 })
  );
  assert.equal(e.keyPath, "storage");
  assert.match(e.message, /3 problems in all/);
  assert.match(e.message, /limits.timeout_ms: must be at least 1, got 0/);
  assert.match(e.message, /limits.memory_mb: must be at most 4096/);
});

Deno.test("storage quota and WebSocket limits are bounded, and name their key", () => {
  const quota = syncPolicyError(() =>
    validatePolicy({ version: 1, storage: { enabled: true, quota_bytes: -1 } })
  );
  assert.equal(quota.keyPath, "storage.quota_bytes");
  const sockets = syncPolicyError(() => validatePolicy({ version: 1, limits: { websockets: 65 } }));
  assert.equal(sockets.keyPath, "limits.websockets");
  assert.match(sockets.message, /must be at most 64/);
  const p = validatePolicy({ version: 1, limits: { websocket_message_bytes: 10 } });
  assert.equal(p.limits.websocket_message_bytes, 10);
  assert.equal(p.storage.quota_bytes, 5 * 1024 * 1024);
});

Deno.test("member rules: keys must be importable, names identifiers", () => {
  const notAllowed = syncPolicyError(() =>
    validatePolicy({ version: 1, modules: { members: { io: ["StringIO"] } } })
  );
  assert.equal(notAllowed.keyPath, "modules.members.io");
  assert.match(notAllowed.message, /not allowed by modules.allow/);
  const denied = syncPolicyError(() =>
    validatePolicy({
      version: 1,
      modules: { allow: ["xml"], deny: ["xml.etree"], members: { "xml.etree": ["x"] } },
    })
  );
  assert.equal(denied.keyPath, 'modules.members["xml.etree"]');
  const badName = syncPolicyError(() =>
    validatePolicy({ version: 1, modules: { allow: ["io"], members: { io: ["String IO"] } } })
  );
  assert.equal(badName.keyPath, "modules.members.io.allow[0]");
  const badShape = syncPolicyError(() =>
    validatePolicy({ version: 1, modules: { allow: ["io"], members: { io: { only: [] } } } })
  );
  assert.equal(badShape.keyPath, "modules.members.io.only");
  // A submodule of an allowed package may have a member rule.
  const ok = validatePolicy({
    version: 1,
    modules: { allow: ["collections"], members: { "collections.abc": { deny: ["Callable"] } } },
  });
  assert.deepEqual(ok.modules.members["collections.abc"], { deny: ["Callable"] });
});

Deno.test("builtins: restrict is a known set; a name cannot be denied and restricted", () => {
  const e = syncPolicyError(() =>
    validatePolicy({ version: 1, builtins: { restrict: ["print"] } })
  );
  assert.equal(e.keyPath, "builtins.restrict[0]");
  const f = syncPolicyError(() =>
    validatePolicy({ version: 1, builtins: { deny: ["dir"], restrict: ["dir"] } })
  );
  assert.equal(f.keyPath, "builtins.restrict[0]");
});

Deno.test("network.cors entries must be http(s) origins", () => {
  for (
    const [bad, why] of [
      ["https://a.example/api", /without path/],
      ["file:///etc", /scheme 'file:'/],
      ["null", /not 'null'/],
      ["https://u:p@a.example", /credentials/],
      ["a.example", /not a URL/],
    ] as const
  ) {
    const e = syncPolicyError(() => validatePolicy({ version: 1, network: { cors: [bad] } }));
    assert.equal(e.keyPath, "network.cors[0]", bad);
    assert.match(e.message, why, bad);
  }
  const dup = syncPolicyError(() =>
    validatePolicy({
      version: 1,
      network: { cors: ["https://a.example", "https://A.example:443/"] },
    })
  );
  assert.equal(dup.keyPath, "network.cors[1]");
});

Deno.test("python range is validated", () => {
  const e = syncPolicyError(() => validatePolicy({ version: 1, python: "3.12+" }));
  assert.equal(e.keyPath, "python");
  assert.equal(validatePolicy({ version: 1, python: ">=3.12, <3.15" }).python, ">=3.12, <3.15");
});

Deno.test("missing file: PolicyError naming the file", async () => {
  const e = await policyError(loadPolicy("./no/such/policy.yaml", { cwd: "/tmp" }));
  assert.equal(e.file, "/tmp/no/such/policy.yaml");
  assert.equal(e.keyPath, "");
  assert.match(e.message, /^\/tmp\/no\/such\/policy.yaml: policy file not found$/);
});

Deno.test("unknown name: PolicyError listing the built-in names", async () => {
  const e = await policyError(loadPolicy("permissive"));
  assert.equal(e.keyPath, "");
  assert.match(
    e.message,
    /unknown policy 'permissive'; built-in policies are: agent, compute, default, strict/,
  );
  const typo = await policyError(loadPolicy("defualt"));
  assert.match(typo.message, /unknown policy 'defualt' \(did you mean 'default'\?\)/);
  // A name that is an Object.prototype member is just as unknown.
  assert.match((await policyError(loadPolicy("constructor"))).message, /unknown policy/);
});

Deno.test("parsePolicyYaml names the file it was given", () => {
  const e = syncPolicyError(() => parsePolicyYaml("version: 1\nstorage: yes\n", "inline.yaml"));
  assert.equal(e.file, "inline.yaml");
  assert.equal(e.keyPath, "storage");
  assert.match(
    e.message,
    /^inline.yaml: storage: must be a mapping, got "yes" \(line 2, col 10\)$/,
  );
});

Deno.test("keyPathOf", () => {
  assert.equal(keyPathOf(["modules", "allow", 3]), "modules.allow[3]");
  assert.equal(keyPathOf(["modules", "members", "xml.etree"]), 'modules.members["xml.etree"]');
  assert.equal(keyPathOf([]), "");
});

Deno.test("tighten: tighter or equal limits pass, looser throw UsageError", async () => {
  const p = await loadPolicy("default");
  const t = tighten(p, { timeoutMs: 1000, memoryMb: 128 });
  assert.equal(t.limits.timeout_ms, 1000);
  assert.equal(t.limits.memory_mb, 128);
  assert.equal(p.limits.timeout_ms, 5000, "input not modified");
  assert.deepEqual(tighten(p, {}), p);
  assert.deepEqual(tighten(p, { timeoutMs: 5000, memoryMb: 256 }).limits, p.limits);

  for (
    const [overrides, argument, why] of [
      [{ timeoutMs: 5001 }, "timeoutMs", /looser than the policy's limit of 5000 ms/],
      [{ memoryMb: 512 }, "memoryMb", /looser than the policy's limit of 256 MiB/],
      [{ timeoutMs: 0 }, "timeoutMs", /at least 1/],
      [{ timeoutMs: 1.5 }, "timeoutMs", /integer/],
      [{ timeoutMs: NaN }, "timeoutMs", /integer/],
      [{ memoryMb: 16 }, "memoryMb", /at least 48/],
    ] as const
  ) {
    const e = thrown(() => tighten(p, overrides), UsageError);
    assert.equal(e.argument, argument);
    assert.match(e.message, why);
  }
});

Deno.test("pythonSatisfies", () => {
  assert.equal(pythonSatisfies(">=3.12", "3.14.2"), true);
  assert.equal(pythonSatisfies(">=3.12,<3.14", "3.14.2"), false);
  assert.equal(pythonSatisfies(">=3.12 <3.15", "3.14.2"), true);
  assert.equal(pythonSatisfies("==3.14.*", "3.14.2"), true);
  assert.equal(pythonSatisfies("==3.14", "3.14.2"), false);
  assert.equal(pythonSatisfies("==3.14", "3.14.0"), true);
  assert.equal(pythonSatisfies("!=3.13.*", "3.14.2"), true);
  assert.equal(pythonSatisfies("~=3.12", "3.14.2"), true);
  assert.equal(pythonSatisfies("~=3.12", "4.0"), false);
  assert.equal(pythonSatisfies("~=3.12.1", "3.13.0"), false);
  assert.equal(pythonSatisfies(">3.14.1", "3.14.2rc1"), true);
  assert.throws(() => parsePythonRange(">=3.x"), SyntaxError);
  assert.throws(() => parsePythonRange(">=3.*"), SyntaxError);
  assert.throws(() => parsePythonRange("~=3"), SyntaxError);
  assert.throws(() => parsePythonRange(""), SyntaxError);
  assert.throws(() => pythonSatisfies(">=3.12", "latest"), SyntaxError);
});

Deno.test("policies load over http(s) with fetch; HTTP 404 is a missing file", async () => {
  const text = await Deno.readTextFile(fixture("members.yaml"));
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) =>
      new URL(req.url).pathname === "/members.yaml"
        ? new Response(text)
        : new Response("no", { status: 404 }),
  );
  try {
    const base = `http://127.0.0.1:${server.addr.port}`;
    const p = await loadPolicy(`${base}/members.yaml`);
    assert.deepEqual(p.modules.allow, ["io", "random", "xml"]);
    const e = await policyError(loadPolicy(`${base}/gone.yaml`));
    assert.equal(e.file, `${base}/gone.yaml`);
    assert.match(e.message, /policy file not found \(HTTP 404\)/);
  } finally {
    await server.shutdown();
  }
});
