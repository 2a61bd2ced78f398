/**
 * The warm pool: a fresh interpreter per run (no state passes between runs),
 * a replacement process after a kill, and nothing left behind by close().
 */
import { equal, ok } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";

function alive(pid: number): boolean {
  try {
    return !Deno.readTextFileSync(`/proc/${pid}/stat`).includes(") Z ");
  } catch {
    return false;
  }
}

Deno.test({
  name: "pool: fresh interpreters, replacement after a kill, clean close",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const sandbox = new Sandbox({ policy: "default", poolSize: 2 });
    await sandbox.warm();
    const seen = new Set<number>();
    try {
      await t.step("warm() starts poolSize processes", () => {
        const processes = sandbox.stats().processes;
        equal(processes.length, 2);
        processes.forEach((p) => seen.add(p.pid));
      });
      await t.step("no state passes from one run to the next", async () => {
        const first = await sandbox.run("secret = 42\nprint('set')");
        equal(first.stdout, "set\n");
        for (let i = 0; i < 3; i++) {
          const r = await sandbox.run("print('secret' in globals())");
          equal(r.stdout, "False\n", JSON.stringify(r));
        }
      });
      await t.step("a killed process is replaced", async () => {
        const before = new Set(sandbox.stats().processes.map((p) => p.pid));
        const r = await sandbox.run("print(sum(range(10**12)))", { timeoutMs: 500 });
        equal(r.error?.type, "TimeoutError");
        const survivors = sandbox.stats().processes.map((p) => p.pid);
        equal(survivors.length, 1, "the process that ran the C loop is gone");
        // Two runs at once need two processes again: one of them is new.
        const both = await Promise.all([
          sandbox.run("print('a')"),
          sandbox.run("print('b')"),
        ]);
        equal(both.map((x) => x.stdout).join(""), "a\nb\n");
        const now = sandbox.stats().processes.map((p) => p.pid);
        equal(now.length, 2);
        ok(now.some((pid) => !before.has(pid)), "no replacement process was started");
        now.forEach((pid) => seen.add(pid));
      });
      await t.step("stats count runs and limit hits", () => {
        const stats = sandbox.stats();
        equal(stats.runs, 7);
        equal(stats.limitHits, 1);
        equal(stats.active, 0);
      });
    } finally {
      await sandbox.close();
    }
    await t.step("close() leaves no sandbox process behind", async () => {
      const deadline = Date.now() + 5000;
      while ([...seen].some(alive) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      equal([...seen].filter(alive).length, 0);
      equal(sandbox.stats().processes.length, 0);
    });
  },
});
