/**
 * What a breached run tried shows up in its record, as the trusted side saw
 * it (issue 14, items 3 and 4; design rule 10). With the guard off, the
 * worker's JavaScript asks the Deno layer for what it does not hold, floods
 * violations, and lies about its figures: the result and the audit trail say
 * what Deno refused (from its permission audit, naming the resource), keep
 * at most the violation cap plus a count, and take no figure from the
 * worker that the host can disprove.
 */
import { deepEqual, equal, ok } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";
import { unguardedForTests } from "../src/host/internal.ts";
import type { AuditEvent } from "../src/audit/trail.ts";
import { CAPS } from "../src/protocol/caps.ts";
import { RunRecorder } from "../src/host/recorder.ts";
import { exitCodeOf } from "../src/cli/exit_code.ts";
import { crashDone } from "../src/protocol/crash.ts";
import { startServers } from "./helpers/servers.ts";

const MIB = 1024 * 1024;

/** Python that runs `body` (an async function body) in the worker's JavaScript and prints its result. */
function viaJs(body: string): string {
  return `import js\nfrom pyodide.ffi import run_sync\n` +
    `print(run_sync(js.eval(${JSON.stringify(`(async () => {${body}})()`)})))`;
}

/**
 * A script that captures the worker's private port as it prints, then runs
 * `js` with `post` and `port` in scope instead of printing.
 */
function capturePort(js: string): string {
  return `import js\njs.eval(${
    JSON.stringify(`
    const post = MessagePort.prototype.postMessage;
    MessagePort.prototype.postMessage = function (message, ...rest) {
      MessagePort.prototype.postMessage = post;
      const port = this;
      ${js}
    };`)
  })\nprint("trigger")`;
}

/** A sandbox (guard off) whose audit events are collected in `events`. */
function auditedSandbox(policy?: { version: 1; on_violation?: "raise" }): {
  sandbox: Sandbox;
  events: AuditEvent[];
} {
  const events: AuditEvent[] = [];
  const sandbox = new Sandbox(
    unguardedForTests({ policy, poolSize: 1, audit: (e: AuditEvent) => void events.push(e) }),
  );
  return { sandbox, events };
}

Deno.test({
  name: "record: what Deno refused the worker is a breach naming each resource, in the trail too",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const servers = startServers();
    const origin = `http://127.0.0.1:${servers.a.port}`;
    const { sandbox, events } = auditedSandbox();
    try {
      const ordinary = await sandbox.run(
        viaJs(`return await (await fetch("${origin}/own")).text();`),
        { origin },
      );
      // Its own origin is granted, and the process's own checks (each new
      // worker's modules, Pyodide's eager read of its wasm file) do not count.
      equal(ordinary.ok, true, JSON.stringify(ordinary));
      deepEqual(ordinary.violations, []);

      const r = await sandbox.run(
        viaJs(`
        const tries = [
          () => Deno.readTextFileSync("/etc/passwd"),
          () => Deno.env.get("PYFENCE_CHANNEL_TOKEN"),
          () => Deno.dlopen("libc.so.6", {}),
          () => Deno.connect({ hostname: "127.0.0.1", port: 22 }),
          () => fetch("http://127.0.0.1:${servers.b.port}/"),
          () => Deno.writeTextFileSync("/tmp/pyfence-breach-record", "x"),
          () => Deno.hostname(),
        ];
        const out = [];
        for (const attempt of tries) {
          try {
            await attempt();
            out.push("allowed");
          } catch (e) {
            out.push(e.name);
          }
        }
        return out.join(" ");`),
        { origin },
      );
      // The worker says it carried on as if nothing happened: the host knows better.
      equal(r.stdout, "NotCapable ".repeat(6) + "NotCapable\n");
      equal(r.ok, false);
      equal(r.error?.type, "SandboxBreach");
      equal(r.error?.kind, "violation");
      equal(exitCodeOf(r), 3);
      const refused = r.violations.map((v) => `${v.kind}: ${v.detail}`).sort();
      deepEqual(
        refused,
        [
          'breach: Deno refused the worker env access to "PYFENCE_CHANNEL_TOKEN"',
          'breach: Deno refused the worker ffi access to "libc.so.6"',
          `breach: Deno refused the worker net access to "127.0.0.1:${servers.b.port}"`,
          'breach: Deno refused the worker net access to "127.0.0.1:22"',
          `breach: Deno refused the worker net access to "http://127.0.0.1:${servers.b.port}/"`,
          'breach: Deno refused the worker read access to "/etc/passwd"',
          'breach: Deno refused the worker sys access to "hostname"',
          'breach: Deno refused the worker write access to "/tmp/pyfence-breach-record"',
        ].sort(),
      );
      equal(servers.b.hits, 0);
      // The same, line for line, in the audit trail.
      const runId = events.findLast((e) => e.type === "run.end")!.runId;
      const trail = events.filter((e) => e.runId === runId && e.type === "violation")
        .map((e) => e.type === "violation" && `${e.violation.kind}: ${e.violation.detail}`)
        .sort();
      deepEqual(trail, refused);
    } finally {
      await sandbox.close();
      await servers.close();
    }
  },
});

Deno.test({
  name: "record: past the violation cap only a count is kept, in the result and in the trail",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { sandbox, events } = auditedSandbox({ version: 1, on_violation: "raise" });
    try {
      // 5000 well-formed violations straight onto the private port.
      const r = await sandbox.run(capturePort(`
        for (let i = 0; i < 5000; i++) {
          post.call(port, { t: "violation", kind: "import", detail: "import os #" + i });
        }`));
      equal(r.violations.length, CAPS.violations);
      equal(r.violations.at(-1)!.detail, `import os #${CAPS.violations - 1}`);
      equal(r.violationsOmitted, 5000 - CAPS.violations);
      const runId = events.findLast((e) => e.type === "run.end")!.runId;
      const mine = events.filter((e) => e.runId === runId);
      equal(mine.filter((e) => e.type === "violation").length, CAPS.violations);
      const end = mine.find((e) => e.type === "run.end");
      equal(end?.type === "run.end" && end.violationsOmitted, 5000 - CAPS.violations);
    } finally {
      await sandbox.close();
    }
  },
});

Deno.test("record: the host applies the cap too, and never crowds out a breach sign", () => {
  const seen: string[] = [];
  const recorder = new RunRecorder({
    outputBytes: 1024,
    terminateOnViolation: false,
    onViolation: (v) => seen.push(v.kind),
  });
  recorder.accept({ t: "started" });
  for (let i = 0; i < CAPS.violations + 250; i++) {
    recorder.accept({ t: "violation", kind: "import", detail: `import os #${i}` });
  }
  const r = recorder.finish({
    done: { t: "done", ok: true, wasmBytes: 0 },
    by: "worker",
    deadlinePassed: false,
    violationsOmitted: 40,
    breaches: ["the worker sent a malformed message"],
    memoryGrowthBytes: 0,
  });
  equal(r.violations.length, CAPS.violations + 1);
  deepEqual(r.violations.at(-1), {
    kind: "breach",
    detail: "the worker sent a malformed message",
    at: r.violations.at(-1)!.at,
  });
  // The supervisor's count and the host's add up.
  equal(r.violationsOmitted, 250 + 40);
  equal(seen.length, CAPS.violations + 1);
  equal(r.error?.kind, "violation");
});

Deno.test({
  name: "record: figures the worker reports and the host disproves are breach signs",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { sandbox } = auditedSandbox();
    try {
      const memory = await sandbox.run(
        capturePort(`post.call(port, { t: "done", ok: true, wasmBytes: 2 ** 32 });`),
      );
      equal(memory.error?.type, "SandboxBreach", JSON.stringify(memory));
      deepEqual(memory.violations.map((v) => v.detail), [
        "the worker reported 4096 MiB of interpreter memory, over its cap of 256 MiB",
      ]);
      // The result's figure is the host's own, not the worker's 4 GiB.
      ok(memory.peakMemoryBytes < 256 * MIB, `${memory.peakMemoryBytes}`);

      const time = await sandbox.run(capturePort(`post.call(port, {
        t: "done", ok: false, cause: "time", wasmBytes: 0,
        error: { type: "TimeoutError", message: "time limit exceeded" },
      });`));
      equal(time.error?.type, "SandboxBreach", JSON.stringify(time));
      deepEqual(time.violations.map((v) => v.detail), [
        "the worker reported a time limit before its deadline",
      ]);

      const honest = await sandbox.run("print('next')");
      equal(honest.stdout, "next\n");
      deepEqual(honest.violations, []);
    } finally {
      await sandbox.close();
    }
  },
});

Deno.test("record: an error is the script's unless the layer that ended the run says why", () => {
  const end = (done: ReturnType<typeof crashDone>, by: "worker" | "host") => {
    const recorder = new RunRecorder({ outputBytes: 1024, terminateOnViolation: true });
    return recorder.finish({
      done,
      by,
      deadlinePassed: false,
      violationsOmitted: 0,
      breaches: [],
      memoryGrowthBytes: 0,
    });
  };
  const named = { t: "done" as const, ok: false, wasmBytes: 0 };
  for (const type of ["TimeoutError", "MemoryError", "OutputLimitError", "WorkerCrash"]) {
    const r = end({ ...named, error: { type, message: "x" } }, "worker");
    deepEqual([r.error?.type, r.error?.kind, exitCodeOf(r)], [type, "script", 1]);
  }
  const limit = end(crashDone("CodeSizeError", "too large", "size"), "host");
  deepEqual([limit.error?.kind, exitCodeOf(limit)], ["limit", 4]);
  const crash = end(crashDone("WorkerCrash", "gone", "crash"), "host");
  deepEqual([crash.error?.kind, exitCodeOf(crash)], ["crash", 1]);
});
