/**
 * Options accepted by `run()` and `Sandbox#run()`.
 *
 * @module
 */
import type { PolicyInput } from "../policy/schema.ts";
import type { RunEvent } from "./events.ts";

/** The read-only files a script may `open()`: text, or bytes for binary. */
export type Files = Record<string, string | Uint8Array>;

/** Options for one run. */
export interface RunOptions {
  /** A built-in policy name (`default`, `strict`, `compute`), a path to a YAML file, or a policy object (validated like a file). Default `"default"`. */
  policy?: string | PolicyInput;
  /** The script's origin, e.g. `https://a.example`. Omitted or `"null"`: no network. */
  origin?: string;
  /** The read-only virtual file system the script sees. */
  files?: Files;
  /** Tighten the policy's wall-clock limit (milliseconds); a looser value is an error. */
  timeoutMs?: number;
  /** Tighten the policy's memory limit (MiB); a looser value is an error. */
  memoryMb?: number;
  /** Called with each chunk of output as it arrives (the result still holds all of it). */
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
}

/** The keys of {@link RunOptions}; a `Record` so that the compiler keeps it complete. */
export const RUN_OPTION_KEYS: Record<keyof RunOptions, true> = {
  policy: true,
  origin: true,
  files: true,
  timeoutMs: true,
  memoryMb: true,
  onOutput: true,
  onEvent: true,
  caller: true,
};
