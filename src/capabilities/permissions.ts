/**
 * The heart of pyfence: a policy and an origin become the exact capabilities
 * of a sandbox, once for the Python guard and once, beneath it, for the Deno
 * worker. Every capability the guard grants must also be granted here, and
 * nothing else is.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { CAPS } from "../protocol/caps.ts";
import type { GuardConfig, VirtualFile } from "./guard_config.ts";
import { FILE_NAME_RULES, normalizeFileName } from "./file_names.ts";

export { normalizeFileName };
import type { Files, Inputs } from "../host/options.ts";
import { checkInputs } from "./inputs.ts";
import { netDescriptor, type Origin, parseOrigin } from "./origin.ts";
import type { Policy } from "../policy/schema.ts";

/**
 * Exactly the object passed as `new Worker(url, { deno: { permissions } })`.
 * Everything is denied except, possibly, `net` to the listed `host:port`s.
 */
export interface WorkerPermissions {
  /** No file reads. */
  read: false;
  /** No file writes. */
  write: false;
  /** No environment variables. */
  env: false;
  /** No subprocesses. */
  run: false;
  /** No foreign functions. */
  ffi: false;
  /** No system information. */
  sys: false;
  /** No dynamic imports from the network or disk. */
  import: false;
  /** `host:port` descriptors the worker may connect to, or `false` for none. */
  net: string[] | false;
}

/** Limits the host enforces around the worker. */
export interface HostLimits {
  /** Wall-clock deadline of a run, in milliseconds. */
  timeoutMs: number;
  /** WebAssembly memory cap, in MiB. */
  memoryMb: number;
  /** stdout + stderr bytes before the run is stopped. */
  outputBytes: number;
  /** Maximum script size in bytes (UTF-8). */
  codeBytes: number;
  /** Python recursion limit. */
  recursion: number;
  /** Host calls in one run. */
  hostCalls: number;
  /** UTF-8 bytes of JSON crossing in host calls of one run, both ways. */
  hostCallBytes: number;
  /** UTF-8 bytes of keys and values the origin's local storage may hold (0 without storage). */
  storageQuotaBytes: number;
  /** Bytes the script may write into its writable area (`undefined`: it has none). */
  writeBytes?: number;
  /** Files the script may create in its writable area (`undefined`: it has none). */
  writeFiles?: number;
  /** A session ends after this long without a run (ms). */
  sessionIdleMs: number;
  /** A session ends this long after it began (ms). */
  sessionMaxMs: number;
}

/** What one run's caller gives the script besides files: its inputs and host functions. */
export interface RunGrants {
  /** Globals for the script (see `checkInputs`). */
  inputs?: Inputs;
  /** The names of the functions the caller exposed (`pyfence.host`). */
  hostFunctions?: readonly string[];
}

/** Everything a sandbox needs to know about what a script may do. */
export interface PermissionMap {
  /** The Deno worker's permission descriptor. */
  deno: WorkerPermissions;
  /** The configuration of the Python guard. */
  guard: GuardConfig;
  /** The limits the host enforces. */
  limits: HostLimits;
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/**
 * The guard's virtual file system from the caller's files: text stays text,
 * bytes become base64. Names are normalised (see `normalizeFileName` in `file_names.ts`);
 * two names that normalise alike, or a value that is neither a string nor a
 * `Uint8Array`, throw a {@link UsageError} for `files`.
 *
 * @example
 * ```ts
 * import { virtualFiles } from "./permissions.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(virtualFiles({ "a.txt": "hi", "b.bin": new Uint8Array([1, 2]) }), {
 *   "a.txt": { text: "hi" },
 *   "b.bin": { base64: "AQI=" },
 * });
 * ```
 */
export function virtualFiles(files: Files = {}): Record<string, VirtualFile> {
  if (files === null || typeof files !== "object" || Array.isArray(files)) {
    throw new UsageError("files", "must be an object mapping file names to contents");
  }
  const out: Record<string, VirtualFile> = {};
  for (const [name, content] of Object.entries(files)) {
    const key = normalizeFileName(name);
    if (Object.hasOwn(out, key)) {
      throw new UsageError("files", `${JSON.stringify(name)} names the same file as another entry`);
    }
    if (typeof content === "string") out[key] = { text: content };
    else if (content instanceof Uint8Array) out[key] = { base64: toBase64(content) };
    else {
      throw new UsageError(
        "files",
        `${JSON.stringify(name)} must be a string or a Uint8Array, got ${typeof content}`,
      );
    }
  }
  return out;
}

/**
 * Compute the capabilities of a script: the Deno worker permissions, the
 * Python guard configuration and the host limits, from a validated policy
 * (see `loadPolicy`), the script's origin (see `parseOrigin`) and the
 * caller's read-only files, and the names of the host functions the caller
 * exposes for the run (validated by the host; see `host/expose.ts`).
 *
 * - `deno`: everything `false`; `net` is the origin's `host:port` (when the
 *   policy allows same-origin requests) plus each policy CORS origin's
 *   `host:port`, or `false` when the origin is opaque or nothing is allowed.
 * - `guard.network.origin` is the serialised origin, or `null` when opaque;
 *   an opaque origin also gets no storage and no WebSocket.
 * - `__import__` and `open` are always restricted (or denied); with
 *   `filesystem.virtual: false`, `open` is denied and `files` must be empty.
 *
 * @example
 * ```ts
 * import { loadPolicy } from "../policy/load.ts";
 * import { parseOrigin } from "./origin.ts";
 * import { permissionsFor } from "./permissions.ts";
 * import assert from "node:assert/strict";
 * const map = permissionsFor(await loadPolicy("default"), parseOrigin("https://a.example"));
 * assert.deepEqual(map.deno.net, ["a.example:443"]); // new Worker(url, { deno: { permissions: map.deno } })
 * assert.equal(permissionsFor(await loadPolicy("default"), parseOrigin()).deno.net, false);
 * ```
 */
export function permissionsFor(
  policy: Policy,
  origin: Origin,
  files: Files = {},
  { inputs = {}, hostFunctions = [] }: RunGrants = {},
): PermissionMap {
  const tuple = origin.kind === "tuple" ? origin : undefined;
  const vfs = virtualFiles(files);
  const writable = policy.filesystem.virtual && policy.filesystem.writable;
  if (!policy.filesystem.virtual && Object.keys(vfs).length > 0) {
    throw new UsageError("files", "the policy has no file system (filesystem.virtual: false)");
  }

  const net: string[] = [];
  if (tuple) {
    if (policy.network.same_origin) net.push(netDescriptor(tuple));
    for (const cors of policy.network.cors) {
      const o = parseOrigin(cors, "network.cors");
      if (o.kind === "tuple" && !net.includes(netDescriptor(o))) net.push(netDescriptor(o));
    }
  }
  const hasNet = net.length > 0;

  const deny = [...policy.builtins.deny];
  if (!policy.filesystem.virtual && !deny.includes("open")) deny.push("open");
  const restrict: string[] = [...policy.builtins.restrict];
  for (const always of ["__import__", "open"]) {
    if (!restrict.includes(always)) restrict.push(always);
  }

  const guard: GuardConfig = {
    modules: {
      allow: [...policy.modules.allow],
      deny: [...policy.modules.deny],
      members: structuredClone(policy.modules.members),
    },
    builtins: { deny, restrict: restrict.filter((b) => !deny.includes(b)) },
    dynamic_code: policy.dynamic_code,
    files: vfs,
    writable,
    inputs: checkInputs(inputs),
    network: {
      origin: tuple ? tuple.serialized : null,
      same_origin: tuple !== undefined && policy.network.same_origin,
      cors: tuple ? [...policy.network.cors] : [],
      websocket: hasNet && policy.network.websocket,
    },
    storage: tuple !== undefined && policy.storage.enabled,
    host_functions: [...hostFunctions],
    stream_output: false,
    session: false,
    limits: {
      recursion: policy.limits.recursion,
      output_bytes: policy.limits.output_bytes,
      code_bytes: policy.limits.code_bytes,
      write_bytes: policy.limits.write_bytes,
      write_files: policy.limits.write_files,
      host_calls: policy.limits.host_calls,
      host_call_bytes: policy.limits.host_call_bytes,
      websockets: policy.limits.websockets,
      websocket_messages: policy.limits.websocket_messages,
      websocket_message_bytes: policy.limits.websocket_message_bytes,
    },
    on_violation: policy.on_violation,
    imports: policy.imports,
    static_check: policy.static_check,
    caps: { ...CAPS },
    file_names: FILE_NAME_RULES.map((r) => ({ ...r })),
  };

  return {
    deno: {
      read: false,
      write: false,
      env: false,
      run: false,
      ffi: false,
      sys: false,
      import: false,
      net: hasNet ? net : false,
    },
    guard,
    limits: {
      timeoutMs: policy.limits.timeout_ms,
      memoryMb: policy.limits.memory_mb,
      outputBytes: policy.limits.output_bytes,
      codeBytes: policy.limits.code_bytes,
      recursion: policy.limits.recursion,
      hostCalls: policy.limits.host_calls,
      hostCallBytes: policy.limits.host_call_bytes,
      storageQuotaBytes: guard.storage ? policy.storage.quota_bytes : 0,
      sessionIdleMs: policy.limits.session_idle_ms,
      sessionMaxMs: policy.limits.session_max_ms,
      ...(writable
        ? { writeBytes: policy.limits.write_bytes, writeFiles: policy.limits.write_files }
        : {}),
    },
  };
}
