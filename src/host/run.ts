/**
 * `run()`: one call, one fresh interpreter, using a process-wide sandbox per
 * policy that is created on first use. All of them draw from one
 * {@link ProcessLimiter}, so however many policies the calls use, the
 * sandbox processes alive at once stay within one machine-sized bound.
 *
 * @module
 */
import { Sandbox, type SandboxOptions } from "./sandbox.ts";
import { RUN_OPTION_KEYS, type RunOptions } from "./options.ts";
import { checkOptionKeys } from "../option_keys.ts";
import type { RunResult } from "../protocol/result.ts";
import { ProcessLimiter, withLimiter } from "./limiter.ts";

const sandboxes = new Map<string, Sandbox>();
let limiter: ProcessLimiter | undefined;

/** The one limit every `run()` sandbox draws from (created on first use). Not exported from `mod.ts`: for tests and monitoring within pyfence. */
export function runLimiter(): ProcessLimiter {
  return limiter ??= new ProcessLimiter();
}

function sandboxFor(policy: RunOptions["policy"]): Sandbox {
  const make = (policy: SandboxOptions["policy"]) =>
    new Sandbox(withLimiter({ policy, poolSize: 1 }, runLimiter()));
  // Policy objects are not cached: a caller may build many of them. Their
  // sandbox is closed after the run, and waits for its process to exit.
  if (typeof policy === "object") return make(policy);
  const name = policy ?? "default";
  let sandbox = sandboxes.get(name);
  if (!sandbox) {
    sandbox = make(name);
    sandboxes.set(name, sandbox);
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
 */
export async function run(code: string, options: RunOptions = {}): Promise<RunResult> {
  checkOptionKeys("run() options", options, RUN_OPTION_KEYS);
  const { policy, ...rest } = options;
  const sandbox = sandboxFor(policy);
  try {
    return await sandbox.run(code, rest);
  } finally {
    if (typeof policy === "object") await sandbox.close();
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
  const all = [...sandboxes.values()];
  sandboxes.clear();
  await Promise.all(all.map((s) => s.close()));
}
