/**
 * Defence in depth: with the Python guard switched off, the Deno layer alone
 * must still deny host files, writes, env, subprocesses and cross-origin
 * network, while the script's own origin stays reachable.
 */
import { equal, match, ok as assert } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";
import { unguardedForTests } from "../src/host/internal.ts";
import { startServers } from "./helpers/servers.ts";

const SECRET = "pyfence-secret-" + crypto.randomUUID();

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
      equal(r.ok, false);
      match(r.error!.message, /NotCapable: Requires read access/);
      assert(!r.stdout.includes(SECRET));
    });
    await t.step("node:fs through a dynamic import is denied", async () => {
      const r = await py(
        `import js\nfrom pyodide.ffi import run_sync\nfs = run_sync(js.eval("import('node:fs')"))\n` +
          `print(fs.readFileSync(${JSON.stringify(secretFile)}, "utf8"))`,
      );
      equal(r.ok, false);
      match(r.error!.message, /NotCapable|Requires read access|PermissionDenied/);
      assert(!r.stdout.includes(SECRET));
    });
    await t.step("writing a host file is denied", async () => {
      const target = `${dir}/written.txt`;
      const r = await py(`import js\njs.Deno.writeTextFileSync(${JSON.stringify(target)}, "x")`);
      equal(r.ok, false);
      match(r.error!.message, /NotCapable: Requires write access/);
      await Deno.stat(target).then(() => assert(false, "file was written"), () => {});
    });
    await t.step("environment variables are denied", async () => {
      const r = await py(`import js\nprint(js.Deno.env.get("HOME"))`);
      equal(r.ok, false);
      match(r.error!.message, /NotCapable: Requires env access/);
    });
    await t.step("spawning a subprocess is denied", async () => {
      const r = await py(`import js\njs.Deno.Command.new("/usr/bin/id").outputSync()`);
      equal(r.ok, false);
      match(r.error!.message, /NotCapable: Requires run access/);
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
      equal(r.ok, false);
      match(r.error!.message, /NotCapable: Requires net access to "127\.0\.0\.1:\d+"/);
      equal(servers.b.hits, before, "the foreign server was contacted");
    });
    await t.step("a raw TCP connection to another port is denied", async () => {
      const before = servers.b.hits;
      const r = await py(
        `import js\nfrom pyodide.ffi import run_sync\n` +
          `run_sync(js.Deno.connect(js.JSON.parse('{"hostname": "127.0.0.1", "port": ${servers.b.port}}')))`,
      );
      equal(r.ok, false);
      match(r.error!.message, /NotCapable: Requires net access/);
      equal(servers.b.hits, before);
    });
    await t.step("node's process.env is denied", async () => {
      const r = await py(`import js\nprint(js.process.env.HOME)`);
      equal(r.ok, false);
      match(r.error!.message, /NotCapable: Requires env access|PermissionDenied|env/);
      assert(!r.stdout.includes("/root"));
    });
    await t.step("forged messages on the worker's global channel are ignored", async () => {
      const r = await py(
        `import js\n` +
          `js.postMessage(js.JSON.parse('{"t": "done", "ok": true, "peakMemoryBytes": 0}'))\n` +
          `js.postMessage(js.JSON.parse('{"t": "out", "stream": "stdout", "text": "FORGED"}'))\n` +
          `print("real")`,
      );
      equal(r.ok, true, JSON.stringify(r));
      equal(r.stdout, "real\n");
    });
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
      equal(r.ok, false);
      match(r.error!.message, /NotCapable: Requires net access/);
      equal(servers.a.hits, before);
    });
  } finally {
    await sandbox.close();
    await servers.close();
    await Deno.remove(dir, { recursive: true });
  }
});
