/**
 * Options accepted by `run()` and `Sandbox#run()`.
 *
 * @module
 */
import type { PolicyInput } from "../policy/schema.ts";

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
  /** Called with each chunk of output as it arrives (the result still holds all of it). */
  onOutput?: (stream: "stdout" | "stderr", text: string) => void;
}

/** The keys of {@link RunOptions}; a `Record` so that the compiler keeps it complete. */
export const RUN_OPTION_KEYS: Record<keyof RunOptions, true> = {
  policy: true,
  origin: true,
  files: true,
  inputs: true,
  timeoutMs: true,
  memoryMb: true,
  onOutput: true,
};
