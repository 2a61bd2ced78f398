/**
 * Resident memory of one idle pooled sandbox process, and of its parts:
 * after a warm-up run, once the next interpreter has booted and settled.
 * Prints VmRSS with the process's JS heap figures unavailable from outside,
 * so the split is by /proc/PID/smaps_rollup (anonymous vs file-backed).
 *
 * Usage: deno run -A bench/idle_rss.ts [--runs N]   (Linux: reads /proc)
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Sandbox } from "../mod.ts";
import { descendants, mib, rssOf } from "./rss.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { runs: { type: "string", default: "3" } },
});
const sandbox = new Sandbox({ poolSize: 1, maxProcesses: 1 });
try {
  await sandbox.warm();
  for (let i = 0; i < Number(values.runs); i++) await sandbox.run("print(1)");
  await new Promise((r) => setTimeout(r, 3000));
  for (const pid of descendants()) {
    const rollup = Deno.readTextFileSync(`/proc/${pid}/smaps_rollup`);
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(rollup)?.[1]);
    console.log(
      `pid ${pid}: RSS ${mib(rssOf(pid))} MiB (anonymous ${(kb("Anonymous") / 1024).toFixed(1)}, ` +
        `file ${((kb("Rss") - kb("Anonymous")) / 1024).toFixed(1)})`,
    );
  }
} finally {
  await sandbox.close();
}
