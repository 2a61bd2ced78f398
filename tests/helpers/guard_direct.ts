/**
 * The Python guard run in a Pyodide of the test process's own (a worker with
 * full permissions; no sandbox process), for what only a test may do: give
 * the script an object the guard never would (standing in for a way around
 * the guard, to show what lies beneath it), or switch a part of the guard
 * off to measure it. A prelude is trusted Python run once, before any
 * guarded run (`pyfence_guard` is importable there); every run then starts
 * from a snapshot of that interpreter, as a sandbox's runs do. Variants
 * (named preludes) share one compiled wasm module, so they compare fairly.
 * Real runs go through `Sandbox`: nothing here is part of pyfence.
 */
import type { Policy } from "../../src/policy/schema.ts";
import { permissionsFor } from "../../src/capabilities/permissions.ts";
import { parseOrigin } from "../../src/capabilities/origin.ts";

/** What one direct run returned. */
export interface DirectRun {
  /** The guard's own result JSON, parsed. */
  result: { ok: boolean; error?: { type: string; message: string; traceback?: string } };
  /** What the script wrote to stdout. */
  stdout: string;
  /** The violations the guard reported, in order. */
  violations: { kind: string; detail: string; line?: number }[];
  /** Milliseconds inside the guard's `execute()`. */
  ms: number;
}

/** Fresh interpreters with the guard, `policy`'s modules and a prelude loaded. */
export class DirectGuard {
  #worker: Worker;
  #queue: Promise<unknown>;
  #policy: Policy;

  /**
   * Start the worker and build its snapshots: one of `prelude`, or one per
   * named prelude when `prelude` is a record of them.
   */
  constructor(policy: Policy, prelude: string | Record<string, string> = "") {
    this.#policy = policy;
    this.#worker = new Worker(new URL("./guard_direct_worker.ts", import.meta.url), {
      type: "module",
    });
    const preludes = typeof prelude === "string" ? { "": prelude } : prelude;
    this.#queue = this.#ask({ t: "setup", preload: policy.modules.allow, preludes });
  }

  #ask(message: unknown): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      this.#worker.onmessage = (e) => {
        if (e.data.crash) reject(new Error(e.data.crash));
        else resolve(e.data);
      };
      this.#worker.onerror = (e) => {
        e.preventDefault();
        reject(e.error ?? new Error(e.message));
      };
      this.#worker.postMessage(message);
    });
  }

  /**
   * Run `code` once in a fresh interpreter, under `policy` (default: the one
   * given), from the snapshot of `variant` (default: the single prelude's).
   */
  run(code: string, policy: Policy = this.#policy, variant = ""): Promise<DirectRun> {
    const config = JSON.stringify(permissionsFor(policy, parseOrigin("https://app.example")).guard);
    const next = this.#queue.then(() => this.#ask({ t: "run", code, config, variant }));
    this.#queue = next.catch(() => {});
    return next as unknown as Promise<DirectRun>;
  }

  /** End the worker. */
  close(): void {
    this.#worker.terminate();
  }
}
