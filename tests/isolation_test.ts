/**
 * Nothing crosses runs, even after a breach (design rule 8). With the Python
 * guard switched off, run A's JavaScript attacks and run B, the victim, runs
 * next in the same pool of one sandbox process: A can neither read B's job
 * nor forge B's result, store anything B (or the disk) keeps, nor leave a
 * worker behind that acts during B.
 */
import { deepEqual, equal, match, notEqual, ok } from "assert";
import { join } from "node:path";
import { Sandbox } from "../src/host/sandbox.ts";
import { unguardedForTests } from "../src/host/internal.ts";
import { listing, storagePlaces } from "./helpers/disk.ts";
import { ADDRESS_ENV, TOKEN_ENV } from "../src/protocol/channel.ts";

const SECRET = "victim-secret-" + crypto.randomUUID();
const VICTIM = `print(${JSON.stringify(SECRET)})`;
const DENO_DIR = Deno.env.get("DENO_DIR") ??
  join(Deno.env.get("XDG_CACHE_HOME") ?? join(Deno.env.get("HOME")!, ".cache"), "deno");

/** Python that runs `js` (an async function body) in the worker and prints its result. */
function viaJs(js: string): string {
  return `import js\nfrom pyodide.ffi import run_sync\n` +
    `print(run_sync(js.eval(${JSON.stringify(`(async () => {${js}})()`)})))`;
}

// What the red team did to the stdin/stdout protocol: settle its own job with
// forged `done` lines (ids were a counter), then read the next job off stdin
// and answer it in the victim's name.
const PROTOCOL_ATTACK = `
  const enc = new TextEncoder();
  const line = (m) => Deno.stdout.writeSync(enc.encode(JSON.stringify(m) + "\\n"));
  const end = { done: { t: "done", ok: true, wasmBytes: 0 }, by: "worker", deadlinePassed: false,
    violationsOmitted: 0, breaches: [], memoryGrowthBytes: 0 };
  for (let i = 1; i <= 3000; i++) line({ id: "j" + i, end });
  const reader = Deno.stdin.readable.getReader();
  const dec = new TextDecoder();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return "stdin: EOF";
    buf += dec.decode(value, { stream: true });
    for (let i; (i = buf.indexOf("\\n")) >= 0; buf = buf.slice(i + 1)) {
      const command = JSON.parse(buf.slice(0, i));
      if (command.t !== "run") continue;
      const { id, code } = command.job;
      line({ id, event: { t: "started" } });
      line({ id, event: { t: "out", stream: "stdout", text: "FORGED " + code + "\\n" } });
      line({ id, end });
    }
  }
`;

const STORE = `
  // A TypeScript module is transpiled, and Deno caches the result when it can.
  await import("data:application/typescript," + encodeURIComponent(
    "export const secret: string = " + JSON.stringify(${
  JSON.stringify(SECRET)
} + Math.random()) + ";"));
  const found = [typeof localStorage, typeof sessionStorage, typeof Deno.openKv, typeof indexedDB];
  try {
    const cache = await caches.open("pyfence");
    await cache.put("https://a.example/k", new Response(${JSON.stringify(SECRET)}));
    return found.join(" ") + " | stored";
  } catch (e) {
    return found.join(" ") + " | refused: " + e.message;
  }
`;

const FETCH_STORED = `
  try {
    const hit = await (await caches.open("pyfence")).match("https://a.example/k");
    return hit ? "HIT " + await hit.text() : "MISS";
  } catch (e) {
    return "refused: " + e.message;
  }
`;

// A worker that outlives its run: a nested worker, busy (reading stdin, then
// spinning) when its parent is terminated, keeps running, since
// \`worker.terminate()\` does not stop a busy worker. On stdin it would find
// the next job, and could answer it in the victim's name. (\`Worker\` is gone
// from the worker's global scope; \`node:worker_threads\` still makes one.)
const NESTED = `
  require("node:worker_threads").parentPort.postMessage("busy");
  const buf = new Uint8Array(1 << 20);
  const n = Deno.stdin.readSync(buf);
  if (n) {
    const { id } = JSON.parse(new TextDecoder().decode(buf.subarray(0, n)).split("\\n")[0]).job;
    const line = (m) => Deno.stdout.writeSync(new TextEncoder().encode(JSON.stringify(m) + "\\n"));
    line({ id, event: { t: "started" } });
    line({ id, event: { t: "out", stream: "stdout", text: "FORGED\\n" } });
    line({ id, end: { done: { t: "done", ok: true, wasmBytes: 0 }, by: "worker",
      deadlinePassed: false, violationsOmitted: 0, breaches: [], memoryGrowthBytes: 0 } });
  }
  for (;;) {}
`;
const LEFTOVER = `
  const gone = typeof Worker;
  const { Worker: NodeWorker } = await import("node:worker_threads");
  const nested = new NodeWorker(${JSON.stringify(NESTED)}, { eval: true });
  await new Promise((resolve) => nested.on("message", resolve));
  return "A done, global Worker: " + gone;
`;

function pids(sandbox: Sandbox): number[] {
  return sandbox.stats().processes.map((p) => p.pid);
}

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    try {
      Deno.lstatSync(`/proc/${pid}`);
    } catch {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

/** One pool of one process for `fn` (guard off), so tests cannot spoil each other. */
function isolationTest(name: string, fn: (sandbox: Sandbox) => Promise<void>): void {
  Deno.test({
    name: `isolation: ${name}`,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const sandbox = new Sandbox(unguardedForTests({ poolSize: 1 }));
      try {
        await sandbox.warm();
        await fn(sandbox);
      } finally {
        await sandbox.close();
      }
    },
  });
}

isolationTest("A can neither read B's job from stdin nor answer it on stdout", async (sandbox) => {
  const [process] = pids(sandbox);
  const a = await sandbox.run(viaJs(PROTOCOL_ATTACK), { timeoutMs: 4000 });
  equal(a.ok, true, JSON.stringify(a));
  equal(a.stdout, "stdin: EOF\n");
  const b = await sandbox.run(VICTIM);
  equal(b.ok, true, JSON.stringify(b));
  equal(b.stdout, `${SECRET}\n`);
  equal(b.stderr, "");
  equal(pids(sandbox)[0], process, "A and B did not share the process");
});

isolationTest("a worker's console output crashes nothing", async (sandbox) => {
  const [process] = pids(sandbox);
  const a = await sandbox.run(
    viaJs(`console.log("hi"); console.error("there"); return "logged";`),
  );
  equal(a.ok, true, JSON.stringify(a));
  equal(a.stdout, "logged\n");
  const b = await sandbox.run(VICTIM);
  equal(b.stdout, `${SECRET}\n`);
  equal(pids(sandbox)[0], process);
});

isolationTest("A stores nothing that B or the disk keeps", async (sandbox) => {
  const [process] = pids(sandbox);
  const places = storagePlaces(DENO_DIR);
  const before = listing(places);
  const a = await sandbox.run(viaJs(STORE));
  equal(a.ok, true, JSON.stringify(a));
  // No Web Storage, IndexedDB or KV in a worker; the Cache API has nowhere to write.
  match(a.stdout, /^undefined undefined undefined undefined \| refused: /);
  const b = await sandbox.run(viaJs(FETCH_STORED));
  equal(b.ok, true, JSON.stringify(b));
  ok(!b.stdout.includes(SECRET), b.stdout);
  match(b.stdout, /^(MISS|refused: )/);
  equal(pids(sandbox)[0], process, "A and B did not share the process");
  equal(listing(places).join("\n"), before.join("\n"), "web storage was written to disk");
});

isolationTest("npm packages cannot be fetched into any cache", async (sandbox) => {
  const r = await sandbox.run(
    viaJs(
      `try { await import("npm:is-odd@3.0.1"); return "loaded"; } ` +
        `catch (e) { return "refused: " + e.message; }`,
    ),
  );
  equal(r.ok, true, JSON.stringify(r));
  match(r.stdout, /^refused: /);
  equal(listing([join(DENO_DIR, "npm/registry.npmjs.org/is-odd")]).length, 0);
});

isolationTest(
  "a worker left running by A ends A as a breach and retires its process",
  async (sandbox) => {
    const [process] = pids(sandbox);
    const a = await sandbox.run(viaJs(LEFTOVER));
    equal(a.stdout, "A done, global Worker: undefined\n");
    equal(a.error?.type, "SandboxBreach", JSON.stringify(a));
    // (A nested worker runs one thread on Deno 2.9, two on 2.5; its start-up's
    // request for the whole environment is refused and recorded too on 2.9.)
    ok(
      a.violations.some((v) =>
        v.kind === "breach" &&
        /^\d+ worker threads? the job started still ran after it ended$/.test(v.detail)
      ),
      JSON.stringify(a.violations),
    );
    // Retired as A ended, before anything else could run there.
    ok(await gone(process), "the process with the leftover worker is still alive");
    const b = await sandbox.run(VICTIM);
    equal(b.ok, true, JSON.stringify(b));
    equal(b.stdout, `${SECRET}\n`);
    notEqual(pids(sandbox)[0], process, "B ran next to A's leftover worker");
  },
);

isolationTest("a worker can neither connect to the channel nor read its token", async (sandbox) => {
  const r = await sandbox.run(viaJs(`
    const out = [];
    // The channel's address is nowhere a worker can read it (neither in
    // Deno.args nor in the environment), and its socket is gone once used.
    out.push("args: " + JSON.stringify(Deno.args));
    for (const name of [${JSON.stringify(TOKEN_ENV)}, ${JSON.stringify(ADDRESS_ENV)}]) {
      try {
        out.push(name + ": " + Deno.env.get(name));
      } catch (e) {
        out.push(name + " refused: " + e.name);
      }
    }
    return out.join("; ");`));
  equal(
    r.stdout,
    `args: []; ${TOKEN_ENV} refused: NotCapable; ${ADDRESS_ENV} refused: NotCapable\n`,
  );
  // Both attempts are on the record, from Deno's own audit.
  deepEqual(r.violations.map((v) => v.detail).sort(), [
    `Deno refused the worker env access to "${ADDRESS_ENV}"`,
    `Deno refused the worker env access to "${TOKEN_ENV}"`,
  ]);
  equal(r.error?.kind, "violation");
});
