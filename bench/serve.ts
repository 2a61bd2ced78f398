/**
 * `deno run -A bench/serve.ts [--runs N]`: what HTTP adds to a warm run.
 * The same script, `print(sum(range(1000)))`, through `Sandbox#run` (the
 * baseline) and through `POST /v1/run` on a loopback `Deno.serve`, each
 * with an interpreter already booted (a pause between runs) and back to
 * back (each run waits for the next boot).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { createHandler, Sandbox } from "../mod.ts";
import { fmt, summarize, table } from "./stats.ts";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: { runs: { type: "string", default: "20" } },
});
const RUNS = Number(flags.runs);
const CODE = "print(sum(range(1000)))";
const TOKEN = "bench-token-0123456789";
const PAUSE_MS = 1500;

async function sample(run: () => Promise<string>, pause: boolean): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    if (pause) await new Promise((r) => setTimeout(r, PAUSE_MS));
    const t0 = performance.now();
    const stdout = await run();
    out.push(performance.now() - t0);
    if (stdout !== "499500\n") throw new Error(`unexpected output: ${stdout}`);
  }
  return out;
}

const sandbox = new Sandbox({ policy: "default", poolSize: 1 });
await sandbox.warm();
const library = () => sandbox.run(CODE).then((r) => r.stdout);

const handler = createHandler({ callers: [{ token: TOKEN }], poolSize: 1 });
await handler.warm();
const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
const url = `http://127.0.0.1:${server.addr.port}/v1/run`;
const http = () =>
  fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ code: CODE }),
  }).then((r) => r.json()).then((r) => r.stdout);

const rows: [string, number[]][] = [
  ["Sandbox#run, interpreter booted (baseline)", await sample(library, true)],
  ["POST /v1/run, interpreter booted", await sample(http, true)],
  ["Sandbox#run, back to back", await sample(library, false)],
  ["POST /v1/run, back to back", await sample(http, false)],
];
await sandbox.close();
await handler.close();
await server.shutdown();

console.log(`warm runs, ${RUNS} each, load ${fmt(Deno.loadavg()[0], 2)}\n`);
console.log(table(
  ["", "p50 ms", "p95 ms", "min ms"],
  rows.map(([name, s]) => {
    const { p50, p95, min } = summarize(s);
    return [name, fmt(p50), fmt(p95), fmt(min)];
  }),
));
