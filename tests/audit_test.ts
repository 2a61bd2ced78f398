/**
 * The JSONL audit trail: one writer per file however many runs, sinks and
 * sandboxes write to it at once, and a file that cannot be written fails
 * before anything runs.
 */
import { equal, ok, rejects, throws } from "assert";
import { relative } from "node:path";
import { jsonlAuditSink, PolicyError, Sandbox, UsageError } from "../mod.ts";

Deno.test({
  name: "audit: concurrent runs in and across sandboxes share one writer; every line parses",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "pyfence-audit-" });
    const path = `${dir}/trail.jsonl`;
    // Three spellings of one file: absolute, relative to the cwd, and via "..".
    const sandboxes = [
      new Sandbox({ poolSize: 2, audit: jsonlAuditSink(path) }),
      new Sandbox({ poolSize: 2, audit: jsonlAuditSink(relative(Deno.cwd(), path)) }),
      new Sandbox({
        poolSize: 1,
        policy: { version: 1, audit: { jsonl: `${dir}/../${dir.split("/").pop()}/trail.jsonl` } },
      }),
    ];
    const perSandbox = 4;
    // Long violation details make interleaved writes show as broken lines.
    const code = `import ${"x".repeat(1500)}`;
    try {
      const results = await Promise.all(
        sandboxes.flatMap((s) => Array.from({ length: perSandbox }, () => s.run(code))),
      );
      ok(results.every((r) => r.violations.length === 1), JSON.stringify(results[0]));
      const lines = (await Deno.readTextFile(path)).split("\n").filter(Boolean);
      const events = lines.map((line, i) => {
        try {
          return JSON.parse(line);
        } catch {
          throw new Error(`line ${i + 1} is not JSON: ${line.slice(0, 200)}`);
        }
      });
      const runs = sandboxes.length * perSandbox;
      equal(events.length, runs * 3); // run.start, violation, run.end
      equal(events.filter((e) => e.type === "run.start").length, runs);
      equal(new Set(events.map((e) => e.runId)).size, runs);
      ok(
        events.filter((e) => e.type === "violation").every((e) => e.violation.detail.length > 1500),
      );
    } finally {
      await Promise.all(sandboxes.map((s) => s.close()));
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("audit: a file that cannot be written fails at once, naming it", async () => {
  throws(
    () => jsonlAuditSink("/nonexistent/dir/a.jsonl"),
    (e) =>
      e instanceof UsageError && e.argument === "path" &&
      /cannot append to '\/nonexistent\/dir\/a.jsonl'/.test(e.message),
  );
  const dir = await Deno.makeTempDir();
  try {
    throws(() => jsonlAuditSink(dir), UsageError, "a directory is not an audit file");
  } finally {
    await Deno.remove(dir);
  }
  const sandbox = new Sandbox({
    poolSize: 0,
    policy: { version: 1, audit: { jsonl: "/nonexistent/dir/a.jsonl" } },
  });
  try {
    await rejects(
      sandbox.run("print(1)"),
      (e) => e instanceof PolicyError && e.keyPath === "audit.jsonl",
    );
  } finally {
    await sandbox.close();
  }
});
