/**
 * `deno run -A bench/whole_process.ts [--runs N] [--json]`: a cold
 * command-line run, whole process, start to exit. `deno task pyfence run x.py`
 * (snapshot already cached on disk) against `deno run -A bench/naive_cli.ts
 * x.py`, a script that only loads Pyodide and runs the file.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { fmt, median, table } from "./stats.ts";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: { json: { type: "boolean" }, runs: { type: "string", default: "5" } },
});
const RUNS = Number(flags.runs);
const ROOT = new URL("../", import.meta.url);
const script = await Deno.makeTempFile({ suffix: ".py" });
await Deno.writeTextFile(script, "print(sum(range(1000)))\n");

const variants: Record<string, string[]> = {
  "pyfence: deno task pyfence run x.py": ["task", "--quiet", "pyfence", "run", script],
  "naive: deno run -A naive_cli.ts x.py": ["run", "-A", "bench/naive_cli.ts", script],
};

async function once(args: string[]): Promise<number> {
  const t0 = performance.now();
  const out = await new Deno.Command(Deno.execPath(), { args, cwd: ROOT, stderr: "piped" })
    .output();
  const ms = performance.now() - t0;
  const stdout = new TextDecoder().decode(out.stdout);
  if (!out.success || stdout.trim() !== "499500") {
    throw new Error(`${args.join(" ")} failed: ${stdout}${new TextDecoder().decode(out.stderr)}`);
  }
  return ms;
}

const samples: Record<string, number[]> = {};
for (const [name, args] of Object.entries(variants)) {
  await once(args); // warm the module caches and the snapshot cache
  samples[name] = [];
}
for (let i = 0; i < RUNS; i++) {
  for (const [name, args] of Object.entries(variants)) samples[name].push(await once(args));
}
await Deno.remove(script);

const [pyfence, naive] = Object.values(samples).map(median);
if (flags.json) {
  console.log(JSON.stringify({ runs: RUNS, samples, ratio: naive / pyfence }, null, 2));
} else {
  console.log(`whole process, start to exit, ${RUNS} runs each (load ${Deno.loadavg()[0]})\n`);
  console.log(table(
    ["command", "median ms", "min ms", "max ms"],
    Object.entries(samples).map(([name, s]) => [
      name,
      fmt(median(s)),
      fmt(Math.min(...s)),
      fmt(Math.max(...s)),
    ]),
  ));
  console.log(`\nnaive / pyfence (median): ${fmt(naive / pyfence, 2)}x`);
}
