/**
 * `isolation: "tenant"` against `"run"`: after each kind of hostile run, the
 * next run of the same tenant sees nothing of it (a freshness probe), in
 * both levels; tenants never share a worker; the recycle rules.
 */
import assert from "node:assert/strict";
import { Sandbox, type SandboxOptions, TENANT_RUNS_PER_INTERPRETER } from "../mod.ts";
import { unguardedForTests } from "../src/host/internal.ts";
import { RESET_VALIDATED_FOR, unvalidated } from "../src/worker/reset.ts";
import { PYODIDE_VERSION } from "../src/host/assets.ts";

const PROBE = `
import builtins, sys, os
dirty = []
if getattr(builtins, "len") is not builtins.__dict__.get("_pyfence_real_len", builtins.len) or hasattr(builtins, "_pyfence_real_len"):
    dirty.append("builtin")
if "pyfence_planted" in sys.modules: dirty.append("sys.modules")
if "planted" in globals(): dirty.append("__main__")
if os.path.exists("/tmp/planted"): dirty.append("file")
if os.getcwd() != "/home/pyodide": dirty.append("cwd")
with open("/lib/python314.zip", "rb") as f:
    f.seek(-22, 2)
    if f.read(4) != b"PK\\x05\\x06": dirty.append("zip edited")
print("dirty:", ",".join(dirty))
`;

/** What a run with the guard off does to its interpreter, by kind. */
const HOSTILE: Record<string, string> = {
  "state": `
import builtins, sys, types, os
builtins._pyfence_real_len = builtins.len
builtins.len = lambda x: 0
sys.modules["pyfence_planted"] = types.ModuleType("pyfence_planted")
planted = 1
open("/tmp/planted", "w").write("x")
os.makedirs("/tmp/d", exist_ok=True)
os.chdir("/tmp/d")
`,
  "exception": `
import builtins, sys
builtins._pyfence_real_len = builtins.len
planted = 1
open("/tmp/planted", "w").write("x")
raise ValueError("hostile")
`,
  "deleted files": `
import os, shutil
open("/tmp/planted", "w").write("x")
os.remove("/dev/null")
os.remove("/lib/python314.zip")
`,
  "edited in place": `
planted = 1
with open("/lib/python314.zip", "r+b") as f:
    f.seek(-22, 2)
    f.write(bytes(22))
`,
  "pending timer": `
import asyncio
planted = 1
asyncio.get_event_loop().call_later(0.05, lambda: open("/tmp/planted", "w").write("late"))
`,
  "heap grown": `
import builtins
planted = 1
builtins._pyfence_real_len = builtins.len
x = bytearray(80 * 2**20)
`,
};

const marker = `
import js
print("seen:", getattr(js, "pyfenceWorkerMark", None))
js.pyfenceWorkerMark = MARK
`;

function unguarded(isolation: "run" | "tenant"): Sandbox {
  return new Sandbox(unguardedForTests({ isolation, poolSize: 0 } as SandboxOptions));
}

for (const isolation of ["run", "tenant"] as const) {
  Deno.test(`${isolation}: the next run sees nothing of a hostile one, of each kind`, async () => {
    await using sandbox = unguarded(isolation);
    const t = { tenant: "a" };
    for (const [kind, code] of Object.entries(HOSTILE)) {
      await sandbox.run(code, t);
      // The timer's 50 ms pass before the probe looks.
      await new Promise((r) => setTimeout(r, 100));
      const probe = await sandbox.run(PROBE, t);
      assert.equal(probe.stdout, "dirty: \n", `after '${kind}': ${probe.stdout}${probe.stderr}`);
      const stdlib = await sandbox.run("import json, os; print(os.path.exists('/dev/null'))", t);
      assert.equal(stdlib.stdout, "True\n", `after '${kind}': ${stdlib.stderr}`);
    }
  });
}

Deno.test("tenant: a tenant's runs share one reset interpreter; different tenants never share a worker", async () => {
  await using sandbox = unguarded("tenant");
  const mark = (tenant: string, value: string) =>
    sandbox.run(marker.replace("MARK", JSON.stringify(value)), { tenant });
  assert.equal((await mark("a", "a1")).stdout, "seen: None\n");
  // The JavaScript realm is not reset: the same worker served tenant a again.
  assert.equal((await mark("a", "a2")).stdout, "seen: a1\n");
  // Another tenant: another worker (and process), even with a's idle.
  assert.equal((await mark("b", "b1")).stdout, "seen: None\n");
  assert.equal((await mark("a", "a3")).stdout, "seen: a2\n");
  assert.equal((await mark("b", "b2")).stdout, "seen: b1\n");
});

Deno.test("tenant: the same tenant of another origin gets another worker", async () => {
  await using sandbox = unguarded("tenant");
  const code = (v: string) => marker.replace("MARK", JSON.stringify(v));
  await sandbox.run(code("x"), { tenant: "a" });
  const other = await sandbox.run(code("y"), { tenant: "a", origin: "http://127.0.0.1:9" });
  assert.equal(other.stdout, "seen: None\n");
});

Deno.test("tenant: recycled after pending work, memory growth, an error of the worker; reset after the script's own exception", async () => {
  await using sandbox = unguarded("tenant");
  const t = { tenant: "a" };
  const seen = async (v: string) =>
    (await sandbox.run(marker.replace("MARK", JSON.stringify(v)), t)).stdout;
  const pids = () => sandbox.stats().processes.map((p) => p.pid).sort().join();
  assert.equal(await seen("1"), "seen: None\n");
  const process = pids();
  await sandbox.run("raise ValueError('own')", t);
  assert.equal(await seen("2"), "seen: 1\n", "a script's exception keeps the interpreter");
  await sandbox.run(HOSTILE["pending timer"], t);
  assert.equal(await seen("3"), "seen: None\n", "a pending timer recycles it");
  await sandbox.run(HOSTILE["heap grown"], t);
  assert.equal(await seen("4"), "seen: None\n", "memory growth recycles it");
  // Only the worker was replaced: the process is the tenant's still.
  assert.equal(pids(), process, "a clean run's recycle keeps the tenant's process");
  const timeout = await sandbox.run("while True: pass", { ...t, timeoutMs: 300 });
  // Unguarded, the interrupt at the deadline surfaces as a crash or a limit: either recycles.
  assert.ok(["limit", "crash"].includes(timeout.error?.kind ?? ""), timeout.error?.kind);
  assert.equal(await seen("5"), "seen: None\n", "a limit or crash recycles it");
  assert.ok(!pids().split(",").includes(process), "a limit or crash retires the process");
});

Deno.test("tenant: every TENANT_RUNS_PER_INTERPRETER runs a fresh interpreter, in the same process", async () => {
  await using sandbox = unguarded("tenant");
  const t = { tenant: "a" };
  const pids = () => sandbox.stats().processes.map((p) => p.pid).sort().join();
  const count =
    "import js\njs.pyfenceRuns = (getattr(js, 'pyfenceRuns', 0) or 0) + 1\nprint(js.pyfenceRuns)";
  assert.equal((await sandbox.run(count, t)).stdout, "1\n");
  const process = pids();
  for (let i = 2; i <= TENANT_RUNS_PER_INTERPRETER; i++) {
    assert.equal((await sandbox.run(count, t)).stdout, `${i}\n`);
  }
  assert.equal((await sandbox.run(count, t)).stdout, "1\n", "a fresh worker after the count");
  assert.equal(pids(), process);
});

Deno.test("tenant, guarded: a violation sends the next run to a fresh process; a clean run does not", async () => {
  await using sandbox = new Sandbox({ isolation: "tenant", poolSize: 0 });
  const t = { tenant: "a" };
  const pids = () => sandbox.stats().processes.map((p) => p.pid).sort().join();
  const first = await sandbox.run("x = 1\nprint(x)", t);
  assert.equal(first.stdout, "1\n");
  const before = pids();
  const again = await sandbox.run("print('x' in globals())", t);
  assert.equal(again.stdout, "False\n");
  assert.equal(pids(), before, "a clean run keeps the tenant's process");
  const bad = await sandbox.run("import os", t);
  assert.equal(bad.error?.kind, "violation");
  const after = await sandbox.run("print('y')", t);
  assert.equal(after.stdout, "y\n");
  assert.ok(!pids().split(",").includes(before), "the violation retired the process");
});

Deno.test("tenant: a run needs a tenant; isolation is checked", async () => {
  await using sandbox = new Sandbox({ isolation: "tenant", poolSize: 0 });
  await assert.rejects(() => sandbox.run("1"), /tenant.*required/);
  await assert.rejects(() => sandbox.run("1", { tenant: "" }), /tenant/);
  assert.throws(() => new Sandbox({ isolation: "none" as "run" }), /isolation/);
});

Deno.test("tenant: the reset is trusted only for the Pyodide it was validated against", () => {
  // Upgrading Pyodide fails here until the hostile runs above pass with the
  // new release and RESET_VALIDATED_FOR names it.
  assert.equal(RESET_VALIDATED_FOR, PYODIDE_VERSION);
  assert.equal(unvalidated(PYODIDE_VERSION), undefined);
  // Any other release: each interpreter serves one run, then is replaced.
  assert.match(unvalidated("315.0.0") ?? "", /validated for Pyodide 314\.0\.7, not 315\.0\.0/);
});

Deno.test("tenant, guarded: on a reset interpreter the guard refuses what it refuses on a fresh one", async () => {
  await using sandbox = new Sandbox({ isolation: "tenant", policy: "compute", poolSize: 0 });
  const t = { tenant: "a" };
  const attacks = {
    "an inherited descriptor": "class M(type): pass\nprint(len(M.__subclasses__(object)))",
    "library code reading a computed name": `import dataclasses
name = "__" + "traceback__"
C = dataclasses.make_dataclass("C", [(name, object)], bases=(Exception,))
try:
    raise C(None)
except C as e:
    print("ESCAPED", type(getattr(dataclasses.replace(e), name)))`,
  };
  for (const [kind, code] of Object.entries(attacks)) {
    // A clean run first: the attack meets an interpreter reset in place.
    assert.equal((await sandbox.run("print('clean')", t)).stdout, "clean\n");
    const r = await sandbox.run(code, t);
    assert.equal(r.error?.type, "SecurityError", `${kind}: ${JSON.stringify(r.error)}`);
    assert.equal(r.error?.kind, "violation", kind);
    assert.ok(!r.stdout.includes("ESCAPED"), kind);
  }
});
