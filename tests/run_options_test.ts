/**
 * The run contract's ergonomics: `signal` (abort before and during a run),
 * `await using` on a Sandbox, `onOutput` line by line as the script prints,
 * and `run()` with policy objects pooled by their content.
 */
import { equal, match, ok, rejects } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";
import { run, shutdown } from "../src/host/run.ts";
import { SandboxError, UsageError } from "../src/errors.ts";

Deno.test({
  name: "signal, await using, onOutput",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const sandbox = new Sandbox({ policy: "default" });
    try {
      await t.step("aborted before it starts, a run never starts", async () => {
        let called = 0;
        const r = await sandbox.run("from pyfence.host import mark\nmark()\nprint('ran')", {
          signal: AbortSignal.abort(new Error("user went away")),
          expose: { mark: () => void called++ },
        });
        equal(r.ok, false);
        equal(r.error?.type, "Aborted");
        equal(r.error?.message, "the run was aborted: user went away");
        equal(r.stdout, "");
        equal(called, 0);
      });

      await t.step("aborted mid-run, a run ends at once with what it printed", async () => {
        const controller = new AbortController();
        const lines: string[] = [];
        let abortedAt = 0;
        const r = await sandbox.run("print('started')\nwhile True:\n    pass", {
          signal: controller.signal,
          onOutput: (_stream, text) => {
            lines.push(text);
            abortedAt = performance.now();
            controller.abort();
          },
        });
        const stoppedIn = performance.now() - abortedAt;
        equal(r.error?.type, "Aborted", JSON.stringify(r));
        equal(r.error?.message, "the run was aborted: The signal has been aborted");
        equal(r.stdout, "started\n");
        equal(lines.join(""), "started\n");
        ok(stoppedIn < 2000, `the run went on for ${stoppedIn} ms after the abort`);
        equal((await sandbox.run("print('next')")).stdout, "next\n");
      });

      await t.step("aborted while the script waits for the host", async () => {
        const controller = new AbortController();
        const r = await sandbox.run("from pyfence.host import wait\nwait()", {
          signal: controller.signal,
          expose: {
            wait: () => (setTimeout(() => controller.abort("stop"), 50), new Promise(() => {})),
          },
        });
        equal(r.error?.type, "Aborted");
        equal(r.error?.message, "the run was aborted: stop");
      });

      await t.step("a signal must be an AbortSignal", async () => {
        await rejects(
          sandbox.run("print(1)", { signal: {} as AbortSignal }),
          (e) => e instanceof UsageError && e.argument === "signal",
        );
      });

      await t.step("onOutput gets each line as the script prints it", async () => {
        const got: [number, string, string][] = [];
        const t0 = performance.now();
        const r = await sandbox.run(
          "print('one')\nprint('two', 'three', sep='\\n')\nprint('partial', end='')\n" +
            "n = 0\nfor i in range(3 * 10**6):\n    n += i\n" +
            "print(' rest')\nprint('last')\n",
          {
            onOutput: (stream, text) => got.push([performance.now() - t0, stream, text]),
          },
        );
        equal(r.ok, true, JSON.stringify(r));
        equal(r.stdout, "one\ntwo\nthree\npartial rest\nlast\n");
        const pieces = got.map(([, stream, text]) => `${stream}:${text}`);
        equal(
          pieces.slice(0, 4).join("|"),
          "stdout:one\n|stdout:two\n|stdout:three\n|stdout:partial",
        );
        equal(pieces.slice(4).join("|"), "stdout: rest\n|stdout:last\n");
        // The partial line came while the loop ran, long before the rest of it.
        const partialAt = got[3][0], restAt = got[4][0];
        ok(restAt - partialAt > 100, `partial at ${partialAt} ms, rest at ${restAt} ms`);
      });

      await t.step("onOutput must be a function", async () => {
        await rejects(
          sandbox.run("print(1)", { onOutput: "x" as unknown as () => void }),
          (e) => e instanceof UsageError && e.argument === "onOutput",
        );
      });
    } finally {
      await sandbox.close();
    }

    await t.step("await using closes the sandbox at the end of the block", async () => {
      let escaped: Sandbox;
      {
        await using box = new Sandbox();
        escaped = box;
        equal((await box.run("print(6 * 7)")).stdout, "42\n");
      }
      await rejects(
        escaped.run("print(1)"),
        (e) => e instanceof SandboxError && e.reason === "closed",
      );
      equal(escaped.stats().processes.length, 0);
    });
  },
});

Deno.test({
  name: "run() keeps policy objects apart by content",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    try {
      const loose = () => ({
        version: 1 as const,
        extends: "default",
        limits: { timeout_ms: 3000 },
      });
      const tight = () => ({
        version: 1 as const,
        extends: "default",
        limits: { timeout_ms: 300 },
      });
      const loop = "n = 0\nfor i in range(10**9):\n    n += 1";
      for (let i = 0; i < 2; i++) {
        equal((await run(loop, { policy: tight() })).error?.type, "TimeoutError");
        const r = await run("print('fine')", { policy: loose() });
        equal(r.stdout, "fine\n");
      }
      await rejects(
        run("print(1)", { policy: { version: 1, limits: { timeout_ms: -1 } } }),
        (e) =>
          e instanceof Error && e.name === "PolicyError" && /limits\.timeout_ms/.test(e.message),
      );
      match((await run("print(2)", { policy: tight() })).stdout, /^2\n$/);
    } finally {
      await shutdown();
    }
  },
});
