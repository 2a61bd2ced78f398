/**
 * Host kinds only from host facts (issue 15, item 6): an exception's name
 * is only a name. A script's own `TimeoutError`, `MemoryError`,
 * `OutputLimitError`, `CodeSizeError`, `ResponseTooLargeError`,
 * `WorkerCrash` or `RecursionError` is the script's error (kind `script`,
 * exit 1, no limit counted); the real limits, which the host, the
 * supervisor or the guard's own accounting establish, are kind `limit`
 * (exit 4).
 */
import { deepEqual, equal } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";
import { exitCodeOf } from "../src/cli/exit_code.ts";
import type { RunResult } from "../src/protocol/result.ts";
import { startServers } from "./helpers/servers.ts";

/** [error type, error kind, CLI exit code] of a result. */
function verdict(r: RunResult): [string | undefined, string | undefined, number] {
  return [r.error?.type, r.error?.kind, exitCodeOf(r)];
}

Deno.test({
  name: "host kinds: a limit only by the trusted side's accounting, never by an exception's name",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const servers = startServers((req) =>
      new URL(req.url).pathname === "/big"
        ? new Response(new Uint8Array(9 * 1024 * 1024))
        : new Response("ok")
    );
    const origin = `http://127.0.0.1:${servers.a.port}`;
    const sandbox = new Sandbox({ policy: "default", poolSize: 1 });
    const run = (code: string, options = {}) =>
      sandbox.run(code, { origin, timeoutMs: 1500, ...options });
    try {
      await t.step(
        "a script's own exceptions with the host's names: kind script, exit 1",
        async () => {
          const forged: [string, string][] = [
            ["TimeoutError", "raise TimeoutError('time limit exceeded')"],
            ["MemoryError", "raise MemoryError('out of memory')"],
            ["RecursionError", "raise RecursionError('maximum recursion depth exceeded')"],
            [
              "CodeSizeError",
              "class CodeSizeError(Exception):\n    pass\nraise CodeSizeError('big')",
            ],
            [
              "OutputLimitError",
              "class OutputLimitError(Exception):\n    pass\nraise OutputLimitError('output exceeded')",
            ],
            [
              "ResponseTooLargeError",
              "class ResponseTooLargeError(Exception):\n    pass\nraise ResponseTooLargeError('big')",
            ],
            [
              "WorkerCrash",
              "class WorkerCrash(Exception):\n    pass\nraise WorkerCrash('crashed')",
            ],
            [
              "ResponseTooLargeError",
              // The real class, raised by the script: still the script's.
              "from pyfence import web\nraise web.ResponseTooLargeError('big')",
            ],
          ];
          const before = sandbox.stats().limitHits;
          for (const [type, code] of forged) {
            const r = await run(code);
            deepEqual(verdict(r), [type, "script", 1], `${code}: ${JSON.stringify(r.error)}`);
            equal(r.truncated, undefined);
          }
          equal(sandbox.stats().limitHits, before, "a forged limit was counted as one");
        },
      );

      await t.step("the real limits: kind limit, exit 4", async () => {
        const policy = await sandbox.policy();
        const real: [string, string, object][] = [
          ["TimeoutError", "while True:\n    pass", {}],
          ["TimeoutError", "print(sum(range(10**12)))", {}],
          ["MemoryError", "b = bytearray(2**30)", { memoryMb: 128, timeoutMs: 5000 }],
          ["MemoryError", "l = []\nwhile True:\n    l.append('x' * 10**6)", {
            memoryMb: 128,
            timeoutMs: 5000,
          }],
          ["RecursionError", "def f(n):\n    return f(n + 1)\nf(0)", {}],
          ["OutputLimitError", "while True:\n    print('A' * 10000)", {}],
          ["CodeSizeError", "x = 1\n".repeat(policy.limits.code_bytes / 6 + 1), {}],
          ["ResponseTooLargeError", "from pyfence import web\nweb.fetch('/big')", {}],
        ];
        const before = sandbox.stats().limitHits;
        for (const [type, code, options] of real) {
          const r = await run(code, options);
          deepEqual(
            verdict(r),
            [type, "limit", 4],
            `${code.slice(0, 60)}: ${JSON.stringify(r.error)}`,
          );
        }
        equal(sandbox.stats().limitHits, before + real.length);
      });

      await t.step("a real limit the script catches and re-raises is still the limit", async () => {
        const r = await run(
          "from pyfence import web\ntry:\n    web.fetch('/big')\nexcept web.ResponseTooLargeError as e:\n" +
            "    raise e",
        );
        deepEqual(verdict(r), ["ResponseTooLargeError", "limit", 4]);
      });

      await t.step("a violation stays a violation, exit 3", async () => {
        const r = await run("open('/etc/passwd')");
        deepEqual(verdict(r), ["SecurityError", "violation", 3]);
      });
    } finally {
      await sandbox.close();
      await servers.close();
    }
  },
});
