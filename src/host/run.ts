/**
 * `run()`: one call, one fresh interpreter, using a process-wide sandbox per
 * policy that is created on first use: per name for a name or path, per
 * validated content for a policy object (a caller that builds the same
 * policy for every request gets warm processes too). All of them draw from
 * one {@link ProcessLimiter}, so however many policies the calls use, the
 * sandbox processes alive at once stay within one machine-sized bound.
 *
 * @module
 */
import { Sandbox, type SandboxOptions } from "./sandbox.ts";
import { RUN_OPTION_KEYS, type RunOptions } from "./options.ts";
import { checkOptionKeys } from "../option_keys.ts";
import type { RunResult } from "../protocol/result.ts";
import { loadPolicy } from "../policy/load.ts";
import { ProcessLimiter, withLimiter } from "./limiter.ts";

const sandboxes = new Map<string, Sandbox>();
/** Sandboxes of policy objects by validated content, the one used last at the end. */
const byContent = new Map<string, Sandbox>();
/** Policy objects whose sandboxes stay warm at once: each may hold an idle process. */
const MAX_POLICY_OBJECTS = 8;
/** Runs in progress per sandbox of a policy object: those are never closed. */
const inUse = new Map<Sandbox, number>();
let limiter: ProcessLimiter | undefined;

/** The one limit every `run()` sandbox draws from (created on first use). Not exported from `mod.ts`: for tests and monitoring within pyfence. */
export function runLimiter(): ProcessLimiter {
  return limiter ??= new ProcessLimiter();
}

/** A sandbox for `run()`: pool size 1 keeps the run's process in the pool, so close() waits for it to exit. */
function makeSandbox(policy: SandboxOptions["policy"]): Sandbox {
  return new Sandbox(withLimiter({ policy, poolSize: 1 }, runLimiter()));
}

async function sandboxFor(policy: RunOptions["policy"]): Promise<Sandbox> {
  if (typeof policy !== "object") {
    const name = policy ?? "default";
    let sandbox = sandboxes.get(name);
    if (!sandbox) {
      sandbox = makeSandbox(name);
      sandboxes.set(name, sandbox);
    }
    return sandbox;
  }
  const validated = await loadPolicy(policy);
  const key = JSON.stringify(validated);
  let sandbox = byContent.get(key);
  byContent.delete(key);
  sandbox ??= makeSandbox(validated);
  byContent.set(key, sandbox);
  for (const [oldKey, old] of byContent) {
    if (byContent.size <= MAX_POLICY_OBJECTS) break;
    // One still running stays until a later call finds it idle.
    if (inUse.has(old) || old === sandbox) continue;
    byContent.delete(oldKey);
    old.close().catch(() => {});
  }
  return sandbox;
}

/**
 * Run untrusted Python `code` under a policy, in a fresh interpreter, and
 * return what happened. Never throws for anything the script did: its
 * exceptions, violations and limits are in the result.
 *
 * Every `run()` call in the process shares one bound on sandbox processes
 * (the machine's default `maxProcesses`, see {@link Sandbox}) and one queue
 * of 1000 runs; a run that waits longer than its `queueTimeoutMs` (default
 * 60 s) ends as `QueueTimeout`, one that finds the queue full as
 * `QueueFull` (both `error.kind` `"queue"`).
 *
 * @throws {PolicyError} the policy is invalid or cannot be read.
 * @throws {UsageError} an unknown option key, a bad origin or file, or a limit looser than the policy's.
 * @throws {SandboxError} the interpreter could not be started (snapshot build, sandbox process).
 *
 * @example
 * ```ts
 * import { run, shutdown } from "@pyfence/pyfence";
 * import assert from "node:assert/strict";
 * const result = await run("import json\nprint(json.dumps({'a': 1}))", {
 *   origin: "https://a.example",
 * });
 * assert.equal(result.stdout, '{"a": 1}\n');
 *
 * const blocked = await run("print(open('/etc/passwd').read())");
 * assert.equal(blocked.ok, false);
 * assert.equal(blocked.stdout, "");
 * assert.equal(blocked.violations[0].kind, "filesystem");
 * await shutdown();
 * ```
 *
 * @example Host functions, and cancelling
 * ```ts
 * import { run, shutdown } from "@pyfence/pyfence";
 * import assert from "node:assert/strict";
 * const result = await run(
 *   "from pyfence.host import add, lookup\nprint(add(2, 3), lookup('a'))",
 *   { expose: { add: (a: number, b: number) => a + b, lookup: async (key: string) => ({ key }) } },
 * );
 * assert.equal(result.stdout, "5 {'key': 'a'}\n");
 * assert.deepEqual(result.hostCalls?.map((c) => c.name), ["add", "lookup"]);
 *
 * const aborted = await run("while True:\n    pass", { signal: AbortSignal.timeout(500) });
 * assert.equal(aborted.error?.type, "Aborted");
 * await shutdown();
 * ```
 */
export async function run(code: string, options: RunOptions = {}): Promise<RunResult> {
  checkOptionKeys("run() options", options, RUN_OPTION_KEYS);
  const { policy, ...rest } = options;
  const sandbox = await sandboxFor(policy);
  inUse.set(sandbox, (inUse.get(sandbox) ?? 0) + 1);
  try {
    return await sandbox.run(code, rest);
  } finally {
    const left = inUse.get(sandbox)! - 1;
    if (left) inUse.set(sandbox, left);
    else inUse.delete(sandbox);
  }
}

/**
 * End the sandbox processes `run()` keeps warm. Idle ones never keep the
 * program alive, so this is only needed where every resource must be closed
 * (for example at the end of a test).
 *
 * @example
 * ```ts
 * import { run, shutdown } from "@pyfence/pyfence";
 * import assert from "node:assert/strict";
 * assert.equal((await run("print(1)")).stdout, "1\n");
 * await shutdown();
 * ```
 */
export async function shutdown(): Promise<void> {
  const all = [...sandboxes.values(), ...byContent.values()];
  sandboxes.clear();
  byContent.clear();
  await Promise.all(all.map((s) => s.close()));
}
