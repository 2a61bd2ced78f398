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
import {
  DEFAULT_MAX_QUEUE,
  DEFAULT_QUEUE_TIMEOUT_MS,
  limiterOf,
  MAX_PROCESSES_LIMIT,
  ProcessLimiter,
  QueueAborted,
  QueueError,
} from "./limiter.ts";
import {
  hostEnd,
  type JobEvent,
  type JobRequest,
  type ProcessSpec,
  type SandboxProcess,
} from "./process.ts";
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
import type { DoneEvent, Job, JobEnd } from "../protocol/messages.ts";
import { crashDone } from "../protocol/crash.ts";
import { RUN_OPTION_KEYS, type RunOptions } from "./options.ts";
import { checkOptionKeys } from "../option_keys.ts";
import type { Finding, RunError, RunResult } from "../protocol/result.ts";
import { PolicyError, SandboxError, UsageError } from "../errors.ts";
import { isUnguarded } from "./internal.ts";
import { assertDenoVersion } from "./deno_version.ts";
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
import { storeLocation, StoreRef } from "./storage/store.ts";
import { storageServices } from "./storage/services.ts";
import {
  Session,
  SESSION_OPTION_KEYS,
  type SessionOptions,
  type SessionRunOptions,
} from "./session.ts";

/** How a run reaches a process that is not the pool's to give (a session's). */
type JobRoute = (
  job: JobRequest,
  onEvent: (event: JobEvent) => string | void,
  onCall: CallHandler,
  signal?: AbortSignal,
  onStart?: (pid: number) => void,
) => Promise<JobEnd>;

/** Options for a {@link Sandbox}. */
export interface SandboxOptions {
  /** A built-in policy name (`default`, `strict`, `compute`), a path to a YAML file, or a policy object (validated like a file). Default `"default"`. */
  policy?: string | PolicyInput;
  /**
   * Idle sandbox processes kept ready per origin, for at most 8 origins at
   * once (the process idle longest is closed first). Under load an origin
   * keeps as many as it lately had runs in flight at once (within
   * `maxProcesses` and `maxMemoryMb`), back to this many after 30 s
   * without such a peak. Default 1.
   */
  poolSize?: number;
  /**
   * Sandbox processes alive at once, busy or idle (1 to 1024). Default from
   * the machine: `max(1, min(2 × cores, floor(available memory / 768 MiB)))`,
   * 768 MiB being a process's resident cap under the default 256 MiB
   * `memory_mb`; `stats()` shows the figures. Runs beyond it wait in a
   * queue; an idle process of another origin is closed to make room.
   */
  maxProcesses?: number;
  /**
   * A memory budget for all of this sandbox's processes together (MiB), for
   * small instances (Deno Deploy gives an app 768 MB, this process
   * included): a process starts only while the resident memory of those
   * alive plus one more (160 MiB assumed until measured) fits, else the run
   * waits as at `maxProcesses` (an idle process of another origin is closed
   * first). One process may always start, and a running one may grow to its
   * policy's cap (about `memory_mb` × 3): the budget governs how many there
   * are, not what one holds. Linux reads the memory from `/proc`; elsewhere
   * each process counts as 160 MiB. Default: no budget beyond `maxProcesses`.
   */
  maxMemoryMb?: number;
  /** Runs that may wait for a process at once; one more ends as `QueueFull`. Default 1000. */
  maxQueue?: number;
  /**
   * How long a run may wait for a process (milliseconds), unless the run
   * says otherwise; past it the run ends as `QueueTimeout` without starting.
   * Not part of `timeoutMs`. Default 60 000.
   */
  queueTimeoutMs?: number;
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
  /**
   * Where scripts' cookies and local storage are kept (policies with
   * `storage.enabled`), per origin: a Deno KV file path, `":memory:"`
   * (nothing outlives this process), or a KV Connect URL (`https://…`,
   * token in `$DENO_KV_ACCESS_TOKEN`) for stores several hosts share.
   * Default `$PYFENCE_STORAGE`, else the managed KV on Deno Deploy, else
   * `web-storage.kv` in pyfence's cache directory. Opened on first use.
   */
  storage?: string;
  /**
   * What runs share. `"run"` (the default): nothing; every run gets a fresh
   * worker, and no state crosses runs even if a script reaches the worker's
   * JavaScript. `"tenant"`: runs with the same `tenant` run option (which
   * it requires), origin and limits may share one interpreter, reset in
   * place between them to the state it booted in (Python's memory, stack,
   * files, open files, working directory); different tenants never share a
   * worker or a process. Much faster; the reset undoes what Python does,
   * not what a script that broke out of the Python guard did in the
   * worker's JavaScript, which can reach that tenant's later runs (never
   * another tenant's). An interpreter is replaced, not reset, after a
   * violation, a limit or a crash (its process too), work left pending,
   * memory grown, and every {@link TENANT_RUNS_PER_INTERPRETER} runs.
   */
  isolation?: Isolation;
}

/** What runs of a {@link Sandbox} share; see {@link SandboxOptions.isolation}. */
export type Isolation = "run" | "tenant";

/**
 * At `isolation: "tenant"`, how many runs one interpreter serves before it
 * is replaced by a fresh one (bounding what stays unreset: the JavaScript
 * side's leftovers, the wasm function table). Each run leaves a little on
 * the JavaScript side (a process held 233 MiB after 250 runs of one
 * interpreter, 300 MiB after 2,000); a fresh interpreter costs about half
 * a second of CPU, 2 ms a run at this count.
 */
export const TENANT_RUNS_PER_INTERPRETER = 250;

/** Who a tenant's job is run for, and whether its process may serve the tenant's next run. */
interface TenantRoute {
  owner: string;
  /** The run ended in its script's hands: no violation, limit, crash or breach sign. */
  clean: (end: JobEnd) => boolean;
}

const SANDBOX_OPTION_KEYS: Record<keyof SandboxOptions, true> = {
  isolation: true,
  policy: true,
  poolSize: true,
  maxProcesses: true,
  maxMemoryMb: true,
  maxQueue: true,
  queueTimeoutMs: true,
  audit: true,
  packageIndex: true,
  packageLock: true,
  storage: true,
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
  /** Runs that never started: they waited past `queueTimeoutMs`, or the queue was full. */
  queueRefusals: number;
  /** Runs waiting for a sandbox process right now. */
  queued: number;
  /** The bound on runs waiting. */
  maxQueue: number;
  /** The bound on live sandbox processes. */
  maxProcesses: number;
  /** How `maxProcesses` was chosen: the option, or the machine's formula with its figures. */
  maxProcessesFrom: string;
  /** The memory budget for all processes (MiB), or `null` for none. */
  maxMemoryMb: number | null;
  /** What the live processes hold now (MiB; measured on Linux, else estimated). */
  residentMb: number;
  /** Processes counted against `maxProcesses` now: starting, busy, idle or exiting. */
  live: number;
  /** Processes starting. */
  starting: number;
  /** Processes running a job (or handed to one). */
  busy: number;
  /** Processes idle in the pool. */
  idle: number;
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

/** `value` if it is a whole number of milliseconds the queue may wait, else a {@link UsageError} naming `argument`. */
function queueTimeout(value: unknown, argument: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 3_600_000) {
    throw new UsageError(argument, `must be an integer from 0 to 3600000 (ms), got ${value}`);
  }
  return value;
}

/** `value` if it is an integer from `min` to `max`, else a {@link UsageError} naming `argument`. */
function boundedInteger(value: unknown, argument: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(argument, `must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

/** The result of a run that never got a process. */
function queueResult(err: QueueError): RunResult {
  const error: RunError = { type: err.type, kind: "queue", message: err.message };
  return {
    ok: false,
    stdout: "",
    stderr: "",
    error,
    violations: [],
    durationMs: 0,
    peakMemoryBytes: 0,
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
  return crashDone("Aborted", why ? `the run was aborted: ${why}` : "the run was aborted", "abort");
}

/** The end of a run the caller's `signal` aborted before it was sent. */
function abortedEnd(signal: AbortSignal): JobEnd {
  return hostEnd(aborted(signal));
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
  #limiter: ProcessLimiter;
  #queueTimeoutMs: number;
  #unguarded: boolean;
  #policyLabel: string;
  #sinks: AuditSink[];
  #packageOptions: PackageSourceOptions;
  #packages?: Promise<PreparedPackages>;
  #store: StoreRef;
  #closed = false;
  #isolation: Isolation;
  /** Runs each tenant's process has served. */
  #tenantRuns = new WeakMap<SandboxProcess, number>();
  #sessions = new Set<Session>();
  #counters = { runs: 0, active: 0, violations: 0, limitHits: 0, queueRefusals: 0 };

  /**
   * Create a sandbox; the policy is loaded (and validated) lazily on first use.
   *
   * @throws {UsageError} an unknown option key, or a bad `poolSize`, `maxProcesses`, `maxMemoryMb`, `maxQueue`, `queueTimeoutMs`, `audit`, `packageIndex` or `storage`.
   * @throws {SandboxError} (`deno-version`) this Deno is older than pyfence supports.
   */
  constructor(options: SandboxOptions = {}) {
    checkOptionKeys("new Sandbox() options", options, SANDBOX_OPTION_KEYS);
    assertDenoVersion();
    const poolSize = boundedInteger(options.poolSize ?? 1, "poolSize", 0, 64);
    if (options.isolation !== undefined && !["run", "tenant"].includes(options.isolation)) {
      throw new UsageError("isolation", `must be "run" or "tenant", got ${options.isolation}`);
    }
    this.#isolation = options.isolation ?? "run";
    const maxProcesses = options.maxProcesses === undefined
      ? undefined
      : boundedInteger(options.maxProcesses, "maxProcesses", 1, MAX_PROCESSES_LIMIT);
    const maxMemoryMb = options.maxMemoryMb === undefined
      ? undefined
      : boundedInteger(options.maxMemoryMb, "maxMemoryMb", 64, 1_048_576);
    const maxQueue = boundedInteger(
      options.maxQueue ?? DEFAULT_MAX_QUEUE,
      "maxQueue",
      0,
      1_000_000,
    );
    this.#queueTimeoutMs = queueTimeout(
      options.queueTimeoutMs ?? DEFAULT_QUEUE_TIMEOUT_MS,
      "queueTimeoutMs",
    );
    const sinks = options.audit === undefined ? [] : [options.audit].flat();
    if (sinks.some((sink) => typeof sink !== "function")) {
      throw new UsageError("audit", "must be a function (an AuditSink) or a list of them");
    }
    this.#policy = loadPolicy(options.policy ?? "default");
    this.#policy.catch(() => {});
    this.#limiter = limiterOf(options) ??
      new ProcessLimiter({ maxProcesses, maxQueue, maxMemoryMb });
    this.#pool = new ProcessPool({ size: poolSize, limiter: this.#limiter });
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
    // A given location is checked now; the default is found on first use.
    this.#store = new StoreRef(
      options.storage === undefined ? undefined : storeLocation(options.storage),
    );
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
   * `poolSize` are idle, so that the next runs pay no boot time. Only free
   * room under `maxProcesses` is used: it never waits or closes another
   * origin's process.
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
   * does. When `maxProcesses` are busy the run waits its turn (FIFO) for up
   * to `queueTimeoutMs`; a run that never gets a process ends with
   * `error.kind` `"queue"` (`QueueTimeout`, or `QueueFull` when `maxQueue`
   * runs already wait). Its `timeoutMs` starts only when the script does.
   *
   * @example Bounded: a run waits for a process, its time limit unspent
   * ```ts
   * import { Sandbox } from "@pyfence/pyfence";
   * import assert from "node:assert/strict";
   * const sandbox = new Sandbox({ maxProcesses: 1, poolSize: 1 });
   * try {
   *   const [first, second, third] = await Promise.all([
   *     sandbox.run("print(sum(range(10**7)))"),
   *     sandbox.run("print('waited')", { timeoutMs: 500 }), // waits for the first to end
   *     sandbox.run("print('never')", { queueTimeoutMs: 0 }), // may not wait at all
   *   ]);
   *   assert.equal(first.stdout, "49999995000000\n");
   *   assert.equal(second.stdout, "waited\n");
   *   assert.equal(third.error?.type, "QueueTimeout");
   *   assert.equal(third.error?.kind, "queue");
   * } finally {
   *   await sandbox.close();
   * }
   * ```
   *
   * @throws {PolicyError} the policy is invalid or cannot be read.
   * @throws {UsageError} an unknown option key, a bad origin or file, or a limit looser than the policy's.
   * @throws {SandboxError} the sandbox is closed, or the interpreter could not be started.
   */
  run(code: string, options: SandboxRunOptions = {}): Promise<RunResult> {
    return this.#run(code, options, "sandbox.run() options");
  }

  /**
   * Start a session: runs that share one interpreter, so that globals,
   * imports and written files carry over from one run to the next. The
   * session holds a sandbox process of its own (counted against
   * `maxProcesses`) until it ends: at `close()`, after the policy's
   * `limits.session_idle_ms` without a run or `limits.session_max_ms` after
   * it began, or when a run ends in anything but the script's own exception
   * (a violation, a limit, a crash, an abort). Each run has its own time
   * limit, output cap, violations and host-call budget. A run of an ended
   * session returns `error.type` `SessionClosed` (`error.kind` `closed`)
   * without running.
   *
   * @example
   * ```ts
   * import { Sandbox } from "@pyfence/pyfence";
   * import assert from "node:assert/strict";
   * await using sandbox = new Sandbox({ policy: "compute" });
   * await using session = await sandbox.session();
   * await session.run("import math\nrows = [1, 2, 3]");
   * const result = await session.run("math.fsum(rows) / len(rows)");
   * assert.equal(result.value, 2);
   * await session.close();
   * assert.equal((await session.run("rows")).error?.type, "SessionClosed");
   * ```
   *
   * @throws {PolicyError} the policy is invalid or cannot be read.
   * @throws {UsageError} an unknown option key, a bad origin, or a limit looser than the policy's.
   * @throws {SandboxError} the sandbox is closed (`closed`), no sandbox process was free within `queueTimeoutMs` (`queue`), or one could not be started (`boot`).
   */
  async session(options: SessionOptions = {}): Promise<Session> {
    checkOptionKeys("sandbox.session() options", options, SESSION_OPTION_KEYS);
    const fixed = { origin: options.origin, memoryMb: options.memoryMb, expose: options.expose };
    const { map, spec } = await this.#prepare(fixed, "sandbox.session() options");
    const wait = options.queueTimeoutMs === undefined
      ? this.#queueTimeoutMs
      : queueTimeout(options.queueTimeoutMs, "sandbox.session() options.queueTimeoutMs");
    let process: SandboxProcess;
    try {
      process = await this.#host("boot", () => this.#pool.acquire(spec, wait, options.signal));
    } catch (err) {
      if (err instanceof QueueError) throw new SandboxError("queue", err.message, { cause: err });
      if (err instanceof QueueAborted) throw new SandboxError("queue", err.message, { cause: err });
      throw err;
    }
    const owner = { owner: crypto.randomUUID() };
    const route: JobRoute = async (job, onEvent, onCall, signal, onStart) => {
      if (signal?.aborted) return abortedEnd(signal);
      const abort = () => process.abort(aborted(signal!));
      signal?.addEventListener("abort", abort, { once: true });
      try {
        const kept = { ...job, guard: { ...job.guard, session: true }, keep: true };
        const watched = (event: JobEvent) => {
          if (event.t === "started") onStart?.(process.pid);
          return onEvent(event);
        };
        return await process.run(kept, watched, onCall, owner);
      } finally {
        signal?.removeEventListener("abort", abort);
      }
    };
    const session: Session = new Session({
      id: owner.owner,
      idleMs: map.limits.sessionIdleMs,
      maxMs: map.limits.sessionMaxMs,
      run: (code: string, runOptions: SessionRunOptions, leftMs: number) =>
        this.#run(
          code,
          {
            ...runOptions,
            ...fixed,
            timeoutMs: Math.min(runOptions.timeoutMs ?? map.limits.timeoutMs, leftMs),
          },
          "session.run() options",
          route,
        ),
      alive: () => process.alive,
      retire: () => {
        this.#sessions.delete(session);
        this.#pool.retire(process);
        return process.exited;
      },
    });
    this.#sessions.add(session);
    return session;
  }

  async #run(
    code: string,
    options: SandboxRunOptions,
    label: string,
    route?: JobRoute,
  ): Promise<RunResult> {
    const { map, spec, sinks } = await this.#prepare(options, label);
    if (options.caller !== undefined && typeof options.caller !== "string") {
      throw new UsageError(`${label}.caller`, "must be a string");
    }
    if (options.onEvent !== undefined && typeof options.onEvent !== "function") {
      throw new UsageError(`${label}.onEvent`, "must be a function");
    }
    const tenant = options.tenant;
    if (
      tenant !== undefined &&
      (typeof tenant !== "string" || tenant.length === 0 || tenant.length > 256)
    ) {
      throw new UsageError(`${label}.tenant`, "must be a string of 1 to 256 characters");
    }
    if (this.#isolation === "tenant" && tenant === undefined && !route) {
      throw new UsageError(`${label}.tenant`, 'is required by isolation "tenant"');
    }
    const context: RunContext = {
      runId: crypto.randomUUID(),
      origin: map.guard.network.origin ?? "null",
      ...(options.caller === undefined ? {} : { caller: options.caller }),
    };
    const emit = liveEvents(options.onEvent);
    const monitor = new RunMonitor({
      timeoutMs: map.limits.timeoutMs,
      memoryMb: map.limits.memoryMb,
      outputBytes: map.limits.outputBytes,
    }, emit);
    // One run's events reach the sinks one after another, each once the
    // sinks have finished with the one before: an async sink never sees a
    // violation after run.end.
    let delivered = Promise.resolve();
    const audit = (
      event: AuditEvent,
    ) => (delivered = delivered.then(() => this.#emit(sinks, event)));
    const calls = new HostCallRouter({
      services: {
        ...storageServices(map, this.#store),
        ...(options.expose ? { host: exposeService(options.expose) } : {}),
      },
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
      importProbes: map.guard.imports === "probe",
      writable: map.limits.writeBytes === undefined
        ? undefined
        : { bytes: map.limits.writeBytes, files: map.limits.writeFiles! },
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
      result = await this.#execute(code, size, map, spec, recorder, calls, {
        signal: options.signal,
        queueTimeoutMs: options.queueTimeoutMs ?? this.#queueTimeoutMs,
      }, {
        start: (pid) => {
          monitor.start(pid);
          emit?.({ type: "started", runId: context.runId });
        },
        operation: (op) => operations.accept(op),
      }, route ?? (this.#isolation === "tenant" ? options.tenant : undefined));
    } finally {
      this.#counters.active--;
      calls.end();
      measured = monitor.stop();
    }
    if (measured.cpuTimeMs !== undefined) result.cpuTimeMs = measured.cpuTimeMs;
    this.#counters.violations += result.violations.length;
    if (result.error?.kind === "limit") this.#counters.limitHits++;
    if (result.error?.kind === "queue") this.#counters.queueRefusals++;
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
    wait: { signal?: AbortSignal; queueTimeoutMs: number },
    watch: RunWatch,
    route?: JobRoute | string,
  ): Promise<RunResult> {
    const tooLarge = sizeProblem(size, map);
    if (tooLarge) {
      return recorder.finish(hostEnd(crashDone("CodeSizeError", tooLarge, "size")));
    }
    let end: JobEnd;
    let violated = false;
    const onEvent = (e: JobEvent) => {
      if (e.t === "started") calls.start();
      if (e.t === "violation") violated = true;
      // The worker's word for the audit trail: it never changes how the run ends.
      if (e.t === "op") return void watch.operation(e);
      return recorder.accept(e);
    };
    const job = this.#makeJob("execute", code, map);
    const onCall: CallHandler = (call) => calls.answer(call);
    try {
      // A tenant's interpreter serves its next run only after a run that
      // ended in its script's own hands (no violation, limit or crash, no
      // sign of a breach) and left nothing it could not reset.
      const tenant: TenantRoute | undefined = typeof route === "string"
        ? {
          owner: JSON.stringify([map.guard.network.origin ?? "null", route]),
          clean: (end) =>
            end.by === "worker" && !end.done.cause && !end.deadlinePassed &&
            end.breaches.length === 0 && end.violationsOmitted === 0 && !violated &&
            !calls.limitError,
        }
        : undefined;
      end = typeof route === "function"
        ? await route(job, onEvent, onCall, wait.signal, watch.start)
        : await this.#job(
          spec,
          job,
          onEvent,
          wait.queueTimeoutMs,
          onCall,
          wait.signal,
          watch.start,
          tenant,
        );
    } catch (err) {
      if (err instanceof QueueError) return queueResult(err);
      throw err;
    }
    const result = recorder.finish(end);
    const limit = calls.limitError;
    // The host's own count decides, whatever the worker reported (a breach stays one).
    if (limit && result.error?.kind !== "violation") {
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
    let done: DoneEvent;
    try {
      ({ done } = await this.#job(
        spec,
        this.#makeJob("check", code, map),
        () => {},
        options.queueTimeoutMs ?? this.#queueTimeoutMs,
      ));
    } catch (err) {
      if (!(err instanceof QueueError)) throw err;
      return { ok: false, findings: [{ kind: "error", detail: `${err.type}: ${err.message}` }] };
    }
    if (!done.ok || !done.findings) {
      const detail = done.error
        ? `${done.error.type}: ${done.error.message}`
        : "the analysis returned nothing";
      return { ok: false, findings: [{ kind: "error", detail }] };
    }
    // The guard sends 1-based character columns, as editors count them.
    return { ok: done.findings.length === 0, findings: done.findings };
  }

  /**
   * Counters, the bound and the queue, and live processes, for monitoring.
   * `live`, `maxProcesses` and `maxQueue` are those of the limit this
   * sandbox draws from; the rest are its own.
   */
  stats(): SandboxStats {
    return {
      ...this.#counters,
      ...this.#pool.counts(),
      maxQueue: this.#limiter.maxQueue,
      maxProcesses: this.#limiter.maxProcesses,
      maxProcessesFrom: this.#limiter.maxProcessesFrom,
      maxMemoryMb: this.#limiter.maxMemoryBytes === undefined
        ? null
        : this.#limiter.maxMemoryBytes / (1024 * 1024),
      residentMb: Math.round(this.#limiter.residentBytes() / (1024 * 1024)),
      live: this.#limiter.live,
      processes: this.#pool.processes().map((p) => ({ pid: p.pid, busy: p.busy, warm: p.warm })),
    };
  }

  /**
   * End every session and sandbox process, and resolve once each has
   * exited. Runs in progress end as `WorkerCrash`; runs still waiting for a
   * process, and
   * later calls of `run`, `check`, `prepare` and `warm`, throw a
   * {@link SandboxError} (`closed`).
   */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#sessions].map((s) => s.close()));
    await this.#pool.close();
    await this.#store.release();
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
      if (err instanceof SandboxError || err instanceof QueueError || err instanceof QueueAborted) {
        throw err;
      }
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
    if (options.queueTimeoutMs !== undefined) {
      queueTimeout(options.queueTimeoutMs, `${label}.queueTimeoutMs`);
    }
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
    const map = permissionsFor(policy, parseOrigin(options.origin), options.files, {
      inputs: options.inputs,
      hostFunctions,
    });
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
    onEvent: (event: JobEvent) => string | void,
    queueTimeoutMs: number,
    onCall?: CallHandler,
    signal?: AbortSignal,
    onStart?: (pid: number) => void,
    tenant?: TenantRoute,
  ): Promise<JobEnd> {
    const deadline = performance.now() + queueTimeoutMs;
    const sent = tenant ? { ...job, keep: true, reset: true } : job;
    // A process can die while idle; a job it never started is safe to retry
    // once, within what is left of the run's wait.
    for (let attempt = 0;; attempt++) {
      if (signal?.aborted) return abortedEnd(signal);
      let started = false;
      const wait = Math.max(0, Math.round(deadline - performance.now()));
      let process: SandboxProcess;
      try {
        process = await this.#host(
          "boot",
          () => this.#pool.acquire(spec, wait, signal, tenant?.owner),
        );
      } catch (err) {
        // Aborted while it waited for a process: it never started.
        if (err instanceof QueueAborted) return abortedEnd(signal!);
        throw err;
      }
      const abort = () => process.abort(aborted(signal!));
      let end: JobEnd | undefined;
      let reusable = !tenant;
      try {
        if (signal?.aborted) return abortedEnd(signal);
        signal?.addEventListener("abort", abort, { once: true });
        end = await process.run(
          sent,
          (event) => {
            if (event.t === "started") {
              started = true;
              onStart?.(process.pid);
            }
            return onEvent(event);
          },
          onCall,
          tenant && { owner: tenant.owner },
        );
        if (tenant) {
          // After a clean run, an interpreter it left unfit for a reset, or
          // one past its count of runs, is replaced, not its process: that
          // stays the tenant's, and a fresh one would compile Python's wasm
          // again. After any other run, the process goes.
          const runs = (this.#tenantRuns.get(process) ?? 0) + 1;
          reusable = tenant.clean(end);
          if (reusable && !end.done.unfit && runs < TENANT_RUNS_PER_INTERPRETER) {
            this.#tenantRuns.set(process, runs);
          } else if (reusable) {
            this.#tenantRuns.delete(process);
            process.replaceWorker();
          }
        }
      } finally {
        signal?.removeEventListener("abort", abort);
        this.#pool.release(spec, process, tenant?.owner, reusable);
      }
      // The host ended a job that never started: nothing of it is this job's doing.
      if (started || attempt > 0 || end.by !== "host") return end;
    }
  }
}
