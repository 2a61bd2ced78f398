/**
 * `deno run -A bench/tripwire.ts [--runs N]`: what the audit-hook tripwire
 * (src/python/pyfence_guard/tripwire.py) costs. The same guarded runs, each
 * in a fresh interpreter, with the tripwire installed (as in every real run)
 * and with it switched off by a test-only prelude: two snapshots of one
 * compiled wasm module (so both get the same compiled code), runs
 * alternated so that load on the machine hits both alike. Programs: the
 * guard-overhead programs of `deno task bench`, one whose reads all take the
 * guard's slow path (bench/programs/private_state.py), and every ordinary
 * program of tests/ordinary/ run back to back. Times are inside the guard's
 * `execute()`; medians beside each other, with their ratio.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { DirectGuard } from "../tests/helpers/guard_direct.ts";
import { loadPolicy } from "../src/policy/load.ts";
import { loadBenign } from "../tests/helpers/corpus.ts";
import { fmt, median, table } from "./stats.ts";

const { values: flags } = parseArgs({ args: Deno.args, options: { runs: { type: "string" } } });
const RUNS = Number(flags.runs ?? 3);
const OFF = "import pyfence_guard\npyfence_guard.tripwire.install = lambda *args: None\n";

const policy = await loadPolicy("compute");
const guard = new DirectGuard(policy, { on: "", off: OFF });

const programs: [string, string[]][] = [];
for (const name of ["cpu_loop.py", "arith_loop.py", "private_state.py"]) {
  programs.push([name, [await Deno.readTextFile(new URL(`./programs/${name}`, import.meta.url))]]);
}
// The ordinary programs that run clean under this policy (the others end
// early with a refusal, which would measure nothing).
const ordinary: string[] = [];
for (const p of await loadBenign(new URL("../tests/ordinary/", import.meta.url))) {
  const r = await guard.run(p.code, policy, "off");
  if (r.result.ok && !r.violations.length) ordinary.push(p.code);
}
programs.push([`tests/ordinary (${ordinary.length} programs)`, ordinary]);

async function total(variant: string, codes: string[]): Promise<number> {
  let ms = 0;
  for (const code of codes) {
    const r = await guard.run(code, policy, variant);
    if (r.violations.length) throw new Error(`a violation: ${JSON.stringify(r.violations)}`);
    ms += r.ms;
  }
  return ms;
}

const rows: string[][] = [];
try {
  for (const [name, codes] of programs) {
    await total("on", codes);
    await total("off", codes);
    const withHook: number[] = [];
    const without: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      withHook.push(await total("on", codes));
      without.push(await total("off", codes));
    }
    const a = median(withHook);
    const b = median(without);
    rows.push([name, fmt(b), fmt(a), `${fmt(a / b, 3)}×`]);
    console.error(`${name}: done`);
  }
} finally {
  guard.close();
}
console.log(`tripwire overhead, median of ${RUNS} runs each (ms inside execute())`);
console.log(table(["program", "tripwire off", "tripwire on", "ratio"], rows));
