/**
 * The live events of one run, for a caller that watches it (`onEvent`): it
 * started, what it printed, each violation, periodic resource samples,
 * warnings as it nears a limit, and its result.
 *
 * @module
 */
import type { RunResult, Violation } from "../protocol/result.ts";

/** A resource a run can be warned about. */
export type WarnedResource = "time" | "memory" | "output";

/** One live event of a run. Narrow on `type`. */
export type RunEvent =
  | {
    /** The script started (its interpreter had booted; `timeoutMs` counts from here). */
    type: "started";
    /** The run's id, as in its audit events. */
    runId: string;
  }
  | {
    /** The script printed (as the result will hold it: within the output cap). */
    type: "output";
    /** Which stream. */
    stream: "stdout" | "stderr";
    /** The text. */
    text: string;
  }
  | {
    /** The script tried something its policy does not grant. */
    type: "violation";
    /** The violation. */
    violation: Violation;
  }
  | {
    /** A resource sample, taken every {@link SAMPLE_MS} while the script runs. */
    type: "sample";
    /** Milliseconds since the script started. */
    elapsedMs: number;
    /** CPU time of the sandbox process since the script started (Linux; absent elsewhere). */
    cpuTimeMs?: number;
    /** How much the sandbox process's resident memory grew since the script started (Linux). */
    memoryBytes?: number;
    /** Output bytes so far. */
    outputBytes: number;
  }
  | {
    /** The run used {@link WARN_AT} of a limit (once per resource per run). */
    type: "warning";
    /** Which limit. */
    resource: WarnedResource;
    /** How much it used (ms for time, bytes otherwise). */
    used: number;
    /** The limit, in the same unit. */
    limit: number;
  }
  | {
    /** The run ended; its result (the same object `run()` returns). */
    type: "done";
    /** The result. */
    result: RunResult;
  };

/** How often a running script's resources are sampled for `onEvent` (ms). */
export const SAMPLE_MS = 250;

/** The share of a limit at which a run is warned. */
export const WARN_AT = 0.8;
