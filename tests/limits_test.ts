/**
 * Resource limits: time (including C-level loops that ignore interrupts and
 * loops that swallow BaseException), memory, recursion, output and code size.
 * Each ends in its limit error while the host stays healthy.
 */
import { equal, match, ok } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";
import { cpuSeconds } from "./helpers/procfs.ts";

const TIMEOUT = 1500;

async function waitUntil(condition: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

Deno.test({
  name: "limits",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const sandbox = new Sandbox({ policy: "default" });
    await sandbox.warm();
    const py = (code: string, timeoutMs = TIMEOUT) => sandbox.run(code, { timeoutMs });
    try {
      for (
        const [name, code] of [
          ["while True: pass", "while True:\n    pass"],
          ["sum(range(10**12)) (a C loop that ignores interrupts)", "print(sum(range(10**12)))"],
          [
            "a loop that swallows BaseException",
            "while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass\n    finally:\n        pass",
          ],
        ]
      ) {
        await t.step(`timeout: ${name}`, async () => {
          // Every process this sandbox has had, so a killed one is watched too.
          const pids = sandbox.stats().processes.map((p) => p.pid);
          const r = await py(code);
          pids.push(...sandbox.stats().processes.map((p) => p.pid));
          equal(r.ok, false);
          equal(r.error?.type, "TimeoutError", JSON.stringify(r.error));
          ok(r.durationMs < TIMEOUT + 1000, `the script ran for ${r.durationMs} ms`);
          const after = await py("print('alive')");
          equal(after.stdout, "alive\n");
          // The runaway must really be gone. Let the pool finish booting its
          // next interpreter, then no descendant may keep burning CPU.
          await waitUntil(() => sandbox.stats().processes.every((p) => p.warm));
          // A runaway burns a whole core (1 s per second); an idle pool's
          // background work (V8 tiering the new worker's wasm up) took up to
          // 0.21 s here on a loaded machine.
          const cpu = await cpuSeconds(pids, 1000);
          ok(cpu < 0.5, `sandbox processes still used ${cpu} s of CPU in 1 s`);
        });
      }
      for (
        const [name, code] of [
          ["a list grown in a loop", "l = []\nwhile True:\n    l.append('x' * 10**6)"],
          ["bytearray(2**30)", "b = bytearray(2**30)"],
          ["'a' * 2**30", "s = 'a' * 2**30"],
        ]
      ) {
        await t.step(`memory: ${name}`, async () => {
          const r = await sandbox.run(code, { memoryMb: 128 });
          equal(r.ok, false);
          equal(r.error?.type, "MemoryError", JSON.stringify(r.error));
          ok(r.peakMemoryBytes <= 128 * 1024 * 1024, `peak ${r.peakMemoryBytes}`);
          ok(Deno.memoryUsage().rss < 1024 ** 3, "host RSS over 1 GiB");
        });
      }
      await t.step(
        "memory: 'a' * 10**10 (refused by 32-bit CPython) is a MemoryError",
        async () => {
          const r = await py("s = 'a' * 10**10");
          equal(r.error?.type, "MemoryError");
          match(r.error!.message, /index-sized integer/);
          const math = await py("import math\nmath.exp(1000)");
          equal(math.error?.type, "OverflowError", "an arithmetic overflow stays what it is");
        },
      );
      await t.step("recursion: RecursionError, no crash", async () => {
        const r = await py("def f(n):\n    return f(n + 1)\nf(0)");
        equal(r.error?.type, "RecursionError");
        equal((await py("print(2)")).stdout, "2\n");
      });
      await t.step("output: OutputLimitError and truncated output", async () => {
        const r = await py("while True:\n    print('A' * 10000)");
        equal(r.ok, false);
        equal(r.error?.type, "OutputLimitError");
        equal(r.truncated, true);
        const policy = await sandbox.policy();
        ok(new TextEncoder().encode(r.stdout).length <= policy.limits.output_bytes);
        ok(r.stdout.startsWith("A".repeat(10000) + "\n"));
      });
      await t.step("code size: a script over code_bytes is refused before it runs", async () => {
        const policy = await sandbox.policy();
        const r = await py("x = 1\n".repeat(policy.limits.code_bytes / 6 + 1));
        equal(r.ok, false);
        equal(r.error?.type, "CodeSizeError");
      });
    } finally {
      await sandbox.close();
    }
  },
});
