/**
 * Watching a server: a run's live events as server-sent events, the
 * Prometheus metrics and who may read them, and the server's audit trail
 * with each caller's name.
 */
import { deepEqual, equal, match, ok } from "assert";
import { createHandler, type PyfenceHandler } from "../mod.ts";

const ALICE = "alice-token-0123456789";
const METRICS = "metrics-token-0123456789";

function call(
  handler: PyfenceHandler,
  path: string,
  { body, token = ALICE, headers = {}, host = "localhost" }: {
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
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
}

/** The events of a `text/event-stream` body: `event` and parsed `data`. */
interface Frame {
  event: string;
  data: { type: string; text?: string; result?: { ok: boolean; stdout: string } };
}

async function events(response: Response): Promise<Frame[]> {
  const text = await response.text();
  return text.split("\n\n").filter(Boolean).map((frame) => {
    const event = /^event: (.*)$/m.exec(frame)![1];
    const data = JSON.parse(/^data: (.*)$/m.exec(frame)![1]);
    return { event, data };
  });
}

/** The value of one series in a Prometheus text body. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const test = (name: string, fn: (t: Deno.TestContext) => Promise<void>) =>
  Deno.test({ name, sanitizeOps: false, sanitizeResources: false, fn });

test("serve: SSE, metrics and the audit trail of a server", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "pyfence-serve-monitor-" });
  const trail = `${dir}/audit.jsonl`;
  const handler = createHandler({
    callers: [{ name: "alice", token: ALICE, origin: "https://a.example" }],
    audit: { jsonl: trail },
    poolSize: 1,
  });
  try {
    await t.step(
      "Accept: text/event-stream streams the run's events, then its result",
      async () => {
        const response = await call(handler, "/v1/run", {
          body: { code: "print('first')\nfor i in range(2 * 10**6):\n    pass\nprint('last')" },
          headers: { accept: "text/event-stream" },
        });
        equal(response.status, 200);
        match(response.headers.get("content-type")!, /^text\/event-stream/);
        const stream = await events(response);
        equal(stream[0].event, "started");
        equal(stream.at(-1)!.event, "done");
        const result = stream.at(-1)!.data.result!;
        deepEqual([result.ok, result.stdout], [true, "first\nlast\n"]);
        deepEqual(
          stream.filter((e) => e.event === "output").map((e) => e.data.text).join(""),
          "first\nlast\n",
        );
        ok(stream.every((e) => e.event === e.data.type), "each frame's event names its data");
      },
    );

    await t.step("a refused streaming request is a JSON error with its status", async () => {
      const response = await call(handler, "/v1/run", {
        body: { code: "print(1)", policy: "compute" },
        headers: { accept: "text/event-stream" },
      });
      equal(response.status, 403);
      equal((await response.json()).error.code, "forbidden");
    });

    await t.step("the trail names the caller; run.end has CPU time on Linux", async () => {
      await call(handler, "/v1/run", { body: { code: "open('/etc/passwd')" } });
      const lines = (await Deno.readTextFile(trail)).trim().split("\n").map((l) => JSON.parse(l));
      ok(lines.length >= 5);
      ok(lines.every((e) => e.caller === "alice" && e.origin === "https://a.example"));
      const ends = lines.filter((e) => e.type === "run.end");
      equal(ends.length, 2);
      if (Deno.build.os === "linux") ok(ends.every((e) => typeof e.cpuTimeMs === "number"));
      deepEqual(lines.filter((e) => e.type === "violation").map((e) => e.violation.kind), [
        "filesystem",
      ]);
    });

    await t.step("GET /metrics: loopback only without a metrics token", async () => {
      const response = await call(handler, "/metrics", { token: null });
      equal(response.status, 200);
      match(response.headers.get("content-type")!, /^text\/plain; version=0\.0\.4/);
      const text = await response.text();
      equal(sample(text, 'pyfence_runs_total{caller="alice",outcome="ok"}'), 1);
      equal(sample(text, 'pyfence_runs_total{caller="alice",outcome="violation"}'), 1);
      equal(sample(text, 'pyfence_violations_total{kind="filesystem"}'), 1);
      equal(sample(text, 'pyfence_requests_refused_total{code="forbidden"}'), 1);
      equal(sample(text, "pyfence_run_duration_seconds_count"), 2);
      equal(sample(text, "pyfence_runs_in_progress"), 0);
      ok(sample(text, "pyfence_pool_processes")! >= 1, "the warm process is counted");
      ok(sample(text, "pyfence_host_rss_bytes")! > 10 * 1048576);
      if (Deno.build.os === "linux") ok(sample(text, "pyfence_sandbox_rss_bytes")! > 10 * 1048576);
      const remote = await call(handler, "/metrics", { host: "pyfence.example" });
      equal(remote.status, 403);
      match((await remote.json()).error.message, /without a metrics token/);
    });
  } finally {
    await handler.close(0);
    await Deno.remove(dir, { recursive: true });
  }

  await t.step(
    "a run that gets no sandbox process in time is 503 server_busy, Retry-After",
    async () => {
      const bounded = createHandler({
        callers: [{ name: "alice", token: ALICE }],
        maxProcesses: 1,
        queueTimeoutMs: 0,
        poolSize: 1,
      });
      try {
        const slow = call(bounded, "/v1/run", {
          body: { code: "while True:\n    pass", timeoutMs: 3000 },
        });
        // The first run holds the only process (it may still be booting it).
        await new Promise((r) => setTimeout(r, 1500));
        const refused = await call(bounded, "/v1/run", { body: { code: "print(1)" } });
        equal(refused.status, 503);
        equal(refused.headers.get("retry-after"), "5");
        const body = await refused.json();
        equal(body.error.code, "server_busy");
        match(body.error.message, /every sandbox process is busy/);
        equal((await (await slow).json()).error.type, "TimeoutError");
        const text = await (await call(bounded, "/metrics", { token: null })).text();
        equal(sample(text, 'pyfence_runs_total{caller="alice",outcome="queue"}'), 1);
        equal(sample(text, 'pyfence_requests_refused_total{code="server_busy"}'), 1);
        equal(sample(text, "pyfence_pool_max_processes"), 1);
      } finally {
        await bounded.close(0);
      }
    },
  );

  await t.step("GET /metrics with a metrics token: that token only, from anywhere", async () => {
    const guarded = createHandler({
      callers: [{ name: "alice", token: ALICE }],
      metrics: { token: METRICS },
    });
    try {
      equal((await call(guarded, "/metrics", { token: null })).status, 401);
      equal((await call(guarded, "/metrics", { token: ALICE })).status, 401, "a caller's token");
      const ok200 = await call(guarded, "/metrics", { token: METRICS, host: "pyfence.example" });
      equal(ok200.status, 200);
      match(await ok200.text(), /^# HELP pyfence_build_info/);
    } finally {
      await guarded.close(0);
    }
  });
});
