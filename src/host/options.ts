/**
 * Options accepted by `run()` and `Sandbox#run()`.
 *
 * @module
 */
import type { PolicyInput } from "../policy/schema.ts";

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
  /**
   * How long this run may wait for a sandbox process when all are busy
   * (milliseconds; default the sandbox's `queueTimeoutMs`, 60 000 for
   * `run()`). Past it the run ends as `QueueTimeout` without starting. Not
   * part of `timeoutMs`, which counts only the script's own execution.
   */
  queueTimeoutMs?: number;
  /** Called with each chunk of output as it arrives (the result still holds all of it). */
  onOutput?: (stream: "stdout" | "stderr", text: string) => void;
}

/** The keys of {@link RunOptions}; a `Record` so that the compiler keeps it complete. */
export const RUN_OPTION_KEYS: Record<keyof RunOptions, true> = {
  policy: true,
  origin: true,
  files: true,
  timeoutMs: true,
  memoryMb: true,
  queueTimeoutMs: true,
  onOutput: true,
};
