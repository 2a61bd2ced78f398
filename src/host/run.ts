/**
 * `run()`: one call, one fresh interpreter, using a process-wide sandbox per
 * policy that is created on first use.
 *
 * @module
 */
import { Sandbox } from "./sandbox.ts";
import type { RunOptions } from "./options.ts";
import type { RunResult } from "../protocol/result.ts";

const sandboxes = new Map<string, Sandbox>();

function sandboxFor(policy: RunOptions["policy"]): Sandbox {
  // Policy objects are not cached: a caller may build many of them.
  if (typeof policy === "object") return new Sandbox({ policy, poolSize: 0 });
  const name = policy ?? "default";
  let sandbox = sandboxes.get(name);
  if (!sandbox) {
    sandbox = new Sandbox({ policy: name, poolSize: 1 });
    sandboxes.set(name, sandbox);
  }
  return sandbox;
}

/**
 * Run untrusted Python `code` under a policy and return what happened. Never
 * throws for anything the script did; throws `PolicyError` / `UsageError`
 * for the caller's own mistakes (bad policy, bad origin, looser limits).
 *
 * @example
 * ```ts
 * import { run } from "@pyfence/pyfence";
 * const result = await run("import json\nprint(json.dumps({'a': 1}))", {
 *   origin: "https://a.example",
 * });
 * console.log(result.ok, result.stdout); // true {"a": 1}
 * ```
 */
export async function run(code: string, options: RunOptions = {}): Promise<RunResult> {
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
 * await run("print(1)");
 * await shutdown();
 * ```
 */
export async function shutdown(): Promise<void> {
  const all = [...sandboxes.values()];
  sandboxes.clear();
  await Promise.all(all.map((s) => s.close()));
}
