/**
 * What local storage costs a script, printed beside a host call that does
 * nothing (the channel's own cost) in the same process: the script's own
 * duration with N `get_item`/`set_item` calls, less the same loop without a
 * call, divided by N. Below, one raw store read (`getMany`) from the host,
 * for scale. Without `--unstable-kv` the store is reached through the
 * store process; with it, in this process:
 *
 * `deno run -A bench/storage.ts [--runs R] [--calls N]`
 * `deno run -A --unstable-kv bench/storage.ts`
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { Sandbox } from "../mod.ts";
import { describeStore, openStore, storeLocation } from "../src/host/storage/store.ts";
import { fmt, median, table } from "./stats.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { runs: { type: "string" }, calls: { type: "string" } },
});
const RUNS = Number(values.runs ?? 5);
const CALLS = Number(values.calls ?? 200);
const dir = await Deno.makeTempDir();
const storage = join(dir, "bench.kv");
const origin = "http://127.0.0.1:1";

const sandbox = new Sandbox({
  policy: { version: 1, extends: "default", limits: { host_calls: CALLS * 2 + 10 } },
  poolSize: 1,
  storage,
});
const expose = { ping: (n: number) => n };

async function script(code: string): Promise<number> {
  const result = await sandbox.run(code, { expose, origin });
  if (!result.ok) throw new Error(`benchmark run failed: ${JSON.stringify(result.error)}`);
  return result.durationMs;
}

async function medianOf(code: string): Promise<number> {
  const samples = [];
  for (let i = 0; i < RUNS; i++) samples.push(await script(code));
  return median(samples);
}

try {
  await sandbox.warm(origin);
  await script("from pyfence.web import local_storage\nlocal_storage.set_item('k', 'v' * 100)");
  const loop = "from pyfence.host import ping\nfrom pyfence.web import local_storage as ls\n" +
    `for i in range(${CALLS}):\n    pass\n`;
  const empty = await medianOf(loop.replace("pass", "i + 1"));
  const per = async (call: string) =>
    ((await medianOf(loop.replace("pass", call))) - empty) / CALLS * 1000;
  const ping = await per("ping(i)");
  const get = await per("ls.get_item('k')");
  const set = await per("ls.set_item('k', 'v' * 100)");

  const store = await openStore(storeLocation(storage));
  const reads = [];
  for (let i = 0; i < CALLS; i++) {
    const t = performance.now();
    await store.getMany([["pyfence", "local", origin, "meta"]]);
    reads.push((performance.now() - t) * 1000);
  }
  await store.close();

  console.log(`local storage, ${RUNS} runs each (medians), ${CALLS} calls per run`);
  console.log(`store: ${describeStore(storeLocation(storage))}\n`);
  console.log(table(["what", "µs per call"], [
    ["host call that does nothing: ping(i)", fmt(ping, 0)],
    ["local_storage.get_item('k')", fmt(get, 0)],
    ["local_storage.set_item('k', 100 chars)", fmt(set, 0)],
    ["the host's own store read (getMany)", fmt(median(reads), 0)],
  ]));
} finally {
  await sandbox.close();
  await Deno.remove(dir, { recursive: true });
}
