/**
 * What a caller may do, decided once for both front doors (the HTTP API and
 * the MCP tools): the policy must be one of the caller's, the origin is the
 * caller's, the run waits for the caller's quota, and a server that is
 * shutting down starts nothing new but lets what runs finish.
 *
 * @module
 */
import { Sandbox } from "../host/sandbox.ts";
import type { CheckResult } from "../host/sandbox.ts";
import type { Files } from "../host/options.ts";
import type { RunResult } from "../protocol/result.ts";
import type { Policy } from "../policy/schema.ts";
import { ApiError } from "./api_error.ts";
import type { Caller, ServerSettings } from "./options.ts";
import { Quota } from "./quota.ts";
import type { CheckRequest, PolicySummary, RunRequest } from "./schemas.ts";

/** How long {@link Service.close} lets running scripts finish, by default. */
export const DEFAULT_GRACE_MS = 30_000;

function shuttingDown(): ApiError {
  return new ApiError("shutting_down", "the server is shutting down", { retryAfter: 5 });
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
  #closing = false;

  /** A service for `settings`; nothing starts until the first run or {@link Service.warm}. */
  constructor(settings: ServerSettings) {
    this.settings = settings;
    for (const caller of settings.callers) this.#quotas.set(caller, new Quota(caller.limits));
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
  async run(caller: Caller, request: RunRequest, signal?: AbortSignal): Promise<RunResult> {
    const sandbox = this.#sandbox(this.#policyOf(caller, request.policy));
    const files = toFiles(request.files);
    return await this.#admitted(caller, signal, () =>
      sandbox.run(request.code, {
        origin: caller.origin,
        files,
        timeoutMs: request.timeoutMs,
        memoryMb: request.memoryMb,
      }));
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
   * Load every policy and build its interpreter snapshot, then start the
   * first caller's sandbox processes for its default policy, so that the
   * first requests pay no start-up.
   *
   * @throws {PolicyError} a configured policy is invalid.
   * @throws {SandboxError} a snapshot or a process could not be built.
   */
  async warm(): Promise<void> {
    for (const name of this.settings.policies.keys()) await this.#sandbox(name).prepare();
    const [first] = this.settings.callers;
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
      sandbox = new Sandbox({
        policy: this.settings.policies.get(name)!,
        poolSize: this.settings.poolSize,
      });
      this.#sandboxes.set(name, sandbox);
    }
    return sandbox;
  }

  async #admitted<T>(caller: Caller, signal: AbortSignal | undefined, work: () => Promise<T>) {
    if (this.#closing) throw shuttingDown();
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
