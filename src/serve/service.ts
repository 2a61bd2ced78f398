/**
 * What a caller may do, decided once for both front doors (the HTTP API and
 * the MCP tools): the policy must be one of the caller's, the origin is the
 * caller's, the run waits for the caller's quota, and a server that is
 * shutting down starts nothing new but lets what runs finish.
 *
 * @module
 */
import { Sandbox } from "../host/sandbox.ts";
import { ProcessLimiter, withLimiter } from "../host/limiter.ts";
import type { Session } from "../host/session.ts";
import type { CheckResult } from "../host/sandbox.ts";
import type { Files } from "../host/options.ts";
import type { RunEvent } from "../host/events.ts";
import { residentBytes } from "../host/procfs.ts";
import { probeRuntimeOnce } from "../host/runtime_probe.ts";
import type { RunResult } from "../protocol/result.ts";
import type { Policy } from "../policy/schema.ts";
import type { AuditSink } from "../audit/trail.ts";
import { jsonlAuditSink } from "../audit/jsonl.ts";
import { kvAuditSink } from "../audit/kv.ts";
import type { ClosableAuditSink } from "../audit/store.ts";
import { UsageError } from "../errors.ts";
import { ApiError } from "./api_error.ts";
import type { Caller, ServerSettings } from "./options.ts";
import { Quota } from "./quota.ts";
import { Metrics, type MetricsGauges } from "./metrics.ts";
import type {
  CheckRequest,
  PolicySummary,
  RunRequest,
  SessionRequest,
  SessionRunRequest,
} from "./schemas.ts";

/** How long {@link Service.close} lets running scripts finish, by default. */
export const DEFAULT_GRACE_MS = 30_000;

function shuttingDown(): ApiError {
  return new ApiError("shutting_down", "the server is shutting down", { retryAfter: 5 });
}

/** A run that never got a sandbox process (`error.kind` `queue`): the server is busy, not the script at fault. */
function busy(result: RunResult): ApiError {
  return new ApiError(
    "server_busy",
    `every sandbox process is busy: ${result.error?.message ?? "the run could not start"}`,
    { retryAfter: 5 },
  );
}

/** The request's files as the library takes them: `{ base64 }` decoded. */
function toFiles(files: RunRequest["files"]): Files | undefined {
  if (files === undefined) return undefined;
  const out: Files = {};
  for (const [name, content] of Object.entries(files)) {
    if (typeof content === "string") {
      out[name] = content;
      continue;
    }
    try {
      out[name] = Uint8Array.fromBase64(content.base64);
    } catch {
      throw new ApiError("invalid_request", `files.${name}.base64: not base64`, { field: "files" });
    }
  }
  return out;
}

/** The runs, checks and policies of every caller of one server. */
export class Service {
  /** The validated settings. */
  readonly settings: ServerSettings;
  #sandboxes = new Map<string, Sandbox>();
  #quotas = new Map<Caller, Quota>();
  #inFlight = new Set<Promise<unknown>>();
  /** Live sessions, and ended ones until their caller opens its next. */
  #sessions = new Map<string, { caller: Caller; session: Session }>();
  #closing = false;
  #sinks: AuditSink[] = [];
  /** One bound on sandbox processes for every policy and caller of the server. */
  #limiter: ProcessLimiter;
  #kv?: Promise<ClosableAuditSink>;
  /** The server's counters, for `GET /metrics`. */
  readonly metrics: Metrics = new Metrics();

  /**
   * A service for `settings`; nothing starts until the first run or
   * {@link Service.warm}, but the audit file is opened now (Deno KV once
   * warmed, or at the first run).
   *
   * @throws {UsageError} (`audit.jsonl`) the audit file cannot be appended to.
   */
  constructor(settings: ServerSettings) {
    this.settings = settings;
    for (const caller of settings.callers) this.#quotas.set(caller, new Quota(caller.limits));
    this.#limiter = new ProcessLimiter({
      maxProcesses: settings.maxProcesses,
      maxQueue: settings.maxQueue,
    });
    const { jsonl, kv, retainDays } = settings.audit;
    if (jsonl !== undefined) {
      try {
        this.#sinks.push(jsonlAuditSink(jsonl));
      } catch (err) {
        throw new UsageError("audit.jsonl", (err as UsageError).problem ?? String(err));
      }
    }
    if (kv !== undefined) {
      const opening = kvAuditSink(kv === "default" ? undefined : kv, {
        ...(retainDays === undefined ? {} : { retainMs: Math.round(retainDays * 86_400_000) }),
      });
      opening.catch(() => {});
      this.#kv = opening;
      this.#sinks.push(async (event) => (await opening)(event));
    }
  }

  /** True once {@link Service.close} was called. */
  get draining(): boolean {
    return this.#closing;
  }

  /**
   * Run a script for `caller`. The script's own failures are in the result.
   *
   * @throws {ApiError} a policy the caller may not use, its quota, shutdown.
   * @throws {UsageError} a bad field (files, limits looser than the policy's).
   * @throws {SandboxError} no sandbox could be started.
   */
  async run(
    caller: Caller,
    request: RunRequest,
    signal?: AbortSignal,
    onEvent?: (event: RunEvent) => void,
  ): Promise<RunResult> {
    const sandbox = this.#sandbox(this.#policyOf(caller, request.policy));
    const files = toFiles(request.files);
    const result = await this.#admitted(caller, signal, () =>
      sandbox.run(request.code, {
        origin: caller.origin,
        files,
        timeoutMs: request.timeoutMs,
        memoryMb: request.memoryMb,
        caller: caller.name,
        // Each token's caller is a tenant of its own (for sandboxes at `isolation: "tenant"`).
        tenant: caller.name,
        ...(onEvent ? { onEvent } : {}),
      }));
    this.metrics.run(caller.name, result);
    if (result.error?.kind === "queue") throw busy(result);
    return result;
  }

  /**
   * Start a session for `caller`: it holds a sandbox process until it ends
   * (see `Sandbox.session`). A caller may hold as many live sessions as its
   * `concurrency`; starting one takes from its rate.
   *
   * @throws {ApiError} a policy the caller may not use, its rate, `too_many_sessions`, shutdown.
   * @throws {UsageError} a limit looser than the policy's.
   * @throws {SandboxError} no sandbox process was free or could be started.
   */
  async openSession(
    caller: Caller,
    request: SessionRequest,
  ): Promise<{ id: string; policy: string }> {
    if (this.#closing) throw shuttingDown();
    const policy = this.#policyOf(caller, request.policy);
    let live = 0;
    for (const [id, entry] of this.#sessions) {
      if (entry.caller !== caller) continue;
      if (entry.session.ended) this.#sessions.delete(id);
      else live++;
    }
    if (live >= caller.limits.concurrency) {
      throw new ApiError(
        "too_many_sessions",
        `this caller holds ${live} live sessions, the most it may (its concurrency); end one first`,
      );
    }
    this.#quotas.get(caller)!.take();
    const session = await this.#sandbox(policy).session({
      origin: caller.origin,
      memoryMb: request.memoryMb,
    });
    this.#sessions.set(session.id, { caller, session });
    return { id: session.id, policy };
  }

  /**
   * Run a script in one of `caller`'s sessions, within its quota like any run.
   *
   * @throws {ApiError} `not_found` (no such session of this caller), its quota, shutdown.
   * @throws {UsageError} a bad field.
   */
  runInSession(
    caller: Caller,
    id: string,
    request: SessionRunRequest,
    signal?: AbortSignal,
  ): Promise<RunResult> {
    const { session } = this.#sessionOf(caller, id);
    return this.#admitted(
      caller,
      signal,
      () => session.run(request.code, { inputs: request.inputs, timeoutMs: request.timeoutMs }),
    );
  }

  /**
   * End one of `caller`'s sessions and forget it.
   *
   * @throws {ApiError} `not_found`: no such session of this caller.
   */
  async closeSession(caller: Caller, id: string): Promise<void> {
    const { session } = this.#sessionOf(caller, id);
    this.#sessions.delete(id);
    await session.close();
  }

  /** Another caller's session is as absent as one that never was. */
  #sessionOf(caller: Caller, id: string): { caller: Caller; session: Session } {
    const entry = this.#sessions.get(id);
    if (!entry || entry.caller !== caller) {
      throw new ApiError("not_found", "no such session", { field: "id" });
    }
    return entry;
  }

  /**
   * Analyse a script for `caller` without running it.
   *
   * @throws {ApiError} a policy the caller may not use, its quota, shutdown.
   * @throws {SandboxError} no sandbox could be started.
   */
  async check(caller: Caller, request: CheckRequest, signal?: AbortSignal): Promise<CheckResult> {
    const sandbox = this.#sandbox(this.#policyOf(caller, request.policy));
    return await this.#admitted(
      caller,
      signal,
      () => sandbox.check(request.code, { origin: caller.origin }),
    );
  }

  /**
   * The policies `caller` may use, its default first.
   *
   * @throws {PolicyError} a configured policy is invalid.
   */
  policies(caller: Caller): Promise<PolicySummary[]> {
    return Promise.all(
      caller.policies.map(async (name, i) =>
        summarize(name, i === 0, caller.origin, await this.#sandbox(name).policy())
      ),
    );
  }

  /**
   * Check that this runtime isolates scripts as pyfence needs (it may start
   * subprocesses, and a worker holds only its own permissions: see
   * `runtime_probe.ts`), load every policy and build its interpreter
   * snapshot, then start the first caller's sandbox processes for its
   * default policy, so that the first requests pay no start-up.
   *
   * @throws {PolicyError} a configured policy is invalid.
   * @throws {SandboxError} (`unsupported`) this runtime cannot isolate scripts; or a snapshot or a process could not be built.
   * @throws {UsageError} (`kv`) the audit's Deno KV store cannot be opened.
   */
  async warm(): Promise<void> {
    await this.#kv;
    const [first] = this.settings.callers;
    await probeRuntimeOnce(this.settings.policies.get(first.policies[0]));
    for (const name of this.settings.policies.keys()) await this.#sandbox(name).prepare();
    await this.#sandbox(first.policies[0]).warm(first.origin);
  }

  /**
   * Stop: runs waiting for their turn are answered `shutting_down`, runs in
   * progress may finish within `graceMs`, then every sandbox process ends.
   */
  async close(graceMs: number = DEFAULT_GRACE_MS): Promise<void> {
    this.#closing = true;
    for (const quota of this.#quotas.values()) quota.rejectWaiting(shuttingDown());
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.allSettled([...this.#inFlight]),
      new Promise((resolve) => timer = setTimeout(resolve, graceMs)),
    ]);
    clearTimeout(timer);
    await Promise.all([...this.#sandboxes.values()].map((s) => s.close()));
    await (await this.#kv?.catch(() => undefined))?.close();
  }

  /** What `GET /metrics` reads now: runs, queues, sandbox processes and their memory. */
  gauges(): MetricsGauges {
    let running = 0, callerQueue = 0, busy = 0;
    let rss: number | undefined;
    for (const quota of this.#quotas.values()) {
      running += quota.running;
      callerQueue += quota.waiting;
    }
    for (const sandbox of this.#sandboxes.values()) {
      for (const p of sandbox.stats().processes) {
        if (p.busy) busy++;
        const bytes = residentBytes(p.pid);
        if (bytes !== undefined) rss = (rss ?? 0) + bytes;
      }
    }
    return {
      running,
      callerQueue,
      poolQueue: this.#limiter.queued,
      processes: this.#limiter.live,
      busy,
      maxProcesses: this.#limiter.maxProcesses,
      ...(rss === undefined ? {} : { sandboxRssBytes: rss }),
    };
  }

  #policyOf(caller: Caller, name: string | undefined): string {
    if (name === undefined) return caller.policies[0];
    if (!caller.policies.includes(name)) {
      throw new ApiError(
        "forbidden",
        `policy '${name}' is not allowed for this caller; allowed: ${caller.policies.join(", ")}`,
        { field: "policy" },
      );
    }
    return name;
  }

  #sandbox(name: string): Sandbox {
    let sandbox = this.#sandboxes.get(name);
    if (!sandbox) {
      sandbox = new Sandbox(withLimiter({
        policy: this.settings.policies.get(name)!,
        poolSize: this.settings.poolSize,
        audit: this.#sinks,
        ...(this.settings.queueTimeoutMs === undefined
          ? {}
          : { queueTimeoutMs: this.settings.queueTimeoutMs }),
      }, this.#limiter));
      this.#sandboxes.set(name, sandbox);
    }
    return sandbox;
  }

  async #admitted<T>(caller: Caller, signal: AbortSignal | undefined, work: () => Promise<T>) {
    if (this.#closing) throw shuttingDown();
    // Nothing runs before the runtime is known to isolate scripts (a request may come before warm()).
    await probeRuntimeOnce(this.settings.policies.get(this.settings.callers[0].policies[0]));
    const quota = this.#quotas.get(caller)!;
    quota.take();
    const release = await quota.slot(signal);
    try {
      if (this.#closing) throw shuttingDown();
      const running = work();
      this.#inFlight.add(running);
      try {
        return await running;
      } finally {
        this.#inFlight.delete(running);
      }
    } finally {
      release();
    }
  }
}

function summarize(name: string, isDefault: boolean, origin: string, p: Policy): PolicySummary {
  return {
    name,
    default: isDefault,
    ...(p.description === undefined ? {} : { description: p.description }),
    modules: [...p.modules.allow],
    members: structuredClone(p.modules.members),
    origin,
    network: origin === "null"
      ? { sameOrigin: false, cors: [] }
      : { sameOrigin: p.network.same_origin, cors: [...p.network.cors] },
    files: p.filesystem.virtual,
    limits: {
      timeoutMs: p.limits.timeout_ms,
      memoryMb: p.limits.memory_mb,
      outputBytes: p.limits.output_bytes,
      codeBytes: p.limits.code_bytes,
    },
  };
}
