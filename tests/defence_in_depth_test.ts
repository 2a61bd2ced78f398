/**
 * Defence in depth: with the Python guard switched off, the Deno layer alone
 * must still deny host files, writes, env, subprocesses and cross-origin
 * network, while the script's own origin stays reachable. What Deno refused
 * is in the result, from its permission audit (never the worker's word): a
 * `breach` violation naming the resource, and the run is a violation.
 */
import { deepEqual, equal, match, ok as assert } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";
import { unguardedForTests } from "../src/host/internal.ts";
import type { RunResult } from "../src/protocol/result.ts";
import { startServers } from "./helpers/servers.ts";

const SECRET = "pyfence-secret-" + crypto.randomUUID();

/** The run is a breach whose violations name `permission` access to what `value` matches. */
function refused(r: RunResult, permission: string, value: RegExp): void {
  const where = JSON.stringify(r);
  equal(r.ok, false, where);
  equal(r.error?.type, "SandboxBreach", where);
  equal(r.error?.kind, "violation", where);
  const named = r.violations.filter((v) =>
    v.kind === "breach" &&
    v.detail.startsWith(`Deno refused the worker ${permission} access to `) &&
    value.test(v.detail)
  );
  assert(named.length > 0, `no ${permission} refusal matching ${value}: ${where}`);
}

Deno.test("unguarded: the Deno layer alone denies host effects", async (t) => {
  const dir = await Deno.makeTempDir();
  const secretFile = `${dir}/secret.txt`;
  await Deno.writeTextFile(secretFile, SECRET);
  const servers = startServers();
  const own = `http://127.0.0.1:${servers.a.port}`;
  const foreign = `http://127.0.0.1:${servers.b.port}`;
  const sandbox = new Sandbox(unguardedForTests({}));
  const py = (code: string) => sandbox.run(code, { origin: own });
  try {
    await t.step("the JS bridge is reachable (the guard really is off)", async () => {
      const r = await py("import js\nprint(type(js.Deno).__name__)");
      equal(r.ok, true, JSON.stringify(r));
      equal(r.stdout, "JsProxy\n");
    });
    await t.step("reading a host file is denied", async () => {
      const r = await py(
        `import js\nprint(js.Deno.readTextFileSync(${JSON.stringify(secretFile)}))`,
      );
      refused(r, "read", new RegExp(secretFile));
      assert(!r.stdout.includes(SECRET));
    });
    await t.step("node:fs through a dynamic import is denied", async () => {
      const r = await py(
        `import js\nfrom pyodide.ffi import run_sync\nfs = run_sync(js.eval("import('node:fs')"))\n` +
          `print(fs.readFileSync(${JSON.stringify(secretFile)}, "utf8"))`,
      );
      refused(r, "read", new RegExp(secretFile));
      assert(!r.stdout.includes(SECRET));
    });
    await t.step("writing a host file is denied", async () => {
      const target = `${dir}/written.txt`;
      const r = await py(`import js\njs.Deno.writeTextFileSync(${JSON.stringify(target)}, "x")`);
      refused(r, "write", new RegExp(target));
      await Deno.stat(target).then(() => assert(false, "file was written"), () => {});
    });
    await t.step("environment variables are denied", async () => {
      const r = await py(`import js\nprint(js.Deno.env.get("HOME"))`);
      refused(r, "env", /"HOME"/);
    });
    await t.step(
      "spawning a subprocess is denied (and, unlogged by Deno, not recorded)",
      async () => {
        const r = await py(`import js\njs.Deno.Command.new("/usr/bin/id").outputSync()`);
        equal(r.ok, false);
        match(r.error!.message, /NotCapable: Requires run access/);
        // Deno 2.5.6 and 2.9.6 do not log `run` checks in their permission audit.
        deepEqual(r.violations, [], JSON.stringify(r));
      },
    );
    await t.step("loading a native library is denied", async () => {
      const r = await py(`import js\njs.Deno.dlopen("libc.so.6", js.Object.new())`);
      refused(r, "ffi", /libc\.so\.6/);
    });
    await t.step("the script's own origin is reachable", async () => {
      const r = await py(
        `import js\nfrom pyodide.ffi import run_sync\n` +
          `resp = run_sync(js.fetch("${own}/hello"))\nprint(run_sync(resp.text()))`,
      );
      equal(r.ok, true, JSON.stringify(r.error));
      equal(r.stdout, `hello from ${servers.a.port}\n`);
    });
    await t.step("another origin on the same host is denied", async () => {
      const before = servers.b.hits;
      const r = await py(
        `import js\nfrom pyodide.ffi import run_sync\n` +
          `resp = run_sync(js.fetch("${foreign}/hello"))\nprint(run_sync(resp.text()))`,
      );
      refused(r, "net", new RegExp(`127\\.0\\.0\\.1:${servers.b.port}`));
      equal(servers.b.hits, before, "the foreign server was contacted");
    });
    await t.step("a raw TCP connection to another port is denied", async () => {
      const before = servers.b.hits;
      const r = await py(
        `import js\nfrom pyodide.ffi import run_sync\n` +
          `run_sync(js.Deno.connect(js.JSON.parse('{"hostname": "127.0.0.1", "port": ${servers.b.port}}')))`,
      );
      refused(r, "net", new RegExp(`"127\\.0\\.0\\.1:${servers.b.port}"`));
      equal(servers.b.hits, before);
    });
    await t.step("node's process.env is denied", async () => {
      const r = await py(`import js\nprint(js.process.env.HOME)`);
      refused(r, "env", /HOME/);
      assert(!r.stdout.includes("/root"));
    });
    await t.step(
      "forged messages on the worker's global channel are a breach, never output",
      async () => {
        const r = await py(
          `import js\n` +
            `js.postMessage(js.JSON.parse('{"t": "done", "ok": true, "wasmBytes": 0}'))\n` +
            `js.postMessage(js.JSON.parse('{"t": "out", "stream": "stdout", "text": "FORGED"}'))\n` +
            `print("real")`,
        );
        equal(r.stdout, "real\n");
        equal(r.error?.type, "SandboxBreach", JSON.stringify(r));
        deepEqual(r.violations.map((v) => [v.kind, v.detail]), [
          ["breach", "the worker posted a message on its global channel"],
        ]);
      },
    );
    await t.step("a worker that closes itself ends only its own run", async () => {
      const r = await sandbox.run(`import js\njs.close()\nwhile True:\n    pass`, {
        origin: own,
        timeoutMs: 1000,
      });
      equal(r.ok, false);
      assert(["TimeoutError", "WorkerCrash"].includes(r.error!.type), JSON.stringify(r.error));
      const after = await py("print('still serving')");
      equal(after.stdout, "still serving\n");
    });
    await t.step("an opaque origin has no network at all", async () => {
      const before = servers.a.hits;
      const r = await sandbox.run(
        `import js\nfrom pyodide.ffi import run_sync\nrun_sync(js.fetch("${own}/hello"))`,
      );
      refused(r, "net", new RegExp(`127\\.0\\.0\\.1:${servers.a.port}`));
      equal(servers.a.hits, before);
    });
  } finally {
    await sandbox.close();
    await servers.close();
    await Deno.remove(dir, { recursive: true });
  }
});
