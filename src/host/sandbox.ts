/**
 * The `Sandbox`: a policy, a pool of warm sandbox processes, and the steps of
 * one run — tighten the limits, map policy and origin to permissions, pick a
 * process whose Deno permissions match, run, record.
 *
 * @module
 */
import { loadPolicy } from "../policy/load.ts";
import type { Policy } from "../policy/schema.ts";
import { tighten } from "../policy/merge.ts";
import { pythonSatisfies } from "../policy/python_range.ts";
import { parseOrigin } from "../capabilities/origin.ts";
import { type PermissionMap, permissionsFor } from "../capabilities/permissions.ts";
import { ProcessPool } from "./pool.ts";
import type { JobRequest, ProcessSpec } from "./process.ts";
import { RunRecorder } from "./recorder.ts";
import { ensureSnapshot } from "./snapshot.ts";
import { pythonVersion } from "./assets.ts";
import type { DoneEvent, Job, WorkerEvent } from "../protocol/messages.ts";
import { crashDone } from "../protocol/crash.ts";
import type { RunOptions } from "./options.ts";
import type { Finding, RunResult } from "../protocol/result.ts";
import { PolicyError, UsageError } from "../errors.ts";
import { isUnguarded } from "./internal.ts";
import { LIMIT_ERRORS } from "../protocol/result.ts";
import {
  type AuditEvent,
  type AuditSink,
  endEvent,
  jsonlAuditSink,
  sha256Hex,
} from "../audit/trail.ts";

/** Options for a {@link Sandbox}. */
export interface SandboxOptions {
  /** A policy name under `policies/`, a path to a YAML file, or a Policy object. Default `"default"`. */
  policy?: string | Policy;
  /** Idle sandbox processes kept ready per origin. Default 1. */
  poolSize?: number;
  /** Where audit events go, in addition to the policy's `audit.jsonl` file. */
  audit?: AuditSink | AuditSink[];
}

/** Per-run options of a {@link Sandbox} (its policy is fixed). */
export type SandboxRunOptions = Omit<RunOptions, "policy">;

/** A live view of a sandbox, for monitoring. */
export interface SandboxStats {
  /** Runs started since the sandbox was created. */
  runs: number;
  /** Runs currently in progress. */
  active: number;
  /** Violations recorded since the sandbox was created. */
  violations: number;
  /** Runs that ended at a resource limit. */
  limitHits: number;
  /** The sandbox processes alive right now. */
  processes: { pid: number; busy: boolean; warm: boolean }[];
}

/** What {@link Sandbox.check} returns: static-analysis findings, nothing executed. */
export interface CheckResult {
  /** True when nothing was found. */
  ok: boolean;
  /** Every finding, with line and column. */
  findings: Finding[];
}

function byteLength(code: string): number {
  return new TextEncoder().encode(code).length;
}

/** Why a script of `size` bytes may not run under `map`, if it may not. */
function sizeProblem(size: number, map: PermissionMap): string | undefined {
  const limit = map.limits.codeBytes;
  return size > limit ? `the script is ${size} bytes; the limit is ${limit}` : undefined;
}

/**
 * A reusable sandbox: one policy, warm interpreters, a fresh interpreter for
 * every run.
 *
 * @example
 * ```ts
 * import { Sandbox } from "@pyfence/pyfence";
 * const sandbox = new Sandbox({ policy: "default", poolSize: 2 });
 * try {
 *   const result = await sandbox.run("print(6 * 7)");
 *   console.log(result.stdout); // "42\n"
 * } finally {
 *   await sandbox.close();
 * }
 * ```
 */
export class Sandbox {
  #policy: Promise<Policy>;
  #pool: ProcessPool;
  #unguarded: boolean;
  #policyLabel: string;
  #sinks: AuditSink[];
  #jsonlSinks = new Map<string, AuditSink>();
  #counters = { runs: 0, active: 0, violations: 0, limitHits: 0 };

  /** Create a sandbox; the policy is loaded (and validated) lazily on first use. */
  constructor(options: SandboxOptions = {}) {
    const poolSize = options.poolSize ?? 1;
    if (!Number.isInteger(poolSize) || poolSize < 0 || poolSize > 64) {
      throw new UsageError("poolSize", `must be an integer from 0 to 64, got ${poolSize}`);
    }
    this.#policy = loadPolicy(options.policy ?? "default");
    this.#policy.catch(() => {});
    this.#pool = new ProcessPool(poolSize);
    this.#unguarded = isUnguarded(options);
    this.#policyLabel = typeof options.policy === "string"
      ? options.policy
      : options.policy
      ? "inline"
      : "default";
    this.#sinks = options.audit === undefined ? [] : [options.audit].flat();
  }

  /** The sandbox's validated policy. */
  policy(): Promise<Policy> {
    return this.#policy;
  }

  /**
   * Start interpreters for `origin` ahead of the first run, so that run pays
   * no boot time.
   */
  async warm(origin?: string): Promise<void> {
    const { spec } = await this.#prepare({ origin });
    await this.#pool.warm(spec);
  }

  /**
   * Run `code` in a fresh interpreter. Never throws for anything the script
   * does; throws {@link PolicyError} or {@link UsageError} for bad options.
   */
  async run(code: string, options: SandboxRunOptions = {}): Promise<RunResult> {
    const { map, spec, sinks } = await this.#prepare(options);
    const runId = crypto.randomUUID();
    const origin = map.guard.network.origin ?? "null";
    const audit = (event: AuditEvent) => this.#emit(sinks, event);
    const recorder = new RunRecorder({
      outputBytes: map.limits.outputBytes,
      terminateOnViolation: map.guard.on_violation === "terminate",
      onOutput: options.onOutput,
      onViolation: (violation) =>
        audit({ type: "violation", ts: new Date().toISOString(), runId, origin, violation }),
    });
    const size = byteLength(code);
    audit({
      type: "run.start",
      ts: new Date().toISOString(),
      runId,
      origin,
      policy: this.#policyLabel,
      codeSha256: await sha256Hex(code),
      codeBytes: size,
    });
    this.#counters.runs++;
    this.#counters.active++;
    let result: RunResult;
    try {
      result = await this.#execute(code, size, map, spec, recorder);
    } finally {
      this.#counters.active--;
    }
    this.#counters.violations += result.violations.length;
    if (result.error && LIMIT_ERRORS.has(result.error.type)) this.#counters.limitHits++;
    await audit(endEvent(runId, origin, result));
    return result;
  }

  async #execute(
    code: string,
    size: number,
    map: PermissionMap,
    spec: ProcessSpec,
    recorder: RunRecorder,
  ): Promise<RunResult> {
    const tooLarge = sizeProblem(size, map);
    if (tooLarge) {
      return recorder.finish(crashDone("CodeSizeError", tooLarge));
    }
    const done = await this.#job(
      spec,
      this.#makeJob("execute", code, map),
      (e) => recorder.accept(e),
    );
    return recorder.finish(done);
  }

  /**
   * Statically analyse `code` under the policy, without running it. Like
   * `run()`, it never throws for anything in the script: a script that
   * breaks the analysis itself is reported as a finding of kind `error`.
   */
  async check(code: string, options: SandboxRunOptions = {}): Promise<CheckResult> {
    const { map, spec } = await this.#prepare(options);
    const tooLarge = sizeProblem(byteLength(code), map);
    if (tooLarge) return { ok: false, findings: [{ kind: "size", detail: tooLarge }] };
    const done = await this.#job(spec, this.#makeJob("check", code, map), () => {});
    if (!done.ok || !done.findings) {
      const detail = done.error
        ? `${done.error.type}: ${done.error.message}`
        : "the analysis returned nothing";
      return { ok: false, findings: [{ kind: "error", detail }] };
    }
    return { ok: done.findings.length === 0, findings: done.findings };
  }

  /** Counters and live processes, for monitoring. */
  stats(): SandboxStats {
    return {
      ...this.#counters,
      processes: this.#pool.processes().map((p) => ({ pid: p.pid, busy: p.busy, warm: p.warm })),
    };
  }

  /** End every sandbox process. Runs in progress end as `WorkerCrash`. */
  close(): Promise<void> {
    return this.#pool.close();
  }

  #jsonlSink(path: string): AuditSink {
    let sink = this.#jsonlSinks.get(path);
    if (!sink) this.#jsonlSinks.set(path, sink = jsonlAuditSink(path));
    return sink;
  }

  async #emit(sinks: AuditSink[], event: AuditEvent): Promise<void> {
    await Promise.all(sinks.map(async (sink) => {
      try {
        await sink(event);
      } catch (err) {
        console.error(`pyfence: audit sink failed: ${(err as Error).message}`);
      }
    }));
  }

  async #prepare(
    options: SandboxRunOptions,
  ): Promise<{ map: PermissionMap; spec: ProcessSpec; sinks: AuditSink[] }> {
    const policy = tighten(await this.#policy, {
      timeoutMs: options.timeoutMs,
      memoryMb: options.memoryMb,
    });
    if (policy.python) {
      const version = await pythonVersion();
      if (!pythonSatisfies(policy.python, version)) {
        throw new PolicyError(
          "python",
          `the policy needs Python ${policy.python}, but this interpreter is ${version}`,
        );
      }
    }
    const map = permissionsFor(policy, parseOrigin(options.origin), options.files);
    const snapshotPath = await ensureSnapshot(map.guard.modules.allow);
    const sinks = policy.audit.jsonl
      ? [...this.#sinks, jsonlAuditSink(policy.audit.jsonl)]
      : this.#sinks;
    return {
      map,
      spec: {
        permissions: map.deno,
        memoryMb: map.limits.memoryMb,
        snapshotPath,
        unguarded: this.#unguarded,
      },
      sinks,
    };
  }

  #makeJob(mode: Job["mode"], code: string, map: PermissionMap): JobRequest {
    return {
      mode,
      code,
      guard: map.guard,
      timeoutMs: map.limits.timeoutMs,
      memoryMb: map.limits.memoryMb,
    };
  }

  async #job(
    spec: ProcessSpec,
    job: JobRequest,
    onEvent: (event: WorkerEvent) => void,
  ): Promise<DoneEvent> {
    // A process can die while idle; a job it never started is safe to retry once.
    for (let attempt = 0;; attempt++) {
      let started = false;
      const process = await this.#pool.acquire(spec);
      let done: DoneEvent;
      try {
        done = await process.run(job, (event) => {
          if (event.t === "started") started = true;
          onEvent(event);
        });
      } finally {
        this.#pool.release(spec, process);
      }
      if (started || attempt > 0 || done.error?.type !== "WorkerCrash") return done;
    }
  }
}
