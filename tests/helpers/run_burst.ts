/**
 * Run in a process of its own by `bounded_test.ts`: a burst of `run()` calls
 * over several policies, while the operating system's list of this
 * process's children is sampled, so that every sandbox process counts,
 * whichever sandbox started it. Prints one JSON line: the bound, the most
 * children seen alive at once, and each run's stdout and expected stdout.
 */
import { run, runLimiter, shutdown } from "../../src/host/run.ts";
import { Sandbox } from "../../src/host/sandbox.ts";
import { descendants } from "./procfs.ts";

const policies = ["default", "strict", { version: 1 as const }];
// A snapshot build is a process too, outside the bound: build them first.
for (const policy of policies) {
  const sandbox = new Sandbox({ policy, poolSize: 0 });
  await sandbox.prepare();
  await sandbox.close();
}

const max = runLimiter().maxProcesses;
let peak = 0;
const sample = () => peak = Math.max(peak, descendants().length);
const timer = setInterval(sample, 20);
// Two more runs than the bound allows processes, over two named policies (a
// sandbox each) and policy objects (a throw-away sandbox per call): were each
// sandbox bounded on its own, all of them would run at once.
const results = await Promise.all(
  Array.from({ length: max + 2 }, async (_, i) => {
    const r = await run(`print(${i})`, { policy: policies[i % 3], queueTimeoutMs: 600_000 });
    return [r.stdout, `${i}\n`];
  }),
);
sample();
clearInterval(timer);
await shutdown();
console.log(JSON.stringify({ max, peak, results, left: descendants().length }));
