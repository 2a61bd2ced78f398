/**
 * The `Sandbox`: a policy, a pool of warm sandbox processes, and the steps of
 * one run — tighten the limits, map policy and origin to permissions, pick a
 * process whose Deno permissions match, run, record.
 *
 * @module
 */
import { loadPolicy } from "../policy/load.ts";
import type { Policy, PolicyInput } from "../policy/schema.ts";
import { tighten } from "../policy/merge.ts";
import { pythonSatisfies } from "../policy/python_range.ts";
import { parseOrigin } from "../capabilities/origin.ts";
import { type PermissionMap, permissionsFor } from "../capabilities/permissions.ts";
import { ProcessPool } from "./pool.ts";
import type { JobRequest, ProcessSpec } from "./process.ts";
import { RunRecorder } from "./recorder.ts";
import { ensureSnapshot, wheels } from "./snapshot.ts";
import {
  packageSource,
  type PackageSourceOptions,
  type PreparedPackages,
  preparePackages,
} from "./packages.ts";

const NO_PACKAGES: PreparedPackages = Object.freeze({ packages: [], files: [], modules: [] });
import { pythonVersion } from "./assets.ts";
import type { DoneEvent, Job, WorkerEvent } from "../protocol/messages.ts";
import { crashDone } from "../protocol/crash.ts";
import { RUN_OPTION_KEYS, type RunOptions } from "./options.ts";
import { checkOptionKeys } from "../option_keys.ts";
import type { Finding, RunResult } from "../protocol/result.ts";
import { PolicyError, SandboxError, UsageError } from "../errors.ts";
import { isUnguarded } from "./internal.ts";
import { assertDenoVersion } from "./deno_version.ts";
import { LIMIT_ERRORS } from "../protocol/result.ts";
import {
  type AuditEvent,
  type AuditSink,
  endEvent,
  eventBase,
  limitEvent,
  operationEvent,
  type RunContext,
} from "../audit/trail.ts";
import type { RunEvent } from "./events.ts";
import type { OperationEvent } from "../protocol/operations.ts";
import { RunMonitor } from "./monitor.ts";
import { OperationRecorder } from "./operations.ts";
import { sha256Hex } from "../sha256.ts";
import { jsonlAuditSink } from "../audit/jsonl.ts";
import { exposedNames, exposeService } from "./expose.ts";
import { HostCallRouter } from "./host_calls.ts";
import type { CallHandler } from "./process.ts";

/** Options for a {@link Sandbox}. */
export interface SandboxOptions {
  /** A built-in policy name (`default`, `strict`, `compute`), a path to a YAML file, or a policy object (validated like a file). Default `"default"`. */
  policy?: string | PolicyInput;
  /** Idle sandbox processes kept ready per origin, for at most 8 origins at once (the process idle longest is closed first). Default 1. */
  poolSize?: number;
  /** Where audit events go, in addition to the policy's `audit.jsonl` file. */
  audit?: AuditSink | AuditSink[];
  /**
   * Where the policy's `packages` are fetched from: a directory URL (`https:`,
   * `http:`, `file:`) or a local directory holding the wheels by file name.
   * Default `$PYFENCE_PACKAGE_INDEX`, else Pyodide's CDN for this version.
   */
  packageIndex?: string;
  /**
   * The Pyodide lock file (a path or URL) that pins each package's file,
   * dependencies and sha256. Default `$PYFENCE_PACKAGE_LOCK`, else the one in
   * the pyodide npm package.
   */
  packageLock?: string;
}

const SANDBOX_OPTION_KEYS: Record<keyof SandboxOptions, true> = {
  policy: true,
  poolSize: true,
  audit: true,
  packageIndex: true,
  packageLock: true,
};

/** Per-run options of a {@link Sandbox} (its policy is fixed). */
export type SandboxRunOptions = Omit<RunOptions, "policy">;

const { policy: _policy, ...SANDBOX_RUN_OPTION_KEYS } = RUN_OPTION_KEYS;
const FIXED_POLICY = {
  policy: "a Sandbox's policy is fixed: give it to new Sandbox(), or use run()",
};

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

/** What the host watches of a run besides its result: its process, and its operations. */
interface RunWatch {
  /** The script started in process `pid`. */
  start(pid: number): void;
  /** The worker reported an operation for the audit trail. */
  operation(op: OperationEvent): void;
}

/** `onEvent`, made safe to call: what it throws is reported, never thrown into the run. */
function liveEvents(onEvent?: (event: RunEvent) => void): ((event: RunEvent) => void) | undefined {
  if (!onEvent) return undefined;
  let reported = false;
  return (event) => {
    try {
      onEvent(event);
    } catch (err) {
      if (!reported) console.error(`pyfence: onEvent failed: ${(err as Error)?.message ?? err}`);
      reported = true;
    }
  };
}

function byteLength(code: string): number {
  return new TextEncoder().encode(code).length;
}

/** Why a script of `size` bytes may not run under `map`, if it may not. */
function sizeProblem(size: number, map: PermissionMap): string | undefined {
  const limit = map.limits.codeBytes;
  return size > limit ? `the script is ${size} bytes; the limit is ${limit}` : undefined;
}

/** `onOutput` called once per line of each piece of output (a partial line as it came). */
function lineByLine(onOutput: NonNullable<RunOptions["onOutput"]>): RunOptions["onOutput"] {
  return (stream, text) => {
    for (const line of text.split(/(?<=\n)/)) onOutput(stream, line);
  };
}

/** The `done` of a run the caller's `signal` aborted, saying why. */
function aborted(signal: AbortSignal): DoneEvent {
  const reason = signal.reason;
  const why = reason instanceof Error ? reason.message : reason === undefined ? "" : String(reason);
  return crashDone("Aborted", why ? `the run was aborted: ${why}` : "the run was aborted");
}

/** The policy's own `audit.jsonl` sink; a path that cannot be written is the policy's fault. */
function policyAuditSink(path: string): AuditSink {
  try {
    return jsonlAuditSink(path);
  } catch (err) {
    if (err instanceof UsageError) throw new PolicyError("audit.jsonl", err.problem);
    throw err;
  }
}

/**
 * A reusable sandbox: one policy, warm interpreters, a fresh interpreter for
 * every run.
 *
 * @example
 * ```ts
 * import { Sandbox } from "@pyfence/pyfence";
 * import assert from "node:assert/strict";
 * const sandbox = new Sandbox({ policy: "default", poolSize: 1 });
 * try {
 *   const result = await sandbox.run("print(6 * 7)");
 *   assert.equal(result.stdout, "42\n");
 *   const { findings } = await sandbox.check("import os");
 *   assert.equal(findings[0].kind, "import");
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
  #packageOptions: PackageSourceOptions;
  #packages?: Promise<PreparedPackages>;
  #closed = false;
  #counters = { runs: 0, active: 0, violations: 0, limitHits: 0 };

  /**
   * Create a sandbox; the policy is loaded (and validated) lazily on first use.
   *
   * @throws {UsageError} an unknown option key, or a bad `poolSize`, `audit` or `packageIndex`.
   * @throws {SandboxError} (`deno-version`) this Deno is older than pyfence supports.
   */
  constructor(options: SandboxOptions = {}) {
    checkOptionKeys("new Sandbox() options", options, SANDBOX_OPTION_KEYS);
    assertDenoVersion();
    const poolSize = options.poolSize ?? 1;
    if (!Number.isInteger(poolSize) || poolSize < 0 || poolSize > 64) {
      throw new UsageError("poolSize", `must be an integer from 0 to 64, got ${poolSize}`);
    }
    const sinks = options.audit === undefined ? [] : [options.audit].flat();
    if (sinks.some((sink) => typeof sink !== "function")) {
      throw new UsageError("audit", "must be a function (an AuditSink) or a list of them");
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
    this.#sinks = sinks;
    // Checked now; the environment is read only once a policy has packages.
    packageSource(options, undefined, () => undefined);
    this.#packageOptions = { packageIndex: options.packageIndex, packageLock: options.packageLock };
  }

  /**
   * The sandbox's validated policy.
   *
   * @throws {PolicyError} the policy is invalid or cannot be read.
   */
  policy(): Promise<Policy> {
    return this.#policy;
  }

  /**
   * Load the policy, fetch its `packages` into the cache if they are not
   * there, and make sure its interpreter snapshot exists: the first use of a
   * policy on a machine builds it (a few seconds); later calls, in any
   * process, find both in the cache. Starts no sandbox process.
   *
   * @throws {PolicyError} the policy is invalid or cannot be read, or names a package it cannot have (`packages[i]`).
   * @throws {UsageError} a bad origin, `packageIndex` or `packageLock`.
   * @throws {SandboxError} the sandbox is closed, a package could not be fetched or failed its sha256 check (`packages`), or the snapshot could not be built.
   */
  async prepare(origin?: string): Promise<void> {
    await this.#prepare({ origin }, "sandbox.prepare() origin");
  }

  /**
   * {@link Sandbox.prepare}, then start interpreters for `origin` until
   * `poolSize` are idle, so that the next runs pay no boot time.
   *
   * @throws {PolicyError} the policy is invalid or cannot be read.
   * @throws {UsageError} a bad origin.
   * @throws {SandboxError} the sandbox is closed, or the snapshot or a process could not be started.
   */
  async warm(origin?: string): Promise<void> {
    const { spec } = await this.#prepare({ origin }, "sandbox.warm() origin");
    await this.#host("boot", () => this.#pool.warm(spec));
  }

  /**
   * Run `code` in a fresh interpreter. Never throws for anything the script
   * does.
   *
   * @throws {PolicyError} the policy is invalid or cannot be read.
   * @throws {UsageError} an unknown option key, a bad origin or file, or a limit looser than the policy's.
   * @throws {SandboxError} the sandbox is closed, or the interpreter could not be started.
   */
  async run(code: string, options: SandboxRunOptions = {}): Promise<RunResult> {
    const { map, spec, sinks } = await this.#prepare(options, "sandbox.run() options");
    if (options.caller !== undefined && typeof options.caller !== "string") {
      throw new UsageError("sandbox.run() options.caller", "must be a string");
    }
    if (options.onEvent !== undefined && typeof options.onEvent !== "function") {
      throw new UsageError("sandbox.run() options.onEvent", "must be a function");
    }
    const context: RunContext = {
      runId: crypto.randomUUID(),
      origin: map.guard.network.origin ?? "null",
      ...(options.caller === undefined ? {} : { caller: options.caller }),
    };
    const audit = (event: AuditEvent) => this.#emit(sinks, event);
    const emit = liveEvents(options.onEvent);
    const monitor = new RunMonitor({
      timeoutMs: map.limits.timeoutMs,
      memoryMb: map.limits.memoryMb,
      outputBytes: map.limits.outputBytes,
    }, emit);
    const calls = new HostCallRouter({
      services: options.expose ? { host: exposeService(options.expose) } : {},
      maxCalls: map.limits.hostCalls,
      maxBytes: map.limits.hostCallBytes,
      timeoutMs: map.limits.timeoutMs,
      onCall: (call) => audit({ ...eventBase(context), type: "host.call", call }),
    });
    const operations = new OperationRecorder((op) => audit(operationEvent(context, op)));
    const onOutput = options.onOutput && lineByLine(options.onOutput);
    const recorder = new RunRecorder({
      outputBytes: map.limits.outputBytes,
      terminateOnViolation: map.guard.on_violation === "terminate",
      onOutput: (stream, text) => {
        monitor.output(new TextEncoder().encode(text).length);
        onOutput?.(stream, text);
        emit?.({ type: "output", stream, text });
      },
      onViolation: (violation) => {
        audit({ ...eventBase(context), type: "violation", violation });
        emit?.({ type: "violation", violation });
      },
    });
    const size = byteLength(code);
    audit({
      ...eventBase(context),
      type: "run.start",
      policy: this.#policyLabel,
      codeSha256: await sha256Hex(code),
      codeBytes: size,
    });
    this.#counters.runs++;
    this.#counters.active++;
    let result: RunResult;
    let measured: { cpuTimeMs?: number } = {};
    try {
      result = await this.#execute(
        code,
        size,
        map,
        spec,
        recorder,
        calls,
        options.signal,
        {
          start: (pid) => {
            monitor.start(pid);
            emit?.({ type: "started", runId: context.runId });
          },
          operation: (op) => operations.accept(op),
        },
      );
    } finally {
      this.#counters.active--;
      calls.end();
      measured = monitor.stop();
    }
    if (measured.cpuTimeMs !== undefined) result.cpuTimeMs = measured.cpuTimeMs;
    this.#counters.violations += result.violations.length;
    if (result.error && LIMIT_ERRORS.has(result.error.type)) this.#counters.limitHits++;
    const limit = limitEvent(context, result);
    if (limit) audit(limit);
    await audit(endEvent(context, result, { operationsCapped: operations.capped }));
    emit?.({ type: "done", result });
    return result;
  }

  async #execute(
    code: string,
    size: number,
    map: PermissionMap,
    spec: ProcessSpec,
    recorder: RunRecorder,
    calls: HostCallRouter,
    signal: AbortSignal | undefined,
    watch: RunWatch,
  ): Promise<RunResult> {
    const tooLarge = sizeProblem(size, map);
    if (tooLarge) {
      return recorder.finish(crashDone("CodeSizeError", tooLarge));
    }
    const done = await this.#job(
      spec,
      this.#makeJob("execute", code, map),
      (e) => {
        if (e.t === "started") calls.start();
        if (e.t === "op") return watch.operation(e);
        recorder.accept(e);
      },
      (call) => calls.answer(call),
      signal,
      watch.start,
    );
    const result = recorder.finish(done);
    const limit = calls.limitError;
    // The host's own count decides, whatever the worker reported.
    if (limit && result.error?.type !== limit.type) {
      Object.assign(result, { ok: false, error: limit });
    }
    const made = calls.calls;
    return made.length ? { ...result, hostCalls: made } : result;
  }

  /**
   * Statically analyse `code` under the policy, without running it. Like
   * `run()`, it never throws for anything in the script: a script that
   * breaks the analysis itself is reported as a finding of kind `error`.
   *
   * @throws {PolicyError} the policy is invalid or cannot be read.
   * @throws {UsageError} an unknown option key, or a bad origin or file.
   * @throws {SandboxError} the sandbox is closed, or the interpreter could not be started.
   */
  async check(code: string, options: SandboxRunOptions = {}): Promise<CheckResult> {
    const { map, spec } = await this.#prepare(options, "sandbox.check() options");
    const tooLarge = sizeProblem(byteLength(code), map);
    if (tooLarge) return { ok: false, findings: [{ kind: "size", detail: tooLarge }] };
    const done = await this.#job(spec, this.#makeJob("check", code, map), () => {});
    if (!done.ok || !done.findings) {
      const detail = done.error
        ? `${done.error.type}: ${done.error.message}`
        : "the analysis returned nothing";
      return { ok: false, findings: [{ kind: "error", detail }] };
    }
    // The guard sends 1-based character columns, as editors count them.
    return { ok: done.findings.length === 0, findings: done.findings };
  }

  /** Counters and live processes, for monitoring. */
  stats(): SandboxStats {
    return {
      ...this.#counters,
      processes: this.#pool.processes().map((p) => ({ pid: p.pid, busy: p.busy, warm: p.warm })),
    };
  }

  /**
   * End every sandbox process. Runs in progress end as `WorkerCrash`; later
   * calls of `run`, `check`, `prepare` and `warm` throw a {@link SandboxError} (`closed`).
   */
  close(): Promise<void> {
    this.#closed = true;
    return this.#pool.close();
  }

  /**
   * {@link Sandbox.close}, for `await using`.
   *
   * @example
   * ```ts
   * import { Sandbox } from "@pyfence/pyfence";
   * import assert from "node:assert/strict";
   * {
   *   await using sandbox = new Sandbox();
   *   assert.equal((await sandbox.run("print(1 + 1)")).stdout, "2\n");
   * } // closed here
   * ```
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** `step()`, with a failure of the host (not of the caller) as a {@link SandboxError}. */
  async #host<T>(reason: "boot" | "snapshot", step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (err) {
      if (err instanceof SandboxError) throw err;
      if (this.#closed) throw new SandboxError("closed", "the sandbox is closed", { cause: err });
      const what = reason === "boot"
        ? "starting a sandbox process failed"
        : "building the interpreter snapshot failed";
      throw new SandboxError(reason, `${what}: ${(err as Error).message}`, { cause: err });
    }
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
    label: string,
  ): Promise<{ map: PermissionMap; spec: ProcessSpec; sinks: AuditSink[] }> {
    checkOptionKeys(label, options, SANDBOX_RUN_OPTION_KEYS, FIXED_POLICY);
    const hostFunctions = exposedNames(options.expose);
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
      throw new UsageError("signal", "must be an AbortSignal");
    }
    if (options.onOutput !== undefined && typeof options.onOutput !== "function") {
      throw new UsageError("onOutput", "must be a function");
    }
    if (this.#closed) throw new SandboxError("closed", "the sandbox is closed");
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
    const map = permissionsFor(policy, parseOrigin(options.origin), options.files, hostFunctions);
    // A caller reading output as it comes gets it within 50 ms.
    map.guard.stream_output = options.onOutput !== undefined;
    const packages = await this.#preparePackages(policy);
    const snapshotPath = await this.#host(
      "snapshot",
      () => ensureSnapshot([...map.guard.modules.allow, ...packages.modules], packages.files),
    );
    const sinks = policy.audit.jsonl
      ? [...this.#sinks, policyAuditSink(policy.audit.jsonl)]
      : this.#sinks;
    return {
      map,
      spec: {
        permissions: map.deno,
        memoryMb: map.limits.memoryMb,
        snapshotPath,
        packages: wheels(packages.files),
        unguarded: this.#unguarded,
      },
      sinks,
    };
  }

  /** The policy's packages, resolved and cached once per sandbox (a failure is retried next time). */
  #preparePackages(policy: Policy): Promise<PreparedPackages> {
    if (policy.packages.length === 0) return Promise.resolve(NO_PACKAGES);
    this.#packages ??= Promise.resolve().then(() =>
      preparePackages(policy, packageSource(this.#packageOptions))
    ).catch((err) => {
      this.#packages = undefined;
      if (err instanceof PolicyError || err instanceof UsageError || err instanceof SandboxError) {
        throw err;
      }
      throw new SandboxError(
        "packages",
        `preparing the policy's packages failed: ${(err as Error).message}`,
        { cause: err },
      );
    });
    return this.#packages;
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
    onCall?: CallHandler,
    signal?: AbortSignal,
    onStart?: (pid: number) => void,
  ): Promise<DoneEvent> {
    // A process can die while idle; a job it never started is safe to retry once.
    for (let attempt = 0;; attempt++) {
      if (signal?.aborted) return aborted(signal);
      let started = false;
      const process = await this.#host("boot", () => this.#pool.acquire(spec));
      const abort = () => process.abort(aborted(signal!));
      let done: DoneEvent;
      try {
        if (signal?.aborted) return aborted(signal);
        signal?.addEventListener("abort", abort, { once: true });
        done = await process.run(job, (event) => {
          if (event.t === "started") {
            started = true;
            onStart?.(process.pid);
          }
          onEvent(event);
        }, onCall);
      } finally {
        signal?.removeEventListener("abort", abort);
        this.#pool.release(spec, process);
      }
      if (started || attempt > 0 || done.error?.type !== "WorkerCrash") return done;
    }
  }
}
