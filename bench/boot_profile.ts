/**
 * `deno run -A bench/boot_profile.ts [--runs N] [--json]`: where a fresh
 * pyfence interpreter's time goes.
 *
 * A. The real sandbox process, timed from the host: bare `deno run` start-up
 *    with the same flags, spawn → "ready", and ready → first job done.
 * B. The same boot replayed in this process with a timestamp after each
 *    phase (`profile_worker.ts` is an instrumented copy of the worker).
 * C. What memory costs on this machine: first touch of fresh pages, and
 *    posting the snapshot by structured clone versus a SharedArrayBuffer.
 * D. Host-side work on every `Sandbox.run` before a job is sent.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { SandboxProcess } from "../src/host/process.ts";
import { sandboxFlags } from "../src/host/launch.ts";
import { ensureSnapshot } from "../src/host/snapshot.ts";
import { loadPolicy } from "../src/policy/load.ts";
import { permissionsFor } from "../src/capabilities/permissions.ts";
import { parseOrigin } from "../src/capabilities/origin.ts";
import { PYODIDE_DIR } from "../src/host/assets.ts";
import { GUARD_FILES } from "../src/generated/guard_files.ts";
import { fmt, median, table } from "./stats.ts";
import type { ProfileBoot } from "./profile_worker.ts";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: { json: { type: "boolean" }, runs: { type: "string", default: "5" } },
});
const RUNS = Number(flags.runs);
const CODE = "print(sum(range(1000)))";
const now = () => performance.timeOrigin + performance.now();

const policy = await loadPolicy("default");
const map = permissionsFor(policy, parseOrigin(undefined));
const snapshotPath = await ensureSnapshot(map.guard.modules.allow);
const phases = new Map<string, number[]>();
const add = (section: string, name: string, ms: number) => {
  const key = `${section}|${name}`;
  phases.set(key, [...(phases.get(key) ?? []), ms]);
};

/** A: the real sandbox process. */
async function sandboxProcess(): Promise<void> {
  const empty = await Deno.makeTempFile({ suffix: ".js" });
  let t0 = now();
  await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...sandboxFlags(map.deno, { read: [empty], memoryMb: map.limits.memoryMb }),
      empty,
    ],
  }).output();
  add("A", "bare `deno run` of an empty file, same flags", now() - t0);
  await Deno.remove(empty);

  t0 = now();
  const process = await SandboxProcess.start({
    permissions: map.deno,
    memoryMb: map.limits.memoryMb,
    snapshotPath,
  });
  add("A", "start -> 'ready' (launch, channel, assets read, wasm compiled)", now() - t0);
  const job = {
    mode: "execute" as const,
    code: CODE,
    guard: map.guard,
    timeoutMs: 5000,
    memoryMb: map.limits.memoryMb,
  };
  for (
    const name of [
      "'ready' -> first job done (worker boot + job)",
      "next job sent at once -> done (worker boot + job)",
    ]
  ) {
    t0 = now();
    const { done } = await process.run(job, () => {});
    if (!done.ok) throw new Error(JSON.stringify(done));
    add("A", name, now() - t0);
  }
  await process.close();
}

/** B: the boot replayed in this process with marks. */
async function replay(): Promise<void> {
  const dir = PYODIDE_DIR;
  let t = now();
  const [wasmBytes, stdlib, lock] = await Promise.all([
    Deno.readFile(new URL("pyodide.asm.wasm", dir)),
    Deno.readFile(new URL("python_stdlib.zip", dir)),
    Deno.readTextFile(new URL("pyodide-lock.json", dir)),
  ]);
  add("B", "process: read wasm + stdlib + lock", now() - t);
  t = now();
  const wasm = await WebAssembly.compile(wasmBytes);
  add("B", "process: WebAssembly.compile (9.6 MB)", now() - t);
  t = now();
  const snapshot = await Deno.readFile(snapshotPath);
  add("B", "process: Deno.readFile(snapshot, 31 MB)", now() - t);
  const guardFiles = { ...GUARD_FILES };
  const start = now();
  const worker = new Worker(new URL("./profile_worker.ts", import.meta.url), {
    type: "module",
    deno: { permissions: "none" },
  } as WorkerOptions);
  const channel = new MessageChannel();
  const result = new Promise<{ ok: boolean; error?: string; marks: [string, number][] }>((r) => {
    channel.port1.onmessage = (e) => r(e.data);
  });
  const boot: ProfileBoot = {
    wasm,
    stdlib,
    lock,
    snapshot,
    guardFiles,
    config: JSON.stringify(map.guard),
    code: CODE,
    port: channel.port2,
  };
  t = now();
  worker.postMessage(boot, [channel.port2]);
  const postMs = now() - t;
  const { ok, error, marks } = await result;
  if (!ok) throw new Error(`profile worker failed: ${error}`);
  t = now();
  worker.terminate();
  channel.port1.close();
  const terminateMs = now() - t;
  let prev = start;
  add("B", "host thread: postMessage(boot) (structured clone)", postMs);
  for (const [name, at] of marks) {
    add("B", `worker: ${name}`, at - prev);
    prev = at;
  }
  add("B", "worker: total, new Worker -> job done", prev - start);
  add("B", "host thread: worker.terminate()", terminateMs);
}

/** C: what fresh memory and the snapshot's postMessage cost here. */
async function memoryCosts(snapshot: Uint8Array): Promise<void> {
  let t = now();
  const fresh = new Uint8Array(snapshot.length);
  fresh.set(snapshot);
  add("C", "copy 31 MB into fresh memory (first touch)", now() - t);
  t = now();
  fresh.set(snapshot);
  add("C", "copy 31 MB into already-touched memory", now() - t);
  const src =
    "self.onmessage = (e) => self.postMessage(performance.timeOrigin + performance.now());";
  const url = `data:application/javascript,${encodeURIComponent(src)}`;
  for (const kind of ["structured clone", "SharedArrayBuffer (reused)"]) {
    const worker = new Worker(url, { type: "module" });
    await new Promise((r) => (worker.onmessage = r, worker.postMessage(0)));
    let payload: unknown = snapshot;
    if (kind.startsWith("Shared")) {
      const sab = new SharedArrayBuffer(snapshot.length);
      new Uint8Array(sab).set(snapshot);
      payload = new Uint8Array(sab);
    }
    const got = new Promise<number>((r) => (worker.onmessage = (e) => r(e.data)));
    t = now();
    worker.postMessage(payload);
    add("C", `post snapshot to a worker: ${kind}, until received`, (await got) - t);
    worker.terminate();
  }
}

/** D: host work per `Sandbox.run` before the job leaves. */
async function hostPerRun(): Promise<void> {
  let t = now();
  await ensureSnapshot(map.guard.modules.allow);
  add("D", "ensureSnapshot (hash guard sources + stat), per run", now() - t);
  t = now();
  permissionsFor(policy, parseOrigin("https://a.example"));
  add("D", "permissionsFor(policy, origin), per run", now() - t);
}

for (let i = 0; i < RUNS; i++) {
  Deno.stderr.writeSync(new TextEncoder().encode(`[profile] round ${i + 1}/${RUNS}\n`));
  await sandboxProcess();
  await replay();
  await memoryCosts(await Deno.readFile(snapshotPath));
  await hostPerRun();
}

const rows = [...phases].map(([key, samples]) => {
  const [section, name] = key.split("|");
  return { section, name, medianMs: median(samples), minMs: Math.min(...samples) };
});
if (flags.json) {
  console.log(JSON.stringify({ runs: RUNS, loadavg: Deno.loadavg(), rows }, null, 2));
} else {
  console.log(`boot profile, median of ${RUNS} rounds; load ${Deno.loadavg().join(" ")}\n`);
  console.log(table(
    ["", "phase", "median ms", "min ms"],
    rows.map((r) => [r.section, r.name, fmt(r.medianMs), fmt(r.minMs)]),
  ));
}
