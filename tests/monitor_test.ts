/**
 * Watching a run as it happens (`onEvent`) and what the trail records of
 * it: samples measured from outside the sandbox process, warnings near a
 * limit, CPU time in the result and in `run.end`, the caller and the limit
 * that ended a run; a throwing callback does not disturb the run.
 */
import { deepEqual, equal, ok } from "assert";
import { type AuditEvent, type RunEvent, Sandbox } from "../mod.ts";

const LINUX = Deno.build.os === "linux";

Deno.test({
  name: "onEvent: started, output, samples, warnings, done; cpu time and caller in the trail",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const trail: AuditEvent[] = [];
    const sandbox = new Sandbox({
      poolSize: 1,
      policy: { version: 1, limits: { output_bytes: 10_000 } },
      audit: (e) => void trail.push(e),
    });
    try {
      await t.step(
        "a busy script: samples, a time warning, then done with the result",
        async () => {
          const events: RunEvent[] = [];
          // Long enough for several samples and the 80% time warning, even on a loaded machine.
          const code = "print('a')\nwhile True:\n    pass";
          const result = await sandbox.run(code, {
            timeoutMs: 1500,
            caller: "alice",
            onEvent: (e) => events.push(e),
          });
          equal(result.error?.type, "TimeoutError");
          const types = events.map((e) => e.type);
          equal(types[0], "started");
          equal(types.at(-1), "done");
          equal((events.at(-1) as Extract<RunEvent, { type: "done" }>).result, result);
          deepEqual(
            events.filter((e) => e.type === "output").map((e) => e.type === "output" && e.text),
            ["a\n"],
          );
          const samples = events.filter((e) => e.type === "sample");
          ok(samples.length >= 2, `samples: ${samples.length}`);
          ok(samples.every((s, i) => i === 0 || s.elapsedMs >= samples[i - 1].elapsedMs));
          const warnings = events.filter((e) => e.type === "warning");
          deepEqual(warnings.map((w) => w.resource), ["time"]);
          equal(warnings[0].limit, 1500);
          if (LINUX) {
            ok(samples.some((s) => (s.cpuTimeMs ?? 0) > 0), JSON.stringify(samples));
            ok(result.cpuTimeMs! > 300, `a spinning script used CPU: ${result.cpuTimeMs}`);
          }
          const mine = trail.filter((e) => e.runId === trail.at(-1)!.runId);
          deepEqual(mine.map((e) => e.type), ["run.start", "limit", "run.end"]);
          ok(mine.every((e) => e.caller === "alice"));
          const limit = mine[1] as Extract<AuditEvent, { type: "limit" }>;
          equal(limit.limit, "time");
          const end = mine[2] as Extract<AuditEvent, { type: "run.end" }>;
          equal(end.cpuTimeMs, result.cpuTimeMs);
        },
      );

      await t.step(
        "output near its cap is warned once; a throwing callback changes nothing",
        async () => {
          const events: RunEvent[] = [];
          let calls = 0;
          const result = await sandbox.run("for i in range(90):\n    print('x' * 99)", {
            onEvent: (e) => {
              events.push(e);
              calls++;
              throw new Error("a buggy listener");
            },
          });
          equal(result.ok, true);
          equal(result.stdout.length, 9000);
          const warnings = events.filter((e) => e.type === "warning");
          deepEqual(warnings.map((w) => [w.resource, w.limit]), [["output", 10_000]]);
          ok(warnings[0].used >= 8000);
          equal(events.at(-1)?.type, "done", "every event still came");
          ok(calls > 2);
          equal(trail.at(-1)?.caller, undefined, "no caller unless the run names one");
        },
      );
    } finally {
      await sandbox.close();
    }
  },
});
