/**
 * The Deno KV audit store, in processes of their own: with `--unstable-kv`
 * events are stored and queried back by time range, origin and caller, and
 * `pyfence report --kv` reads them; without it, the sink, the store, the
 * server option and the report flag each fail with a UsageError naming the
 * option and saying what to do.
 */
import { deepEqual, equal, match } from "assert";

const CHILD = new URL("./helpers/kv_child.ts", import.meta.url).pathname;
const CLI = new URL("../src/cli/main.ts", import.meta.url).pathname;
const dec = new TextDecoder();

async function deno(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), { args, stdin: "null" }).output();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function child(flags: string[], mode: string, path: string) {
  const r = await deno(["run", "-A", ...flags, CHILD, mode, path]);
  const line = r.stdout.trim().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`child said: ${r.stdout}\n${r.stderr}`);
  }
}

Deno.test("audit kv: stored and queried by time, origin and caller; report --kv reads it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pyfence-kv-" });
  try {
    const path = `${dir}/audit.kv`;
    const r = await child(["--unstable-kv"], "write", path);
    equal(r.ok, true, r.message);
    const range = (from: number, to: number, keep: (i: number) => boolean = () => true) =>
      Array.from({ length: to - from }, (_, k) => from + k).filter(keep).map((i) => `r${i}`);
    deepEqual(r.all, range(0, 180), "every event, in time order");
    deepEqual(r.hour, range(60, 120));
    deepEqual(r.aInHour, range(60, 120, (i) => i % 2 === 1));
    deepEqual(r.bobA, range(0, 180, (i) => i % 2 === 1 && i % 3 === 0));

    const report = await deno([
      "run",
      "-A",
      "--unstable-kv",
      CLI,
      "report",
      "--json",
      "--kv",
      path,
      "--origin",
      "https://a.example",
      "--since",
      "2026-05-01T11:00:00Z",
      "--until",
      "2026-05-01T12:00:00Z",
    ]);
    equal(report.code, 0, report.stderr);
    const summary = JSON.parse(report.stdout);
    deepEqual(summary.violationsByOrigin, [{ key: "https://a.example", count: 30 }]);
    deepEqual(summary.blockedModules, [{ key: "os", count: 30 }]);
    deepEqual(summary.violationsByCaller, [{ key: "alice", count: 20 }, { key: "bob", count: 10 }]);
    equal(summary.filters.origin, "https://a.example");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("audit kv: without --unstable-kv, a UsageError names the option and the flag", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pyfence-kv-" });
  try {
    const path = `${dir}/audit.kv`;
    const open = await child([], "open", path);
    deepEqual([open.ok, open.name], [false, "UsageError"]);
    match(
      open.message,
      /^kv: Deno KV is not available in this process: start it with --unstable-kv/,
    );
    const handler = await child([], "handler", path);
    deepEqual([handler.ok, handler.name], [false, "UsageError"]);
    match(handler.message, /^createHandler\(\) options\.audit\.kv: Deno KV is not available/);
    const report = await deno(["run", "-A", CLI, "report", "--kv", path]);
    equal(report.code, 2);
    match(report.stderr, /--kv: (cannot read|Deno KV is not available)/);
    await Deno.writeTextFile(path, "");
    const again = await deno(["run", "-A", CLI, "report", "--kv", path]);
    equal(again.code, 2);
    match(
      again.stderr,
      /--kv: Deno KV is not available in this process: start it with --unstable-kv/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
