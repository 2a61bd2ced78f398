/**
 * Sessions: globals, imports and written files carry over between runs of
 * one session and nowhere else; each run has its own budgets; a violation,
 * a limit, an abort, close(), the idle TTL and the maximum lifetime end the
 * session, after which a run returns `SessionClosed` (kind `closed`) and
 * never reaches a fresh interpreter; a session holds a process of its own
 * against `maxProcesses`; with the guard off, JavaScript reached in one
 * session's worker finds nothing of another's, and its breach ends only
 * its own session.
 */
import { deepEqual, equal, match, ok, rejects } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";
import { SandboxError } from "../src/errors.ts";
import { unguardedForTests } from "../src/host/internal.ts";
import type { RunResult } from "../src/protocol/result.ts";

function closed(result: RunResult, why: RegExp): void {
  equal(result.ok, false);
  equal(result.error?.type, "SessionClosed");
  equal(result.error?.kind, "closed");
  match(result.error!.message, why);
  equal(result.stdout, "");
}

function gone(pid: number): boolean {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/stat`).includes(") Z ");
  } catch {
    return true;
  }
}

Deno.test("a session keeps globals, imports, functions and written files across runs", async () => {
  await using sandbox = new Sandbox({ policy: "agent" });
  await using s = await sandbox.session();
  const first = await s.run(
    "import math\nrows = [1, 2, 3]\ndef mean(xs):\n    return math.fsum(xs) / len(xs)\n" +
      "with open('notes.txt', 'w') as f:\n    f.write('kept')\n",
  );
  equal(first.ok, true, JSON.stringify(first.error));
  deepEqual(Object.keys(first.files ?? {}), ["notes.txt"]);
  const second = await s.run("rows.append(6)\nmean(rows)");
  equal(second.ok, true, JSON.stringify(second.error));
  equal(second.value, 3);
  // The script's own exception does not end the session.
  const failed = await s.run("raise ValueError('mine')");
  equal(failed.error?.type, "ValueError");
  equal(failed.error?.kind, "script");
  const third = await s.run("print(open('notes.txt').read(), rows, math.pi > 3)");
  equal(third.stdout, "kept [1, 2, 3, 6] True\n");
  // Inputs are bound per run, over what the session holds.
  const fourth = await s.run("rows + extra", { inputs: { extra: [7] } });
  deepEqual(fourth.value, [1, 2, 3, 6, 7]);
  equal(s.ended, undefined);
});

Deno.test("two sessions of one origin never see each other's globals, and hold two processes", async () => {
  await using sandbox = new Sandbox({ policy: "compute", maxProcesses: 2 });
  const origin = "https://a.example";
  await using a = await sandbox.session({ origin });
  await using b = await sandbox.session({ origin });
  equal((await a.run("secret = 'a-only'")).ok, true);
  const peek = await b.run("secret");
  equal(peek.error?.type, "NameError");
  equal(peek.error?.kind, "script");
  equal((await b.run("secret = 'b-only'")).ok, true);
  equal((await a.run("secret")).value, "a-only");
  equal((await b.run("secret")).value, "b-only");
  const pids = sandbox.stats().processes.map((p) => p.pid);
  equal(new Set(pids).size, 2);
});

Deno.test("each run of a session has its own output cap and host-call budget", async () => {
  await using sandbox = new Sandbox({
    policy: { version: 1, extends: "compute", limits: { output_bytes: 100, host_calls: 3 } },
  });
  let calls = 0;
  await using s = await sandbox.session({ expose: { tick: () => ++calls } });
  for (let i = 0; i < 3; i++) {
    const r = await s.run(
      "from pyfence.host import tick\nprint('x' * 80)\n[tick() for _ in range(3)][-1]",
    );
    equal(r.ok, true, JSON.stringify(r.error));
    equal(r.value, 3 * (i + 1));
    equal(r.hostCalls?.length, 3);
  }
  // Past a run's own cap: the run ends at the limit, and so does the session.
  const over = await s.run("print('y' * 200)");
  equal(over.error?.kind, "limit");
  closed(await s.run("print(1)"), /OutputLimitError \(limit\)/);
});

Deno.test("a run that times out ends the session; the next run says SessionClosed", async () => {
  await using sandbox = new Sandbox({ policy: "compute", maxProcesses: 1 });
  const s = await sandbox.session();
  equal((await s.run("x = 1")).ok, true);
  const pid = sandbox.stats().processes[0].pid;
  const slow = await s.run("while True:\n    pass", { timeoutMs: 300 });
  equal(slow.error?.type, "TimeoutError");
  equal(slow.error?.kind, "limit");
  closed(await s.run("x"), /TimeoutError \(limit\)/);
  match(s.ended!, /TimeoutError/);
  // Its process is retired: a plain run gets the one slot.
  const after = await sandbox.run("print('fresh')", { queueTimeoutMs: 30_000 });
  equal(after.stdout, "fresh\n");
  ok(gone(pid), "the session's process exited");
});

Deno.test("a violation ends the session", async () => {
  await using sandbox = new Sandbox({ policy: "compute" });
  await using s = await sandbox.session();
  equal((await s.run("kept = 1")).ok, true);
  const bad = await s.run("open('/etc/passwd').read()");
  equal(bad.error?.kind, "violation");
  equal(bad.violations[0].kind, "filesystem");
  closed(await s.run("kept"), /\(violation\)/);
});

Deno.test("idle TTL and maximum lifetime end a session", async () => {
  await using sandbox = new Sandbox({
    policy: { version: 1, extends: "compute", limits: { session_idle_ms: 400 } },
    maxProcesses: 2,
  });
  const idle = await sandbox.session();
  equal((await idle.run("x = 1")).ok, true);
  await new Promise((r) => setTimeout(r, 900));
  closed(await idle.run("x"), /idle for more than 400 ms/);

  await using short = new Sandbox({
    policy: { version: 1, extends: "compute", limits: { session_max_ms: 2000 } },
    maxProcesses: 2,
  });
  const old = await short.session();
  equal((await old.run("x = 1")).ok, true);
  // A run is cut at what is left of the session's life: a time limit.
  const cut = await old.run("while True:\n    pass");
  equal(cut.error?.kind, "limit");
  closed(await old.run("x"), /TimeoutError|maximum lifetime of 2000 ms/);
});

Deno.test("close() ends a session: later runs say SessionClosed; close is idempotent", async () => {
  await using sandbox = new Sandbox({ policy: "compute", maxProcesses: 1 });
  const s = await sandbox.session();
  equal((await s.run("y = 2")).ok, true);
  await s.close();
  await s.close();
  closed(await s.run("y"), /closed/);
  // The sandbox's close ends its sessions too.
  const t = await sandbox.session();
  equal((await t.run("y = 3")).ok, true);
  await sandbox.close();
  closed(await t.run("y"), /closed/);
});

Deno.test("abort mid-run ends the session cleanly", async () => {
  await using sandbox = new Sandbox({ policy: "compute" });
  await using s = await sandbox.session();
  equal((await s.run("z = 1")).ok, true);
  const pid = sandbox.stats().processes[0].pid;
  const aborted = await s.run("while True:\n    pass", { signal: AbortSignal.timeout(300) });
  equal(aborted.error?.type, "Aborted");
  closed(await s.run("z"), /Aborted/);
  await s.close();
  ok(gone(pid), "the aborted session's process exited");
});

Deno.test("a session counts against maxProcesses while it lives", async () => {
  await using sandbox = new Sandbox({ policy: "compute", maxProcesses: 1 });
  const s = await sandbox.session();
  const waited = await sandbox.run("print(1)", { queueTimeoutMs: 300 });
  equal(waited.error?.type, "QueueTimeout");
  await rejects(
    sandbox.session({ queueTimeoutMs: 0 }),
    (e) => e instanceof SandboxError && e.reason === "queue",
  );
  await s.close();
  equal((await sandbox.run("print(2)", { queueTimeoutMs: 30_000 })).stdout, "2\n");
});

Deno.test("guard off: one session's JavaScript finds nothing of another's, and its breach ends only itself", async () => {
  await using sandbox = new Sandbox(unguardedForTests({ policy: "compute", maxProcesses: 2 }));
  await using a = await sandbox.session();
  await using b = await sandbox.session();
  const set = await a.run("import js\nsecret = 'a-python'\njs.globalThis.secretA = 'a-js'");
  equal(set.ok, true, JSON.stringify(set.error));
  const probe = await b.run(
    "import js\nprint(hasattr(js.globalThis, 'secretA'), 'secret' in globals())",
  );
  equal(probe.stdout, "False False\n");
  // A message the guard never sends: a breach sign, seen by the trusted side.
  const breach = await b.run('import js\njs.pyfenceChannel.post(\'{"t": "booted"}\')');
  equal(breach.error?.kind, "violation");
  ok(breach.violations.some((v) => v.kind === "breach"));
  closed(await b.run("1"), /\(violation\)/);
  const still = await a.run("import js\nprint(secret, js.globalThis.secretA)");
  equal(still.stdout, "a-python a-js\n");
});
