/**
 * `pyfence serve` and the `./serve` module under `deno serve`, as processes:
 * they refuse a non-loopback address without a token, name the variable or
 * flag of a bad setting, serve, and drain on SIGTERM (a run in progress
 * finishes, then the process and its sandbox processes exit).
 */
import { deepEqual, equal, match, ok } from "assert";
import { descendants } from "./helpers/procfs.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const CLI = new URL("../src/cli/main.ts", import.meta.url).pathname;
const ENTRY = new URL("../src/serve/entrypoint.ts", import.meta.url).pathname;
const TOKEN = "cli-token-0123456789abc";
const dec = new TextDecoder();

function spawn(args: string[], env: Record<string, string> = {}): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { PYFENCE_TOKEN: "", PYFENCE_ORIGIN: "", PYFENCE_CONFIG: "", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function finished(child: Deno.ChildProcess) {
  const out = await child.output();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Read `child`'s stderr until `pattern` matches (or 60 s pass); the rest keeps draining. */
async function waitFor(child: Deno.ChildProcess, pattern: RegExp) {
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const timer = setTimeout(() => reader.cancel(), 60_000);
  try {
    while (!pattern.test(text)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stderr ended before ${pattern}: ${text}`);
      text += value;
    }
  } finally {
    clearTimeout(timer);
  }
  const rest = (async () => {
    for (let r = await reader.read(); !r.done; r = await reader.read()) text += r.value;
    return text;
  })();
  return { match: pattern.exec(text)!, rest };
}

function alive(pids: number[]): number[] {
  return pids.filter((pid) => {
    try {
      Deno.statSync(`/proc/${pid}`);
      return true;
    } catch {
      return false;
    }
  });
}

/** A slow run is in progress when SIGTERM comes: it finishes, then everything exits. */
async function drainTest(child: Deno.ChildProcess, listening: RegExp) {
  const { match: m, rest } = await waitFor(child, listening);
  const base = `http://127.0.0.1:${m[1]}`;
  const headers = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
  const quick = await fetch(`${base}/v1/run`, {
    method: "POST",
    headers,
    body: JSON.stringify({ code: "print(sum(range(5)))" }),
  });
  equal((await quick.json()).stdout, "10\n");
  const slow = fetch(`${base}/v1/run`, {
    method: "POST",
    headers,
    body: JSON.stringify({ code: "while True:\n    pass", timeoutMs: 1500 }),
  });
  await new Promise((r) => setTimeout(r, 300));
  const family = [child.pid, ...descendants(child.pid)];
  ok(family.length > 1, "a sandbox process is running");
  child.kill("SIGTERM");
  const response = await slow;
  equal(response.status, 200);
  equal((await response.json()).error.type, "TimeoutError", "the run in progress finished");
  const status = await child.status;
  await child.stdout.cancel();
  equal(status.code, 0, await rest);
  const deadline = Date.now() + 10_000;
  while (alive(family).length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  deepEqual(alive(family), [], "no sandbox process outlives the server");
  return await rest;
}

const test = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name, sanitizeOps: false, sanitizeResources: false, fn });

test("pyfence serve: refuses without a token off loopback; names a bad setting", async () => {
  const open = await finished(spawn(["run", "-A", CLI, "serve", "--hostname", "0.0.0.0"]));
  equal(open.code, 2);
  match(open.stderr, /--hostname: no token is configured, so the server listens only on loopback/);
  const short = await finished(spawn(["run", "-A", CLI, "serve"], { PYFENCE_TOKEN: "short" }));
  equal(short.code, 2);
  match(short.stderr, /PYFENCE_TOKEN: must be at least 16 characters/);
  const origin = await finished(
    spawn(["run", "-A", CLI, "serve", "--origin", "file:///x"], { PYFENCE_TOKEN: TOKEN }),
  );
  match(origin.stderr, /--origin: scheme 'file:'/);
  const both = await finished(
    spawn(["run", "-A", CLI, "serve", "--config", "x.yaml", "--origin", "https://a.example"]),
  );
  equal(both.code, 2);
  match(both.stderr, /--config: a config file names its callers' .*; drop --origin/);
});

test("pyfence serve: serves, and drains on SIGTERM", async () => {
  const child = spawn(
    ["run", "-A", CLI, "serve", "--port", "0", "--origin", "https://a.example"],
    { PYFENCE_TOKEN: TOKEN },
  );
  const log = await drainTest(child, /listening on http:\/\/127\.0\.0\.1:(\d+)\//);
  match(log, /draining[^]*stopped/);
});

test("deno serve the ./serve module: configured from the environment, drains on SIGTERM", async () => {
  const refused = await finished(spawn(["serve", "-A", "--port", "0", ENTRY]));
  equal(refused.code, 2);
  match(refused.stderr, /no token is configured, so it serves only on loopback, not on 0\.0\.0\.0/);
  const child = spawn(
    ["serve", "-A", "--port", "0", "--host", "127.0.0.1", ENTRY],
    { PYFENCE_TOKEN: TOKEN, PYFENCE_ORIGIN: "https://a.example" },
  );
  await drainTest(child, /listening on 127\.0\.0\.1:(\d+)/);
});
