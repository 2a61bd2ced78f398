/**
 * Whether this runtime can give pyfence what its isolation rests on, checked
 * once before a server takes requests (Deno Deploy and other hosts where a
 * capability may be missing): it must be allowed to start subprocesses, and
 * a worker started with its own permissions must really hold only those.
 * Where either fails, pyfence refuses to run scripts at all rather than run
 * them with less isolation.
 *
 * The second check is a canary: one run in a sandbox process with the Python
 * guard off (the switch pyfence's own tests use) tries, from the worker's
 * JavaScript, what its sandbox process may do but its worker may not: read
 * Pyodide's lock file and the process's channel-token variable. Both must be
 * refused by Deno (where Deno logs its refusals, the host also sees them
 * and ends the canary run as a breach, which is what it looks for).
 *
 * @module
 */
import { SandboxError } from "../errors.ts";
import type { PolicyInput } from "../policy/schema.ts";
import { TOKEN_ENV } from "../protocol/channel.ts";
import { pyodidePath } from "./assets.ts";
import { unguardedForTests } from "./internal.ts";
import { Sandbox } from "./sandbox.ts";

/** What the probe reads of the runtime (replaceable to simulate a missing capability). */
export interface RuntimeFacts {
  /** `Deno.Command`, if the runtime has it. */
  command: unknown;
  /** The state of a permission (`Deno.permissions.querySync`). */
  permission(descriptor: Deno.PermissionDescriptor): Deno.PermissionState;
  /** What a worker could do that only its process may: `allowed` or `denied` for each attempt. */
  canary(policy: string | PolicyInput): Promise<Record<string, string>>;
}

const CANARY = (lockPath: string) => `
import js, json
seen = {}
def attempt(name, action):
    try:
        action()
        seen[name] = "allowed"
    except Exception:
        seen[name] = "denied"
# Needs no permission: shows the worker's JavaScript was reached, so the refusals below are Deno's.
attempt("control", lambda: js.Deno.memoryUsage())
attempt("read", lambda: js.Deno.readTextFileSync(${JSON.stringify(lockPath)}))
attempt("env", lambda: js.Deno.env.get(${JSON.stringify(TOKEN_ENV)}))
print(json.dumps(seen))
`;

async function realCanary(policy: string | PolicyInput): Promise<Record<string, string>> {
  const sandbox = new Sandbox(unguardedForTests({ policy, poolSize: 0 }));
  try {
    const result = await sandbox.run(CANARY(`${pyodidePath()}/pyodide-lock.json`));
    // Where Deno logs its refusals, the host sees them too and ends the run
    // as a breach (see permission_audit.ts): the refusal the canary wants.
    const refusedOnly = result.error?.type === "SandboxBreach" &&
      result.violations.every((v) => v.kind === "breach" && v.detail.includes("Deno refused"));
    if (!result.ok && !refusedOnly) {
      throw new Error(`the canary run failed: ${result.error?.type}: ${result.error?.message}`);
    }
    return JSON.parse(result.stdout);
  } finally {
    await sandbox.close();
  }
}

/** The runtime this process runs in. */
export function runtimeFacts(): RuntimeFacts {
  return {
    command: (Deno as { Command?: unknown }).Command,
    permission: (descriptor) => Deno.permissions.querySync(descriptor).state,
    canary: realCanary,
  };
}

let probed: Promise<void> | undefined;

/**
 * {@link probeRuntime} once per process: the runtime does not change. A
 * failure is kept, so every later start refuses too.
 *
 * @throws {SandboxError} (`unsupported`) naming what is missing.
 */
export function probeRuntimeOnce(policy: string | PolicyInput = "default"): Promise<void> {
  return probed ??= probeRuntime(policy);
}

/**
 * Check that this runtime can isolate scripts as pyfence does; `policy` is
 * the one the canary run uses (a configured one, whose snapshot exists).
 *
 * @throws {SandboxError} (`unsupported`) naming what is missing.
 */
export async function probeRuntime(
  policy: string | PolicyInput = "default",
  facts: RuntimeFacts = runtimeFacts(),
): Promise<void> {
  const refuse = (what: string, cause?: unknown): never => {
    throw new SandboxError(
      "unsupported",
      `${what}; pyfence runs every script in a sandbox process of its own, in a worker ` +
        "holding only the script's permissions, and refuses to run scripts with less",
      { cause },
    );
  };
  if (typeof facts.command !== "function") {
    refuse("this runtime cannot start subprocesses (it has no Deno.Command)");
  }
  let execPath = "deno";
  try {
    execPath = Deno.execPath();
  } catch {
    // Without read access the path is not known; the permission query below says so.
  }
  if (facts.permission({ name: "run", command: execPath }) !== "granted") {
    refuse(`this process may not start '${execPath}' (grant --allow-run)`);
  }
  let seen: Record<string, string>;
  try {
    seen = await facts.canary(policy);
  } catch (err) {
    return refuse(
      `a sandbox process could not be started here: ${(err as Error)?.message ?? err}`,
      err,
    );
  }
  const { control, ...attempts } = seen;
  if (control !== "allowed") {
    refuse("the canary run could not reach its worker's JavaScript, so nothing was checked");
  }
  const allowed = Object.entries(attempts).filter(([, v]) => v !== "denied").map(([k]) => k);
  if (allowed.length || !Object.keys(attempts).length) {
    refuse(
      "this runtime does not apply a worker's own permissions (the canary worker was " +
        `allowed: ${allowed.join(", ") || "nothing was checked"})`,
    );
  }
}
