/**
 * The configuration the Python guard receives, computed from a policy and an
 * origin by `permissions.ts`. It crosses into the worker as JSON and is read
 * by `src/python/pyfence_guard/config.py`; keep both sides in step.
 *
 * @module
 */
import type { ProtocolCaps } from "../protocol/caps.ts";
import type { FileNameRule } from "./file_names.ts";

/** Per-module member control: only `allow`ed names, or all but `deny`ed. */
export interface MemberRule {
  /** When present, only these public names of the module are visible. */
  allow?: string[];
  /** These public names are hidden (checked after `allow`). */
  deny?: string[];
}

/** A file of the read-only virtual file system. */
export type VirtualFile = { text: string } | { base64: string };

/** What the Python guard enforces inside the interpreter. */
export interface GuardConfig {
  /** Import rules. A module is importable only when allowed and not denied. */
  modules: {
    /** Importable top-level modules (and their public submodules). */
    allow: string[];
    /** Never importable, even if a parent is allowed (`xml.etree`, `urllib.request`). */
    deny: string[];
    /** Member filters, keyed by dotted module name. */
    members: Record<string, MemberRule>;
  };
  /** Builtins control. */
  builtins: {
    /** Removed: calling them raises `SecurityError` and records a violation. */
    deny: string[];
    /** Replaced by restricted versions (`globals`, `locals`, `vars`, `dir`). */
    restrict: string[];
  };
  /**
   * `exec`/`eval`/`compile`: `deny` (a violation) or `guarded` (the code is
   * checked and rewritten like the script itself). Ignored when those names
   * are in `builtins.deny`.
   */
  dynamic_code: "deny" | "guarded";
  /** The read-only virtual file system, keyed by normalised relative path. */
  files: Record<string, VirtualFile>;
  /**
   * `open()` may write relative paths into a per-run in-memory area (within
   * `limits.write_bytes` and `limits.write_files`); the guard sends what was
   * written back when the script ends.
   */
  writable: boolean;
  /**
   * The caller's `inputs`, bound as the script's globals: plain JSON data,
   * already validated by the host (`host/inputs.ts`).
   */
  inputs: Record<string, unknown>;
  /** Network rules for `pyfence.web`. */
  network: {
    /** The script's origin (`scheme://host:port` form) or `null` (no network). */
    origin: string | null;
    /** Same-origin requests allowed. */
    same_origin: boolean;
    /** Other origins the policy lets the script ask (CORS still applies). */
    cors: string[];
    /** WebSocket connections allowed (to the same targets). */
    websocket: boolean;
  };
  /**
   * Per-origin storage (cookies, local storage) enabled: kept by the host,
   * reached through host calls (services `storage` and `cookies`).
   */
  storage: boolean;
  /** The host functions the caller exposed for this run (`pyfence.host`), by name. */
  host_functions: string[];
  /**
   * The caller reads output as it comes: the sandbox process asks the guard
   * to send what it has every 50 ms (see `protocol/boot.ts`), not only in
   * 8 KiB batches.
   */
  stream_output: boolean;
  /**
   * The interpreter serves a session: the script's globals, imports and
   * written files are kept for the session's next job (each job still gets
   * its own output cap, violation count, host-call budget and deadline).
   */
  session: boolean;
  /** Limits the guard enforces itself. */
  limits: {
    /** Python recursion limit. */
    recursion: number;
    /** stdout + stderr bytes before `OutputLimitError`. */
    output_bytes: number;
    /** Source size cap (also applied by the host before the run). */
    code_bytes: number;
    /** Bytes of the writable area, all files together (also checked by the host). */
    write_bytes: number;
    /** Files the writable area may hold (also checked by the host). */
    write_files: number;
    /** Host calls in one run (also enforced by the sandbox process and the host). */
    host_calls: number;
    /** UTF-8 bytes of JSON crossing in host calls of one run, both ways. */
    host_call_bytes: number;
    /** WebSocket connections open at once (enforced by the worker). */
    websockets: number;
    /** WebSocket messages of one run, sent and received together (enforced by the worker). */
    websocket_messages: number;
    /** Bytes of one WebSocket message, either way (enforced by the worker). */
    websocket_message_bytes: number;
  };
  /** `terminate`: a violation ends the script, uncatchably; `raise`: it is an ordinary exception. */
  on_violation: "terminate" | "raise";
  /** `probe`: a refused import raises a catchable `ImportBlockedError` and does not end the run. */
  imports: "violation" | "probe";
  /** Reject the script before it runs when the static check finds something. */
  static_check: boolean;
  /** The protocol's caps: the guard cuts everything it sends to these sizes. */
  caps: ProtocolCaps;
  /** What makes a file name unusable (`FILE_NAME_RULES`): `open()` and `check` apply the same rule as the host. */
  file_names: FileNameRule[];
}
