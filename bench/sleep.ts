/**
 * What a sleep costs a script under the `agent` policy: `time.sleep` and
 * `asyncio.sleep` wait in the worker (through Pyodide's promise machinery),
 * printed beside the baseline of a plain `setTimeout` in a Deno worker and
 * the requested time, all in one run.
 *
 *   deno run -A bench/sleep.ts
 *
 * @module
 */
import { Sandbox } from "../mod.ts";

const N = 20;
const MS = 5;

/** Milliseconds per `setTimeout(MS)` awaited in a plain worker (the floor). */
async function workerBaseline(): Promise<number> {
  const code = `const t = performance.now();
for (let i = 0; i < ${N}; i++) await new Promise((r) => setTimeout(r, ${MS}));
postMessage((performance.now() - t) / ${N});`;
  const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
  const worker = new Worker(url, { type: "module" });
  try {
    return await new Promise<number>((resolve) => worker.onmessage = (e) => resolve(e.data));
  } finally {
    worker.terminate();
    URL.revokeObjectURL(url);
  }
}

const PROGRAM = `import asyncio, json, time
def per(fn):
    t = time.perf_counter()
    for _ in range(${N}):
        fn()
    return (time.perf_counter() - t) * 1000 / ${N}
sleep_ms = per(lambda: time.sleep(${MS / 1000}))
t = time.perf_counter()
for _ in range(${N}):
    await asyncio.sleep(${MS / 1000})
async_ms = (time.perf_counter() - t) * 1000 / ${N}
t = time.perf_counter()
for _ in range(1000):
    await asyncio.sleep(0)
yield_us = (time.perf_counter() - t) * 1000
print(json.dumps([sleep_ms, async_ms, yield_us]))`;

const sandbox = new Sandbox({ policy: "agent" });
try {
  await sandbox.run("print(1)"); // the snapshot and a warm process
  const baseline = await workerBaseline();
  const r = await sandbox.run(PROGRAM);
  if (!r.ok) throw new Error(`${r.error?.type}: ${r.error?.message}`);
  const [sleepMs, asyncMs, yieldUs] = JSON.parse(r.stdout) as number[];
  const row = (label: string, ms: number) =>
    console.log(
      `${label.padEnd(48)} ${ms.toFixed(1).padStart(7)} ms  (+${(ms - MS).toFixed(1)} ms)`,
    );
  console.log(`each of ${N} sleeps of ${MS} ms; load average ${Deno.loadavg()[0].toFixed(1)}`);
  row("baseline: setTimeout in a plain Deno worker", baseline);
  row("time.sleep under agent", sleepMs);
  row("asyncio.sleep under agent (top-level await)", asyncMs);
  console.log(
    `${"asyncio.sleep(0), a pass of the event loop".padEnd(48)} ${
      yieldUs.toFixed(1).padStart(7)
    } µs`,
  );
} finally {
  await sandbox.close();
}
