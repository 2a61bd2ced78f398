/**
 * The HTTP API as a caller meets it (createHandler in-process): results,
 * every error code with its field, tokens, the origin bound to the token,
 * the server without tokens, the body limit while reading, the quotas, the
 * drain, and configuration mistakes named by key path.
 */
import { deepEqual, equal, match, ok, rejects, throws } from "assert";
import { createHash } from "node:crypto";
import { createHandler, type HandlerOptions, type PyfenceHandler } from "../mod.ts";
import { loadServeConfig } from "../src/serve/config_file.ts";
import { Quota } from "../src/serve/quota.ts";
import { DEFAULT_CALLER_LIMITS } from "../src/serve/options.ts";
import { startServers } from "./helpers/servers.ts";

const TOKEN = "alice-token-0123456789";
const OTHER = "bob-token-0123456789ab";
const SLOW = "while True:\n    pass";

function call(
  handler: PyfenceHandler,
  path: string,
  { body, token = TOKEN, headers = {}, host = "localhost" }: {
    body?: unknown;
    token?: string | null;
    headers?: Record<string, string>;
    host?: string;
  } = {},
): Promise<Response> {
  return handler(
    new Request(`http://${host}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
}

async function errorOf(response: Response) {
  const body = await response.json();
  return {
    status: response.status,
    ...body.error,
    retryAfter: response.headers.get("retry-after"),
  };
}

async function withHandler(options: HandlerOptions, fn: (h: PyfenceHandler) => Promise<void>) {
  const handler = createHandler(options);
  try {
    await fn(handler);
  } finally {
    await handler.close(0);
  }
}

const test = (name: string, fn: (t: Deno.TestContext) => Promise<void>) =>
  Deno.test({ name, sanitizeOps: false, sanitizeResources: false, fn });

test("serve: runs, checks, policies, and every error as JSON with a stable code", async (t) => {
  await withHandler({
    callers: [{ token: TOKEN, policies: ["default", "compute"] }, { token: OTHER }],
  }, async (h) => {
    await t.step("a run is 200 whatever the script did", async () => {
      const r = await call(h, "/v1/run", { body: { code: "print(6 * 7)" } });
      equal(r.status, 200);
      const result = await r.json();
      equal(result.ok, true);
      equal(result.stdout, "42\n");
      const failed = await (await call(h, "/v1/run", { body: { code: "1/0" } })).json();
      equal(failed.error.type, "ZeroDivisionError");
      const blocked = await call(h, "/v1/run", {
        body: { code: "print(open('/etc/passwd').read())" },
      });
      equal(blocked.status, 200);
      const b = await blocked.json();
      equal(b.ok, false);
      equal(b.stdout, "");
      equal(b.violations[0].kind, "filesystem");
    });
    await t.step("files: text and base64 bytes; a bad name names the field", async () => {
      const r = await (await call(h, "/v1/run", {
        body: {
          code: "print(open('a.txt').read(), open('b.bin', 'rb').read())",
          files: { "a.txt": "text", "b.bin": { base64: btoa("\x00\xff") } },
        },
      })).json();
      equal(r.stdout, "text b'\\x00\\xff'\n");
      const bad = await errorOf(
        await call(h, "/v1/run", { body: { code: "1", files: { "../x": "" } } }),
      );
      deepEqual([bad.status, bad.code, bad.field], [400, "invalid_request", "files"]);
      match(bad.message, /'\.\.'/);
    });
    await t.step("400: not JSON, wrong types, unknown fields, an origin", async () => {
      const notJson = await errorOf(await call(h, "/v1/run", { body: "{code:" }));
      deepEqual([notJson.status, notJson.code], [400, "invalid_json"]);
      const wrong = await errorOf(await call(h, "/v1/run", { body: { code: 1 } }));
      deepEqual([wrong.status, wrong.code, wrong.field], [400, "invalid_request", "code"]);
      const missing = await errorOf(await call(h, "/v1/run", { body: {} }));
      equal(missing.field, "code");
      const unknown = await errorOf(await call(h, "/v1/run", { body: { code: "1", timeout: 5 } }));
      deepEqual([unknown.field, unknown.message], ["timeout", "timeout: unknown field"]);
      const origin = await errorOf(
        await call(h, "/v1/run", { body: { code: "1", origin: "https://b.example" } }),
      );
      deepEqual([origin.status, origin.field], [400, "origin"]);
      match(origin.message, /the origin is the caller's/);
      const looser = await errorOf(
        await call(h, "/v1/run", { body: { code: "1", timeoutMs: 10 ** 6 } }),
      );
      deepEqual([looser.status, looser.field], [400, "timeoutMs"]);
      match(looser.message, /looser than the policy's/);
    });
    await t.step("401: no token, a wrong one, a prefix, another scheme", async () => {
      for (const token of [null, "alice-token-012345678", `${TOKEN}x`, "x".repeat(200)]) {
        const e = await errorOf(await call(h, "/v1/policies", { token }));
        deepEqual([e.status, e.code], [401, "unauthorized"], String(token));
      }
      const basic = await call(h, "/v1/policies", {
        token: null,
        headers: { authorization: `Basic ${btoa(`a:${TOKEN}`)}` },
      });
      equal(basic.status, 401);
      equal(basic.headers.get("www-authenticate"), 'Bearer realm="pyfence"');
    });
    await t.step("403: a policy the caller may not name; each caller sees its own", async () => {
      const e = await errorOf(
        await call(h, "/v1/run", { token: OTHER, body: { code: "1", policy: "compute" } }),
      );
      deepEqual([e.status, e.code, e.field], [403, "forbidden", "policy"]);
      const mine = await (await call(h, "/v1/policies")).json();
      deepEqual(mine.policies.map((p: { name: string }) => p.name), ["default", "compute"]);
      ok(mine.policies[1].modules.includes("statistics"));
      const theirs = await (await call(h, "/v1/policies", { token: OTHER })).json();
      deepEqual(theirs.policies.map((p: { name: string }) => p.name), ["default"]);
      const computed = await (await call(h, "/v1/run", {
        body: { code: "import statistics\nprint(statistics.mean([1, 2]))", policy: "compute" },
      })).json();
      equal(computed.stdout, "1.5\n");
    });
    await t.step("check, healthz without a token, 404, 415, the OpenAPI document", async () => {
      const check = await (await call(h, "/v1/check", { body: { code: "import os" } })).json();
      equal(check.ok, false);
      equal(check.findings[0].kind, "import");
      const health = await call(h, "/healthz", { token: null });
      deepEqual([health.status, (await health.json()).status], [200, "ok"]);
      const missing = await errorOf(await call(h, "/v1/nothing"));
      deepEqual([missing.status, missing.code], [404, "not_found"]);
      const text = await errorOf(
        await call(h, "/v1/run", {
          body: { code: "1" },
          headers: { "content-type": "text/plain" },
        }),
      );
      deepEqual([text.status, text.code], [415, "unsupported_media_type"]);
      const doc = await (await call(h, "/v1/openapi.json", { token: null })).json();
      ok(doc.paths["/v1/run"].post && doc.paths["/v1/check"].post && doc.paths["/v1/policies"].get);
      ok(doc.components.schemas.RunResult && doc.components.schemas.Error);
      ok(doc.components.securitySchemes.bearer);
    });
  });
});

test("serve: a caller's scripts run with its origin, never another", async () => {
  const servers = startServers();
  const a = `http://127.0.0.1:${servers.a.port}`;
  const b = `http://127.0.0.1:${servers.b.port}`;
  try {
    await withHandler({
      callers: [{ token: TOKEN, origin: a }, { token: OTHER, origin: b }],
    }, async (h) => {
      const fetchOwn = "from pyfence.web import fetch\nprint(fetch('/x').text())";
      const own = await (await call(h, "/v1/run", { body: { code: fetchOwn } })).json();
      equal(own.stdout, `hello from ${servers.a.port}\n`);
      const theirs = await (await call(h, "/v1/run", { token: OTHER, body: { code: fetchOwn } }))
        .json();
      equal(theirs.stdout, `hello from ${servers.b.port}\n`);
      const hitsOfB = servers.b.hits;
      const cross = await (await call(h, "/v1/run", {
        body: { code: `from pyfence.web import fetch\nprint(fetch('${b}/x').text())` },
      })).json();
      equal(cross.ok, false);
      equal(cross.violations[0].kind, "network");
      equal(servers.b.hits, hitsOfB, "the other caller's origin was never reached");
    });
  } finally {
    await servers.close();
  }
});

test("serve: without tokens, only loopback requests that no web page sent", async () => {
  await withHandler({}, async (h) => {
    const local = await call(h, "/v1/run", { token: null, body: { code: "print(1)" } });
    equal(local.status, 200);
    equal((await local.json()).stdout, "1\n");
    for (const host of ["127.0.0.1:8000", "[::1]:8000"]) {
      equal((await call(h, "/v1/policies", { token: null, host })).status, 200, host);
    }
    for (const host of ["rebound.example", "0.0.0.0", "127.0.0.1.nip.io"]) {
      const e = await errorOf(await call(h, "/v1/policies", { token: null, host }));
      deepEqual([e.status, e.code], [403, "forbidden"], host);
    }
    const page = await errorOf(
      await call(h, "/v1/run", {
        token: null,
        body: { code: "print(1)" },
        headers: { origin: "https://evil.example" },
      }),
    );
    deepEqual([page.status, page.code], [403, "forbidden"]);
    equal(h.requiresToken, false);
  });
});

test("serve: a body over the limit is refused while it is read", async () => {
  await withHandler({ callers: [{ token: TOKEN }], maxBodyBytes: 64 * 1024 }, async (h) => {
    let pulled = 0;
    const chunk = new Uint8Array(16 * 1024).fill(0x20);
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.length;
        if (pulled > 64 * 1024 * 1024) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const e = await errorOf(
      await h(
        new Request("http://localhost/v1/run", {
          method: "POST",
          headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
          body: endless,
        }),
      ),
    );
    deepEqual([e.status, e.code], [413, "body_too_large"]);
    ok(pulled < 256 * 1024, `read ${pulled} bytes of a body refused at 64 KiB`);
    const declared = await errorOf(
      await call(h, "/v1/run", { body: { code: "#".repeat(70 * 1024) } }),
    );
    deepEqual([declared.status, declared.code], [413, "body_too_large"]);
  });
});

test("serve: quotas answer 429 with Retry-After; a drain answers 503 and lets runs finish", async () => {
  await withHandler({
    callers: [{
      token: TOKEN,
      limits: { concurrency: 1, queue: 1, queueWaitMs: 300, ratePerMinute: 1, burst: 4 },
    }],
  }, async (h) => {
    const slow = call(h, "/v1/run", { body: { code: SLOW, timeoutMs: 1500 } });
    await new Promise((r) => setTimeout(r, 100));
    const queued = call(h, "/v1/run", { body: { code: "print(1)" } });
    await new Promise((r) => setTimeout(r, 20));
    const full = await errorOf(await call(h, "/v1/run", { body: { code: "print(1)" } }));
    deepEqual([full.status, full.code, full.retryAfter], [429, "too_many_runs", "1"]);
    const waited = await errorOf(await queued);
    deepEqual([waited.status, waited.code, waited.retryAfter], [429, "too_many_runs", "1"]);
    match(waited.message, /waited 300 ms/);
    const late = call(h, "/v1/run", { body: { code: "print(2)" } });
    await new Promise((r) => setTimeout(r, 20));
    const rate = await errorOf(await call(h, "/v1/run", { body: { code: "print(3)" } }));
    deepEqual([rate.status, rate.code], [429, "rate_limited"]);
    ok(Number(rate.retryAfter) >= 1);
    const closing = h.close();
    const refused = await errorOf(await late);
    deepEqual([refused.status, refused.code, refused.retryAfter], [503, "shutting_down", "5"]);
    const health = await call(h, "/healthz");
    deepEqual([health.status, (await health.json()).status], [503, "draining"]);
    const finished = await (await slow).json();
    equal(finished.error.type, "TimeoutError", "the run in progress finished");
    await closing;
    const after = await errorOf(await call(h, "/v1/run", { body: { code: "print(1)" } }));
    deepEqual([after.status, after.code], [503, "shutting_down"]);
  });
});

test("serve: the rate refills; the queue passes turns on in order", async () => {
  let now = 0;
  const quota = new Quota({ ...DEFAULT_CALLER_LIMITS, ratePerMinute: 60, burst: 2 }, () => now);
  quota.take();
  quota.take();
  throws(() => quota.take(), { code: "rate_limited", retryAfter: 1 });
  now += 1000;
  quota.take();
  const gate = new Quota({ ...DEFAULT_CALLER_LIMITS, concurrency: 1, queue: 2 });
  const order: number[] = [];
  const first = await gate.slot();
  const waiting = [1, 2].map((n) => gate.slot().then((release) => (order.push(n), release)));
  await rejects(gate.slot(), { code: "too_many_runs" });
  const aborted = new AbortController();
  first();
  (await waiting[0])();
  (await waiting[1])();
  deepEqual(order, [1, 2]);
  equal(gate.running, 0);
  const hold = await gate.slot();
  const gone = gate.slot(aborted.signal);
  aborted.abort(new Error("client went away"));
  await rejects(gone, /client went away/);
  equal(gate.waiting, 0);
  hold();
});

test("serve: configuration mistakes name their key path (and line, in a file)", async () => {
  const bad: [HandlerOptions, RegExp][] = [
    [{ callers: [{ token: "short" }] }, /callers\[0\]\.token: must be at least 16/],
    [{ callers: [{ token: TOKEN }, { origin: "null" }] }, /callers\[1\]\.token: missing/],
    [{ callers: [{ token: TOKEN }, { token: TOKEN }] }, /callers\[1\]\.token: the same token/],
    [{ callers: [{ token: TOKEN, origin: "ftp://x" }] }, /callers\[0\]\.origin: scheme 'ftp:'/],
    [
      { callers: [{ token: TOKEN, policies: ["defualt"] }] },
      /callers\[0\]\.policies\[0\]: unknown policy 'defualt' \(did you mean 'default'\?\)/,
    ],
    [
      { callers: [{ token: TOKEN, limits: { concurency: 2 } as never }] },
      /callers\[0\]\.limits\.concurency: unknown key \(did you mean 'concurrency'\?\)/,
    ],
    [{ maxBodyBytes: 1 }, /options\.maxBodyBytes: /],
  ];
  for (const [options, message] of bad) {
    throws(() => createHandler(options), { name: "UsageError", message }, message.source);
  }

  const dir = await Deno.makeTempDir({ prefix: "pyfence-serve-" });
  try {
    const file = `${dir}/serve.yaml`;
    await Deno.writeTextFile(file, "callers:\n  - token: " + TOKEN + "\n    polices: [default]\n");
    await rejects(loadServeConfig(file), {
      name: "UsageError",
      message:
        /serve\.yaml: callers\[0\]\.polices: unknown key \(did you mean 'policies'\?\).*line 3/,
    });
    await Deno.writeTextFile(`${dir}/mine.yaml`, "version: 1\nmodules: { allow: [json] }\n");
    const sha = createHash("sha256").update(OTHER).digest("hex");
    await Deno.writeTextFile(
      file,
      `callers:\n  - name: bob\n    tokenSha256: ${sha}\n    policies: [mine]\n` +
        "policies:\n  mine: ./mine.yaml\n",
    );
    const options = await loadServeConfig(file);
    await withHandler(options, async (h) => {
      const policies = await (await call(h, "/v1/policies", { token: OTHER })).json();
      deepEqual(policies.policies[0].modules, ["json"]);
      equal((await call(h, "/v1/policies", { token: sha })).status, 401, "the digest is no token");
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
