/**
 * `deno task loadtest [--requests 2000] [--concurrency 50] [--callers 4]`:
 * a bounded load and fault test of `pyfence serve` on loopback.
 *
 * It starts `pyfence serve` with a config of several callers (tokens,
 * origins), then sends `--requests` requests, `--concurrency` at a time, of a
 * fixed mix: benign scripts (each checked for its exact output), escape
 * attempts (each must end as a violation, with nothing leaked), CPU bombs
 * (Python loops and a C loop that ignores interrupts), memory bombs and
 * output floods. A third of the way in it SIGKILLs a busy sandbox process
 * and checks that the server replaces it; at the end it sends slow runs,
 * SIGTERMs the server while they run, and checks that they finish, that the
 * server exits 0 and that no sandbox process outlives it.
 *
 * It prints: requests served, latency p50/p95/p99, status counts, results
 * by error type and kind, host RSS and sandbox processes before and after,
 * the server's own metrics, and the load average; it exits 1 if anything
 * escaped, a benign answer was wrong, a 5xx came back, the server went down,
 * the killed process was not replaced, or the drain failed. Linux only (it
 * reads /proc).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    requests: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "50" },
    callers: { type: "string", default: "4" },
    "no-faults": { type: "boolean", default: false },
  },
});
const REQUESTS = Number(flags.requests);
const CONCURRENCY = Number(flags.concurrency);
const CALLERS = Number(flags.callers);
if (![REQUESTS, CONCURRENCY, CALLERS].every((n) => Number.isInteger(n) && n > 0)) {
  console.error("loadtest: --requests, --concurrency and --callers take positive integers");
  Deno.exit(2);
}
if (Deno.build.os !== "linux") {
  console.error("loadtest: Linux only (it reads /proc)");
  Deno.exit(2);
}

const CLI = new URL("../src/cli/main.ts", import.meta.url).pathname;
const METRICS_TOKEN = "loadtest-metrics-0123456789";
const SECRET = "root:x:0:0";

// --- /proc -------------------------------------------------------------------

function parentOf(pid: number): number | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of Deno.readDirSync("/proc")) {
    const pid = Number(entry.name);
    const parent = Number.isInteger(pid) ? parentOf(pid) : undefined;
    if (parent !== undefined) parents.set(pid, parent);
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of parents) {
      if (parent === p) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(root);
  return out;
}

function rssMiB(pid: number): number {
  try {
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(Deno.readTextFileSync(`/proc/${pid}/status`))?.[1];
    return kb === undefined ? 0 : Math.round(Number(kb) / 1024);
  } catch {
    return 0;
  }
}

/** Sandbox processes: the server's children running Deno (busy: most CPU ticks lately). */
function sandboxes(server: number): number[] {
  return descendants(server).filter((pid) => parentOf(pid) === server);
}

function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  } catch {
    return "?";
  }
}

// --- the workload --------------------------------------------------------------

interface Result {
  ok: boolean;
  stdout: string;
  error?: { type: string; kind?: string; message: string };
  violations: { kind: string }[];
  truncated?: boolean;
}

interface Case {
  kind: "benign" | "escape" | "cpu" | "memory" | "flood";
  code: string;
  timeoutMs?: number;
  /** What makes the answer right; a string is the failure's description. */
  check(result: Result): true | string;
}

function benign(i: number): Case {
  const n = 1000 + i;
  const cases: [string, string][] = [
    [`print(sum(range(${n})))`, `${(n * (n - 1)) / 2}\n`],
    [
      `import json, math\nprint(json.dumps({"n": ${n}, "root": math.isqrt(${n})}))`,
      `${
        JSON.stringify({ n, root: Math.floor(Math.sqrt(n)) }).replace(/,/g, ", ").replace(
          /:/g,
          ": ",
        )
      }\n`,
    ],
    [
      `import collections\nc = collections.Counter("abracadabra${i % 7}")\nprint(c.most_common(2))`,
      `[('a', 5), ('b', 2)]\n`,
    ],
    [`import re\nprint(re.sub(r"[aeiou]", "_", "sandbox number ${i}"))`, `s_ndb_x n_mb_r ${i}\n`],
  ];
  const [code, expected] = cases[i % cases.length];
  return {
    kind: "benign",
    code,
    check: (r) =>
      r.ok && r.stdout === expected
        ? true
        : `expected ${JSON.stringify(expected)}, got ${JSON.stringify(r.stdout)} ${
          JSON.stringify(r.error ?? "")
        }`,
  };
}

const ESCAPES = [
  "import os\nprint(os.listdir('/'))",
  `print(open('/etc/passwd').read())`,
  "import js\nprint(js.Deno.readTextFileSync('/etc/passwd'))",
  "print([c for c in ().__class__.__base__.__subclasses__() if 'wrap_close' in c.__name__][0].__init__.__globals__['system']('id'))",
  "__import__('subprocess').run(['id'])",
  "import pyfence.web\nprint(pyfence.web.fetch('http://127.0.0.1:1/').text())",
  "g = (x for x in [1])\nprint(g.gi_frame.f_back.f_globals)",
];

function escape(i: number): Case {
  return {
    kind: "escape",
    code: ESCAPES[i % ESCAPES.length],
    check: (r) => {
      if (r.ok) return "the escape ran to its end";
      if (r.stdout.includes(SECRET)) return "a secret reached stdout";
      const refused = r.violations.length > 0 ||
        ["SecurityError", "ImportBlockedError"].includes(r.error?.type ?? "");
      return refused ? true : `not refused as a violation: ${JSON.stringify(r.error)}`;
    },
  };
}

/** A bomb: it must end as one of `types`, each a limit (`error.kind`), never anything else. */
function limitCase(
  kind: Case["kind"],
  code: string,
  types: string | string[],
  timeoutMs?: number,
): Case {
  const allowed = typeof types === "string" ? [types] : types;
  return {
    kind,
    code,
    timeoutMs,
    check: (r) =>
      !r.ok && r.error?.kind === "limit" && allowed.includes(r.error.type)
        ? true
        : `expected ${allowed.join(" or ")} (a limit), got ${JSON.stringify(r.error)}`,
  };
}

/** The mix: 60% benign, 15% escapes, 10% CPU bombs, 7% memory bombs, 8% output floods. */
function caseFor(i: number): Case {
  // Spread over the run (37 is coprime with 100): every case comes early as well as late.
  const slot = (i * 37) % 100;
  if (slot < 60) return benign(i);
  if (slot < 75) return escape(i);
  if (slot < 84) return limitCase("cpu", "while True:\n    pass", "TimeoutError", 1000);
  // A C loop that never checks for interrupts: only ending the process stops it.
  if (slot < 85) return limitCase("cpu", "print(sum(range(10**12)))", "TimeoutError", 1000);
  if (slot < 92) {
    // Grows in 32 MiB steps to the policy's 256 MiB: a MemoryError within a few steps,
    // unless a starved machine lets the 5 s clock run out first (still a limit; the
    // results by type show how many ended which way).
    return limitCase(
      "memory",
      "x = []\nwhile True:\n    x.append(bytearray(32 * 2**20))",
      ["MemoryError", "TimeoutError"],
    );
  }
  return limitCase("flood", "while True:\n    print('x' * 1000)", "OutputLimitError");
}

// --- the server ------------------------------------------------------------------

const dir = await Deno.makeTempDir({ prefix: "pyfence-loadtest-" });
const tokens = Array.from({ length: CALLERS }, (_, i) => `loadtest-caller-${i}-0123456789`);
const config = [
  "callers:",
  ...tokens.flatMap((token, i) => [
    `  - name: caller${i}`,
    `    token: ${token}`,
    `    origin: https://t${i}.example`,
    // What this measures is the server under load, not a caller's rate: requests wait for
    // their turn (up to 10 minutes) rather than being refused.
    "    limits: { concurrency: 4, queue: 1000, queueWaitMs: 600000, ratePerMinute: 1000000, burst: 100000 }",
  ]),
  `metrics: { token: ${METRICS_TOKEN} }`,
  "queueTimeoutMs: 600000",
  "audit: { jsonl: ./audit.jsonl }",
  "",
].join("\n");
await Deno.writeTextFile(join(dir, "serve.yaml"), config);

const server = new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", CLI, "serve", "--port", "0", "--config", join(dir, "serve.yaml")],
  stdin: "null",
  stdout: "null",
  stderr: "piped",
}).spawn();
const stderrLines: string[] = [];
const listening = new Promise<string>((resolve, reject) => {
  (async () => {
    let text = "";
    for await (const chunk of server.stderr.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      const lines = text.split("\n");
      text = lines.pop()!;
      for (const line of lines) {
        stderrLines.push(line);
        const m = /listening on (http:\/\/[^/]+)\//.exec(line);
        if (m) resolve(m[1]);
      }
    }
    reject(new Error(`the server ended before listening:\n${stderrLines.join("\n")}`));
  })();
});
const timer = setTimeout(() => server.kill("SIGKILL"), 300_000);
const base = await listening;
clearTimeout(timer);
console.log(`server ${base} (pid ${server.pid}); load average ${loadAverage()}`);

const before = { rss: rssMiB(server.pid), sandboxes: sandboxes(server.pid).length };

async function send(
  i: number,
  c: Case,
): Promise<{ status: number; ms: number; result?: Result; retryAfter: string | null }> {
  const t0 = performance.now();
  const response = await fetch(`${base}/v1/run`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${tokens[i % tokens.length]}`,
      "content-type": "application/json",
    },
    body: JSON.stringify({ code: c.code, ...(c.timeoutMs ? { timeoutMs: c.timeoutMs } : {}) }),
    signal: AbortSignal.timeout(300_000),
  });
  const body = await response.json();
  const ms = performance.now() - t0;
  return {
    status: response.status,
    ms,
    result: response.status === 200 ? body : undefined,
    retryAfter: response.headers.get("retry-after"),
  };
}

// --- the run -----------------------------------------------------------------------

const statuses = new Map<number, number>();
const byType = new Map<string, number>();
const byCase = new Map<string, number>();
const failures: string[] = [];
const latencies: number[] = [];
let served = 0, escaped = 0, wrongBenign = 0, crashed = 0, noRetryAfter = 0;
let killed: { pid: number; replaced: boolean } | undefined;
const bump = (map: Map<string | number, number>, key: string | number) =>
  map.set(key, (map.get(key) ?? 0) + 1);

async function killOne(): Promise<void> {
  const pids = sandboxes(server.pid);
  if (!pids.length) return;
  const pid = pids[0];
  Deno.kill(pid, "SIGKILL");
  killed = { pid, replaced: false };
  // Replaced: a new sandbox process comes up and serves (checked by later requests too).
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (sandboxes(server.pid).some((p) => p !== pid)) {
      killed.replaced = true;
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

const started = performance.now();
let next = 0;
const killAt = flags["no-faults"] ? Infinity : Math.floor(REQUESTS / 3);
let faults: Promise<void> | undefined;
async function worker(): Promise<void> {
  while (next < REQUESTS) {
    const i = next++;
    if (i === killAt) faults = killOne();
    const c = caseFor(i);
    let answer;
    try {
      answer = await send(i, c);
    } catch (err) {
      failures.push(`request ${i} (${c.kind}) failed: ${(err as Error).message}`);
      bump(statuses, 0);
      continue;
    }
    bump(statuses, answer.status);
    // 503 with Retry-After is the server saying it is overloaded (counted, and shown); any other 5xx is a fault.
    if (answer.status >= 500 && answer.status !== 503) {
      failures.push(`request ${i}: ${answer.status}`);
    }
    if ((answer.status === 429 || answer.status === 503) && !answer.retryAfter) noRetryAfter++;
    if (!answer.result) continue;
    served++;
    latencies.push(answer.ms);
    const r = answer.result;
    bump(byType, r.ok ? "ok" : `${r.error?.type}${r.error?.kind ? ` (${r.error.kind})` : ""}`);
    bump(byCase, c.kind);
    // A run in the process the fault killed ends as a crash: expected, and counted apart.
    if (r.error?.type === "WorkerCrash" && killed) {
      crashed++;
      continue;
    }
    const verdict = c.check(r);
    if (verdict === true) continue;
    if (c.kind === "escape") escaped++;
    if (c.kind === "benign") wrongBenign++;
    failures.push(`request ${i} (${c.kind}): ${verdict}`);
  }
}
await Promise.all(Array.from({ length: CONCURRENCY }, worker));
await faults;
const seconds = (performance.now() - started) / 1000;

const health = await fetch(`${base}/healthz`).then((r) => r.status).catch(() => 0);
const metrics = await fetch(`${base}/metrics`, {
  headers: { authorization: `Bearer ${METRICS_TOKEN}` },
}).then((r) => r.text()).catch(() => "");
const after = { rss: rssMiB(server.pid), sandboxes: sandboxes(server.pid).length };

// --- drain on SIGTERM ------------------------------------------------------------------

const family = [server.pid, ...descendants(server.pid)];
const slow = Array.from({ length: Math.min(CALLERS * 2, 8) }, (_, i) =>
  send(i, {
    kind: "benign",
    code: "for i in range(2 * 10**6):\n    pass\nprint('drained')",
    check: () => true,
  }).catch((err) => ({ status: 0, ms: 0, result: undefined, retryAfter: null, err })));
await new Promise((r) => setTimeout(r, 1500));
server.kill("SIGTERM");
const drained = await Promise.all(slow);
const exit = await server.status;
const deadline = Date.now() + 10_000;
const alive = () =>
  family.filter((pid) => {
    try {
      Deno.statSync(`/proc/${pid}`);
      return true;
    } catch {
      return false;
    }
  });
while (alive().length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
const drainOk = drained.filter((d) => d.status === 200 && d.result?.stdout === "drained\n").length;
const drainRefused = drained.filter((d) => d.status === 503).length;
const auditLines = (await Deno.readTextFile(join(dir, "audit.jsonl")).catch(() => ""))
  .split("\n").filter(Boolean).length;
await Deno.remove(dir, { recursive: true });

// --- the figures -------------------------------------------------------------------------

const sorted = latencies.toSorted((a, b) => a - b);
const pct = (p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] : 0;
const list = (map: Map<string | number, number>) =>
  [...map].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}: ${v}`).join(", ");
const metric = (name: string) =>
  metrics.split("\n").filter((l) => l.startsWith(name)).map((l) => l.replace(/^pyfence_/, ""))
    .join("; ");

console.log(`
requests ${REQUESTS}, concurrency ${CONCURRENCY}, callers ${CALLERS}; ${seconds.toFixed(1)} s (${
  (REQUESTS / seconds).toFixed(1)
} requests/s)
served (200): ${served}
latency: p50 ${pct(0.5).toFixed(0)} ms, p95 ${pct(0.95).toFixed(0)} ms, p99 ${
  pct(0.99).toFixed(0)
} ms, max ${(sorted.at(-1) ?? 0).toFixed(0)} ms
status counts: ${list(statuses)}
results by type: ${list(byType)}
requests by case: ${list(byCase)}
escapes: ${escaped}; wrong benign answers: ${wrongBenign}; 429/503 without Retry-After: ${noRetryAfter}
fault: ${
  killed
    ? `killed sandbox process ${killed.pid}; replaced: ${killed.replaced}; runs it crashed: ${crashed}`
    : "none"
}
host RSS: ${before.rss} MiB before, ${after.rss} MiB after
sandbox processes: ${before.sandboxes} before, ${after.sandboxes} after
health after the load: ${health}
server metrics: ${metric("pyfence_runs_total")}
  ${metric("pyfence_violations_total")}
  ${metric("pyfence_limit_hits_total")}
  ${metric("pyfence_pool_")}
audit trail: ${auditLines} lines
drain: ${drainOk} of ${drained.length} in-flight runs finished (${drainRefused} answered 503 before starting); server exit ${exit.code}; processes left ${alive().length}
load average: ${loadAverage()}`);

const problems = [
  ...failures.slice(0, 20),
  ...(failures.length > 20 ? [`… ${failures.length - 20} more`] : []),
  ...(escaped ? [`${escaped} escapes`] : []),
  ...(noRetryAfter ? [`${noRetryAfter} refusals without Retry-After`] : []),
  ...(health !== 200 ? ["the server was not healthy after the load"] : []),
  ...(killed && !killed.replaced ? ["the killed sandbox process was not replaced"] : []),
  ...(exit.code !== 0 ? [`the server exited ${exit.code} on SIGTERM`] : []),
  ...(drainOk + drainRefused !== drained.length ? ["an in-flight run did not finish"] : []),
  ...(alive().length ? ["processes outlived the server"] : []),
];
if (problems.length) {
  console.log(`\nFAILED:\n  ${problems.join("\n  ")}`);
  Deno.exit(1);
}
console.log("\nall checks passed");
