/**
 * Limits that hold after a breach (design rule 5). With the Python guard
 * switched off (as in `defence_in_depth_test.ts`), the script's JavaScript
 * attacks the limits themselves: it restores or bypasses memory growth
 * checks, allocates outside Python, spins, and floods every channel it can
 * reach. Each attack ends at its limit (never `WorkerCrash`), or, where
 * only a breached worker could do it (memory outside the interpreter's,
 * messages the guard never sends), as a `breach` the trusted side saw; and
 * the next run in the same sandbox works.
 */
import { equal, match, ok } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";
import { unguardedForTests } from "../src/host/internal.ts";
import type { RunResult } from "../src/protocol/result.ts";
import { CAPS } from "../src/protocol/caps.ts";

const MIB = 1024 * 1024;

function js(code: string): string {
  return `js.eval(${JSON.stringify(code)})`;
}

/** Python that runs `body` (an async function body) in the worker's JavaScript and prints its result. */
function viaJs(body: string): string {
  return `import js\nfrom pyodide.ffi import run_sync\nprint(run_sync(${
    js(`(async () => {${body}})()`)
  }))`;
}

// The red team's attack on a JS wrapper of `WebAssembly.Memory.prototype.grow`:
// catch the real `grow` as the wrapper calls it (through Function.prototype.call),
// catch Pyodide's memory as it grows, then grow it to 640 MiB directly.
const HOOK = `
  const realCall = Function.prototype.call;
  Function.prototype.call = function (self, ...args) {
    if (self instanceof WebAssembly.Memory) globalThis.realGrow ??= this;
    return Reflect.apply(this, self, args);
  };
  const grow = WebAssembly.Memory.prototype.grow;
  WebAssembly.Memory.prototype.grow = function (delta) {
    globalThis.memory ??= this;
    return Reflect.apply(grow, this, [delta]);
  };
  globalThis.restore = () => {
    Function.prototype.call = realCall;
    WebAssembly.Memory.prototype.grow = globalThis.realGrow ?? grow;
  };
`;
const GROW = `
  restore();
  try {
    const pages = 640 * 16 - memory.buffer.byteLength / 65536;
    Reflect.apply(globalThis.realGrow ?? WebAssembly.Memory.prototype.grow, memory, [pages]);
    "grew to " + memory.buffer.byteLength;
  } catch (e) {
    "refused: " + e;
  }
`;

/** A script that captures the worker's private port as it prints, then runs `flood` with `post` and `port`. */
function capturePort(flood: string): string {
  return `import js\n${
    js(`
    const post = MessagePort.prototype.postMessage;
    MessagePort.prototype.postMessage = function (message, ...rest) {
      MessagePort.prototype.postMessage = post;
      const port = this;
      ${flood}
    };`)
  }\nprint("trigger")`;
}

function expectLimit(r: RunResult, ...types: string[]): void {
  equal(r.ok, false, JSON.stringify(r));
  ok(types.includes(r.error!.type), JSON.stringify(r.error));
}

/** The run ended as a breach, with a `breach` violation whose detail matches `sign`. */
function expectBreach(r: RunResult, sign: RegExp): void {
  const where = JSON.stringify({ ...r, violations: r.violations.slice(-3) });
  equal(r.ok, false, where);
  equal(r.error?.type, "SandboxBreach", where);
  equal(r.error?.kind, "violation", where);
  ok(r.violations.some((v) => v.kind === "breach" && sign.test(v.detail)), where);
}

/** What the host says when the process held more than its memory cap. */
const OVER_CAP = /^the sandbox process held \d+ MiB, over its cap of 768 MiB$/;

Deno.test({
  name: "limits after a breach (guard off)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    // A loose time limit: on a loaded machine, filling the memory cap from
    // JavaScript takes seconds, and these runs must reach the cap first.
    const sandbox = new Sandbox(
      unguardedForTests({
        poolSize: 1,
        policy: { version: 1 as const, limits: { timeout_ms: 20_000 } },
      }),
    );
    const run = (code: string, timeoutMs = 15_000) => sandbox.run(code, { timeoutMs });
    const step = (name: string, fn: () => Promise<void>) =>
      t.step(name, async () => {
        await fn();
        const after = await run("print('alive')");
        equal(after.stdout, "alive\n", `the next run failed: ${JSON.stringify(after)}`);
      });
    try {
      await sandbox.warm();

      await step("Python past the cap is a MemoryError; the interpreter stays usable", async () => {
        const r = await run(
          "try:\n    b = bytearray(300 * 2**20)\nexcept MemoryError:\n    print('MemoryError')\n" +
            "print(sum(range(10)))",
        );
        equal(r.ok, true, JSON.stringify(r));
        equal(r.stdout, "MemoryError\n45\n");
        ok(r.peakMemoryBytes <= 256 * MIB, `peak ${r.peakMemoryBytes}`);
      });

      await step("the real grow, restored from JavaScript, still stops at the cap", async () => {
        const r = await run(
          `import js\n${js(HOOK)}\nx = bytearray(64 * 2**20)\nprint(${js(GROW)})\n` +
            `y = bytearray(600 * 2**20)\nprint("allocated", len(y))`,
        );
        expectLimit(r, "MemoryError");
        match(r.stdout, /^refused: RangeError/);
        ok(!r.stdout.includes("allocated"), r.stdout);
        ok(r.peakMemoryBytes <= 256 * MIB, `peak ${r.peakMemoryBytes}`);
      });

      await step(
        "new WebAssembly.Memory outside Python: a breach, memory over the cap",
        async () => {
          const r = await run(viaJs(`
          const m = new WebAssembly.Memory({ initial: 1, maximum: 65536 });
          for (let i = 0; i < 40; i++) {
            const from = m.buffer.byteLength;
            m.grow(1600);
            new Uint8Array(m.buffer).fill(1, from);
          }
          return "allocated " + m.buffer.byteLength;`));
          expectBreach(r, OVER_CAP);
          equal(r.stdout, "");
        },
      );

      // However fast the allocation and however soon the run ends, the
      // kernel's peak (VmHWM, reset per job) shows the memory was held.
      await step("large ArrayBuffers: a breach, memory over the cap", async () => {
        const r = await run(viaJs(`
          const keep = [];
          for (let i = 0; i < 40; i++) keep.push(new Uint8Array(64 * 1024 * 1024).fill(1));
          return "allocated " + keep.length;`));
        expectBreach(r, OVER_CAP);
      });

      await step("a JavaScript heap flood: a breach, memory over the cap", async () => {
        const r = await run(viaJs(`
          const keep = [];
          for (;;) keep.push(new Array(100000).fill(Math.random()));`));
        expectBreach(
          r,
          /^the sandbox process (held \d+ MiB, over its cap|ran out of JavaScript heap)/,
        );
      });

      await step("JavaScript that spins: TimeoutError", async () => {
        const r = await run(viaJs("for (;;) {}"), 1500);
        expectLimit(r, "TimeoutError");
        ok(r.durationMs < 1500 + 2000, `ran for ${r.durationMs} ms`);
      });

      await step("console.log flood: OutputLimitError", async () => {
        const r = await run(viaJs(`for (;;) console.log("x".repeat(1000));`));
        expectLimit(r, "OutputLimitError");
      });

      await step("postMessage flood on the global channel: a breach, then the budget", async () => {
        const r = await run(`import js\n${js(`for (;;) postMessage("x")`)}`);
        expectBreach(r, /^the worker posted a message on its global channel$/);
      });

      await step("output flood on the private port: OutputLimitError", async () => {
        const r = await run(capturePort(
          `for (;;) post.call(port, { t: "out", stream: "stdout", text: "x".repeat(60000) });`,
        ));
        // Messages queue up faster than the supervisor counts them: the
        // queue may exhaust the memory cap first (seen on Deno 2.5).
        if (r.error?.type === "SandboxBreach") expectBreach(r, OVER_CAP);
        else expectLimit(r, "OutputLimitError");
        ok(
          new TextEncoder().encode(r.stdout).length <= (await sandbox.policy()).limits.output_bytes,
        );
      });

      await step("messages over the protocol's caps on the private port: a breach", async () => {
        for (
          const message of [
            `{ t: "out", stream: "stdout", text: "x".repeat(2 ** 27) }`,
            `{ t: "out", stream: "stdout", text: "\u00e9".repeat(${CAPS.chunk_bytes} / 2 + 1) }`,
            `{ t: "violation", kind: "import", detail: "y".repeat(${CAPS.detail_bytes + 1}) }`,
          ]
        ) {
          expectBreach(
            await run(capturePort(`post.call(port, ${message});`)),
            /^the worker sent a message over the protocol's caps$/,
          );
        }
      });

      await step("malformed and out-of-order messages on the private port: a breach", async () => {
        for (
          const [message, sign] of [
            [`{ t: "out", stream: "stdin", text: "x" }`, /^the worker sent a malformed message$/],
            [`{ t: "violation", kind: "breach", detail: "x" }`, /malformed/],
            [`{ t: "booted" }`, /^the worker sent 'booted' during its job$/],
            [`{ t: "started" }`, /^the worker announced its start twice$/],
          ] as const
        ) {
          expectBreach(await run(capturePort(`post.call(port, ${message});`)), sign);
        }
      });

      await step("a violation flood on the private port: OutputLimitError", async () => {
        const r = await run(capturePort(
          `for (;;) post.call(port, { t: "violation", kind: "import", detail: "y".repeat(2000) });`,
        ));
        if (r.error?.type === "SandboxBreach") return expectBreach(r, OVER_CAP);
        expectLimit(r, "OutputLimitError");
        // The worker reported violations (its word), and under `terminate`
        // only the first counts (the cap is tested in breach_record_test.ts).
        equal(r.error?.kind, "violation");
        equal(r.violations.length, 1);
      });

      await step("a flood of tiny messages ends at a limit, never as a crash", async () => {
        const r = await run(
          capturePort(`for (;;) post.call(port, { t: "out", stream: "stdout", text: "x" });`),
          1500,
        );
        equal(r.ok, false);
        equal(r.error?.kind, "limit", JSON.stringify(r.error));
      });
    } finally {
      await sandbox.close();
    }
  },
});
