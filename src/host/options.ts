/**
 * Options accepted by `run()` and `Sandbox#run()`.
 *
 * @module
 */
import type { PolicyInput } from "../policy/schema.ts";
import type { RunEvent } from "./events.ts";
import type { HostFunctions } from "./expose.ts";

/** The read-only files a script may `open()`: text, or bytes for binary. */
export type Files = Record<string, string | Uint8Array>;

/**
 * Values bound as the script's globals, by name: plain JSON data (see
 * `checkInputs`).
 */
export type Inputs = Record<string, unknown>;

/** Options for one run. */
export interface RunOptions {
  /** A built-in policy name (`default`, `strict`, `compute`), a path to a YAML file, or a policy object (validated like a file). Default `"default"`. */
  policy?: string | PolicyInput;
  /** The script's origin, e.g. `https://a.example`. Omitted or `"null"`: no network. */
  origin?: string;
  /** The read-only virtual file system the script sees. */
  files?: Files;
  /**
   * Globals for the script, by name: `{ rows: [1, 2, 3] }` makes `rows` a
   * `list`. Plain data only (null, booleans, finite numbers, strings, arrays,
   * plain objects; at most 16 MiB of JSON, 64 levels deep); a name must be a
   * Python identifier that shadows no builtin, keyword or dunder.
   */
  inputs?: Inputs;
  /** Tighten the policy's wall-clock limit (milliseconds); a looser value is an error. */
  timeoutMs?: number;
  /** Tighten the policy's memory limit (MiB); a looser value is an error. */
  memoryMb?: number;
  /**
   * How long this run may wait for a sandbox process when all are busy
   * (milliseconds; default the sandbox's `queueTimeoutMs`, 60 000 for
   * `run()`). Past it the run ends as `QueueTimeout` without starting. Not
   * part of `timeoutMs`, which counts only the script's own execution.
   */
  queueTimeoutMs?: number;
  /**
   * Called with the script's output as it prints it, once per line (with its
   * `\n`): within about 50 ms of the write, and at once before the script
   * waits for the host or the network. A line still being written comes as
   * it stands then, its rest in a later call. The result still holds all of it.
   */
  onOutput?: (stream: "stdout" | "stderr", text: string) => void;
  /**
   * Called with the run's live events: `started`, `output`, each `violation`,
   * a resource `sample` every 250 ms (CPU time and memory growth of the
   * sandbox process, output so far), a `warning` at 80% of the time, memory
   * or output limit, and `done` with the result. A callback that throws is
   * reported on stderr and does not affect the run.
   */
  onEvent?: (event: RunEvent) => void;
  /** Who asked for this run, as your application names them: recorded as `caller` in its audit events. */
  caller?: string;
  /**
   * Whose run this is, for a `Sandbox` with `isolation: "tenant"` (where it
   * is required): runs of one tenant (with the same origin and limits) may
   * share an interpreter reset in place between them; runs of different
   * tenants never share a worker or a process. Ignored at `isolation: "run"`,
   * where no two runs share a worker. 1 to 256 characters.
   */
  tenant?: string;
  /**
   * Functions the script may call, by name: `from pyfence.host import lookup`.
   * Arguments and results cross as plain data (JSON values, at most 1 MiB each);
   * what a function throws reaches the script as `pyfence.host.HostError` with
   * the message only. Exposing is the caller's grant: it works under any policy,
   * within the policy's `limits.host_calls` and `limits.host_call_bytes`.
   */
  expose?: HostFunctions;
  /**
   * Abort the run: before it starts, it never starts; while it runs, its
   * sandbox process is killed at once. Either way the result has
   * `error.type` `Aborted` (with the output and violations so far).
   */
  signal?: AbortSignal;
}

/** The keys of {@link RunOptions}; a `Record` so that the compiler keeps it complete. */
export const RUN_OPTION_KEYS: Record<keyof RunOptions, true> = {
  policy: true,
  origin: true,
  files: true,
  inputs: true,
  timeoutMs: true,
  memoryMb: true,
  queueTimeoutMs: true,
  onOutput: true,
  onEvent: true,
  caller: true,
  tenant: true,
  expose: true,
  signal: true,
};
