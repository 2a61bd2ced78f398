/**
 * `run()`: one call, one fresh interpreter, using a process-wide sandbox per
 * policy that is created on first use.
 *
 * @module
 */
import { Sandbox } from "./sandbox.ts";
import { RUN_OPTION_KEYS, type RunOptions } from "./options.ts";
import { checkOptionKeys } from "../option_keys.ts";
import type { RunResult } from "../protocol/result.ts";

const sandboxes = new Map<string, Sandbox>();

function sandboxFor(policy: RunOptions["policy"]): Sandbox {
  // Policy objects are not cached: a caller may build many of them. Pool size
  // 1 keeps the run's process in the pool, so close() waits for it to exit.
  if (typeof policy === "object") return new Sandbox({ policy, poolSize: 1 });
  const name = policy ?? "default";
  let sandbox = sandboxes.get(name);
  if (!sandbox) {
    sandbox = new Sandbox({ policy: name, poolSize: 1 });
    sandboxes.set(name, sandbox);
  }
  return sandbox;
}

/**
 * Run untrusted Python `code` under a policy, in a fresh interpreter, and
 * return what happened. Never throws for anything the script did: its
 * exceptions, violations and limits are in the result.
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
