/**
 * An idle sandbox process neither keeps the host alive nor outlives it: a
 * program that runs a script and returns exits at once, and its sandbox
 * process ends with it (it reads the end of its channel).
 */
import { equal, ok } from "assert";

const PROGRAM = `
import { Sandbox } from ${JSON.stringify(new URL("../mod.ts", import.meta.url).href)};
const sandbox = new Sandbox();
const r = await sandbox.run("print(6 * 7)");
console.log(JSON.stringify({ stdout: r.stdout, pids: sandbox.stats().processes.map((p) => p.pid) }));
`;

async function gone(pid: number, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end;) {
    try {
      await Deno.lstat(`/proc/${pid}`);
    } catch {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

Deno.test("host exit: an idle sandbox keeps nothing alive", async () => {
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(file, PROGRAM);
    const started = Date.now();
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `--config=${new URL("../deno.json", import.meta.url).pathname}`, file],
      stdout: "piped",
      stderr: "inherit",
      signal: AbortSignal.timeout(60_000),
    }).output();
    equal(out.code, 0);
    const { stdout, pids } = JSON.parse(new TextDecoder().decode(out.stdout));
    equal(stdout, "42\n");
    // Boot and the run take seconds; a sandbox that kept the host alive would hold it until the abort.
    ok(Date.now() - started < 30_000, `the program took ${Date.now() - started} ms`);
    if (Deno.build.os === "linux") {
      for (const pid of pids) ok(await gone(pid, 5000), `sandbox process ${pid} outlived the host`);
    }
  } finally {
    await Deno.remove(file);
  }
});
