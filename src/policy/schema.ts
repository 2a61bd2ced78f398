/**
 * The policy schema: what a policy file may say, validated with zod.
 *
 * A policy is YAML (or an equivalent object). Objects are strict: an unknown
 * key is an error. Everything but `version` has a default, and the defaults
 * grant nothing: `{ version: 1 }` is a valid policy under which no module can
 * be imported and there is no network and no storage.
 *
 * ```yaml
 * version: 1
 * extends: compute                # optional: merged under this file (see loadPolicy)
 * python: ">=3.12"
 * modules:
 *   allow: [json, io]
 *   deny: [os]
 *   members:
 *     io: [StringIO]              # a list is an allow-list
 *     random: { deny: [SystemRandom] }
 * packages: [six]                 # Pyodide packages built into the interpreter
 * builtins: { deny: [input], restrict: [__import__, open, globals, locals, vars, dir] }
 * dynamic_code: deny              # or guarded
 * filesystem: { virtual: true }
 * network: { same_origin: true, cors: ["https://api.example"], websocket: true }
 * storage: { enabled: true }
 * limits: { timeout_ms: 5000, memory_mb: 256, recursion: 400, output_bytes: 1048576, code_bytes: 262144,
 *           host_calls: 500, host_call_bytes: 16777216 }
 * on_violation: terminate         # or raise
 * static_check: true
 * audit: { jsonl: audit.jsonl }
 * ```
 *
 * @module
 */
import { z } from "../zod.ts";
import { UsageError } from "../errors.ts";
import { parseOrigin } from "../capabilities/origin.ts";
import { parsePythonRange } from "./python_range.ts";
import type { MemberRule } from "../capabilities/guard_config.ts";

/** Member control of one module (the same type the guard receives). */
export type { MemberRule };

/** The builtins the guard knows how to replace with a restricted version. */
export const RESTRICTABLE_BUILTINS = [
  "__import__",
  "open",
  "globals",
  "locals",
  "vars",
  "dir",
] as const;

/** A builtin the guard can restrict (see {@link RESTRICTABLE_BUILTINS}). */
export type RestrictableBuiltin = typeof RESTRICTABLE_BUILTINS[number];

/** Inclusive bounds of each limit, as `[min, max]`. */
export const LIMIT_BOUNDS: {
  readonly timeout_ms: readonly [number, number];
  readonly memory_mb: readonly [number, number];
  readonly recursion: readonly [number, number];
  readonly output_bytes: readonly [number, number];
  readonly code_bytes: readonly [number, number];
  readonly host_calls: readonly [number, number];
  readonly host_call_bytes: readonly [number, number];
} = Object.freeze({
  timeout_ms: [1, 600_000] as const,
  memory_mb: [48, 4096] as const,
  recursion: [50, 10_000] as const,
  output_bytes: [1, 64 * 1024 * 1024] as const,
  code_bytes: [1, 16 * 1024 * 1024] as const,
  host_calls: [0, 1_000_000] as const,
  host_call_bytes: [0, 1024 * 1024 * 1024] as const,
});

/** The limits a policy grants when it states none. */
export const DEFAULT_LIMITS: Policy["limits"] = Object.freeze({
  timeout_ms: 5000,
  memory_mb: 256,
  recursion: 400,
  output_bytes: 1_048_576,
  code_bytes: 262_144,
  host_calls: 500,
  host_call_bytes: 16 * 1024 * 1024,
});

/** Builtins denied when a policy states no `builtins.deny`. */
export const DEFAULT_DENIED_BUILTINS: readonly string[] = Object.freeze([
  "breakpoint",
  "help",
  "input",
  "exit",
  "quit",
  "license",
  "credits",
  "copyright",
  "memoryview",
]);

/**
 * A validated policy with every default filled in: what {@link policySchema}
 * and `loadPolicy()` return and what `permissionsFor()` consumes.
 */
export interface Policy {
  /** Policy format version; always 1. */
  version: 1;
  /** A human-readable description, shown by `pyfence policy explain`. */
  description?: string;
  /** The Python versions the policy was written for, e.g. `>=3.12` (see `pythonSatisfies`). */
  python?: string;
  /** Import rules. A module is importable only when it or a parent is allowed and neither is denied. */
  modules: {
    /** Importable modules (dotted names; a package allows its public submodules). */
    allow: string[];
    /** Never importable, even when a parent is allowed (`xml.etree`, `urllib.request`). */
    deny: string[];
    /** Member filters, keyed by dotted module name (which must be importable). */
    members: Record<string, MemberRule>;
  };
  /**
   * Pyodide packages (names from Pyodide's lock file, e.g. `six`) the host
   * fetches with their dependencies, checks against the lock file's sha256
   * and builds into the interpreter snapshot. Installing grants nothing: the
   * script imports a package only where `modules.allow` allows its import
   * names, and each listed package must have one that is allowed.
   */
  packages: string[];
  /** Builtins control. */
  builtins: {
    /** Removed: calling one is a violation. */
    deny: string[];
    /** Replaced by restricted versions. `__import__` and `open` are always restricted unless denied. */
    restrict: ("__import__" | "open" | "globals" | "locals" | "vars" | "dir")[];
  };
  /** `exec` / `eval` / `compile`: `deny` (a violation) or `guarded` (checked like the script). */
  dynamic_code: "deny" | "guarded";
  /** File system. */
  filesystem: {
    /** `open()` reads the caller's read-only virtual files; `false`: `open` is denied. */
    virtual: boolean;
  };
  /** Network, for a script with a tuple origin (an opaque origin never has any). */
  network: {
    /** Requests to the script's own origin are allowed. */
    same_origin: boolean;
    /** Other origins (serialised, e.g. `https://api.example`) the script may ask; CORS still applies. */
    cors: string[];
    /** WebSocket connections to the same targets are allowed. */
    websocket: boolean;
  };
  /** Per-origin storage (cookies, local storage). */
  storage: {
    /** Storage is available (only ever for a tuple origin). */
    enabled: boolean;
  };
  /** Resource limits (see {@link LIMIT_BOUNDS}). */
  limits: {
    /** Wall-clock limit of a run, in milliseconds. */
    timeout_ms: number;
    /** WebAssembly memory cap, in MiB. */
    memory_mb: number;
    /** Python recursion limit. */
    recursion: number;
    /** stdout + stderr bytes before the run is stopped. */
    output_bytes: number;
    /** Maximum script size in bytes (UTF-8). */
    code_bytes: number;
    /** Calls of host functions (`pyfence.host`) in one run. */
    host_calls: number;
    /** UTF-8 bytes of JSON in all host calls of one run, arguments and answers together. */
    host_call_bytes: number;
  };
  /** `terminate`: a violation ends the script, uncatchably; `raise`: it is an ordinary exception. */
  on_violation: "terminate" | "raise";
  /** Reject the script before it runs when the static check finds something. */
  static_check: boolean;
  /** Audit trail. */
  audit: {
    /** Append audit events to this JSONL file (a path on the host). */
    jsonl?: string;
  };
}

/**
 * What a policy document may contain before defaults are applied: the shape
 * of the YAML, or of an object passed to `loadPolicy()`. A `members` value may
 * be a plain list, short for `{ allow: [...] }`.
 */
export interface PolicyInput {
  /** Policy format version; must be 1. */
  version: 1;
  /**
   * Start from another policy: a built-in name or a YAML path (relative to
   * this file; for an object, to the working directory). This policy's keys
   * are merged over it: mappings key by key, lists and values replaced.
   */
  extends?: string;
  /** See {@link Policy.description}. */
  description?: string;
  /** See {@link Policy.python}. */
  python?: string;
  /** See {@link Policy.modules}. */
  modules?: {
    /** See {@link Policy.modules}. */
    allow?: string[];
    /** See {@link Policy.modules}. */
    deny?: string[];
    /** See {@link Policy.modules}. */
    members?: Record<string, string[] | MemberRule>;
  };
  /** See {@link Policy.packages}. */
  packages?: string[];
  /** See {@link Policy.builtins}. */
  builtins?: Partial<Policy["builtins"]>;
  /** See {@link Policy.dynamic_code}. */
  dynamic_code?: Policy["dynamic_code"];
  /** See {@link Policy.filesystem}. */
  filesystem?: Partial<Policy["filesystem"]>;
  /** See {@link Policy.network}. */
  network?: Partial<Policy["network"]>;
  /** See {@link Policy.storage}. */
  storage?: Partial<Policy["storage"]>;
  /** See {@link Policy.limits}. */
  limits?: Partial<Policy["limits"]>;
  /** See {@link Policy.on_violation}. */
  on_violation?: Policy["on_violation"];
  /** See {@link Policy.static_check}. */
  static_check?: boolean;
  /** See {@link Policy.audit}. */
  audit?: Policy["audit"];
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DOTTED = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

const moduleName = z.string().regex(
  DOTTED,
  "must be a module name: identifiers joined by dots, e.g. 'xml.etree'",
);
const identifier = z.string().regex(IDENT, "must be a Python identifier");
// A distribution name as Pyodide's lock file spells it (PEP 508 names).
const packageName = z.string().regex(
  /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/,
  "must be a package name, e.g. 'six' or 'python-dateutil'",
);

/** A list whose items are unique; a duplicate is reported at its index. */
function uniqueList<T extends z.ZodType<string>>(item: T) {
  return z.array(item).superRefine((list, ctx) => {
    const seen = new Map<string, number>();
    list.forEach((v, i) => {
      const first = seen.get(v);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: [i],
          message: `duplicate '${v}' (already at [${first}])`,
        });
      } else seen.set(v, i);
    });
  });
}

const memberRuleObject = z.strictObject({
  allow: uniqueList(identifier).optional(),
  deny: uniqueList(identifier).optional(),
}, {
  error: "must be a list of member names or an object { allow: [...], deny: [...] }",
});

const memberRule = z.preprocess((v) => (Array.isArray(v) ? { allow: v } : v), memberRuleObject);

const corsOrigin = z.string().transform((s, ctx) => {
  let serialized: string | undefined;
  let problem: string | undefined;
  try {
    const origin = parseOrigin(s, "cors");
    if (origin.kind !== "tuple") problem = "must be an http(s) origin, not 'null'";
    else {
      const url = new URL(s);
      if (url.pathname !== "/" || url.search !== "" || url.hash !== "") {
        problem =
          `must be an origin without path, query or fragment (did you mean '${origin.serialized}'?)`;
      } else serialized = origin.serialized;
    }
  } catch (e) {
    problem = e instanceof UsageError ? e.message.replace(/^cors: /, "") : String(e);
  }
  if (problem !== undefined) {
    ctx.addIssue({ code: "custom", message: problem, input: s });
    return z.NEVER;
  }
  return serialized!;
});

const pythonRange = z.string().superRefine((s, ctx) => {
  try {
    parsePythonRange(s);
  } catch (e) {
    ctx.addIssue({ code: "custom", message: (e as Error).message, input: s });
  }
});

function boundedInt(key: keyof typeof LIMIT_BOUNDS) {
  const [min, max] = LIMIT_BOUNDS[key];
  return z.int().min(min).max(max).default(DEFAULT_LIMITS[key]);
}

/**
 * Is `name` (or a package containing it) in `list`? Returns the matching
 * entry: `coveredBy("xml.etree", ["xml"])` is `"xml"`.
 */
export function coveredBy(name: string, list: readonly string[]): string | undefined {
  return list.find((m) => name === m || name.startsWith(m + "."));
}

// The policy's sections, each a strict object; kept by name so that an
// unknown key can be answered with the keys that are known there.
const SECTIONS = {
  modules: z.strictObject({
    allow: uniqueList(moduleName).default([]),
    deny: uniqueList(moduleName).default([]),
    members: z.record(moduleName, memberRule).default({}),
  }),
  builtins: z.strictObject({
    deny: uniqueList(identifier).default([...DEFAULT_DENIED_BUILTINS]),
    restrict: uniqueList(z.enum(RESTRICTABLE_BUILTINS, {
      error: `must be one of ${RESTRICTABLE_BUILTINS.join(", ")}`,
    })).default([...RESTRICTABLE_BUILTINS]),
  }),
  filesystem: z.strictObject({ virtual: z.boolean().default(true) }),
  network: z.strictObject({
    same_origin: z.boolean().default(false),
    cors: z.array(corsOrigin).default([]),
    websocket: z.boolean().default(false),
  }),
  storage: z.strictObject({ enabled: z.boolean().default(false) }),
  limits: z.strictObject({
    timeout_ms: boundedInt("timeout_ms"),
    memory_mb: boundedInt("memory_mb"),
    recursion: boundedInt("recursion"),
    output_bytes: boundedInt("output_bytes"),
    code_bytes: boundedInt("code_bytes"),
    host_calls: boundedInt("host_calls"),
    host_call_bytes: boundedInt("host_call_bytes"),
  }),
  audit: z.strictObject({ jsonl: z.string().min(1).optional() }),
};

const policyObject = z.strictObject({
  version: z.literal(1, { error: "must be 1 (the only policy format version)" }),
  description: z.string().optional(),
  python: pythonRange.optional(),
  modules: SECTIONS.modules.default({ allow: [], deny: [], members: {} }),
  packages: uniqueList(packageName).default([]),
  builtins: SECTIONS.builtins.default({
    deny: [...DEFAULT_DENIED_BUILTINS],
    restrict: [...RESTRICTABLE_BUILTINS],
  }),
  dynamic_code: z.enum(["deny", "guarded"]).default("deny"),
  filesystem: SECTIONS.filesystem.default({ virtual: true }),
  network: SECTIONS.network.default({ same_origin: false, cors: [], websocket: false }),
  storage: SECTIONS.storage.default({ enabled: false }),
  limits: SECTIONS.limits.default({ ...DEFAULT_LIMITS }),
  on_violation: z.enum(["terminate", "raise"]).default("terminate"),
  static_check: z.boolean().default(true),
  audit: SECTIONS.audit.default({}),
});

/**
 * The keys a policy may have at `path` (`[]` for the top level,
 * `["limits"]`, `["modules", "members", "re"]`), or undefined where the
 * policy has no fixed keys.
 *
 * @example
 * ```ts
 * import { knownKeysAt } from "./schema.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(knownKeysAt(["filesystem"]), ["virtual"]);
 * ```
 */
export function knownKeysAt(path: readonly PropertyKey[]): string[] | undefined {
  const [section, key] = path;
  // `extends` is merged away by `loadPolicy()` before the schema sees the policy.
  if (path.length === 0) return [...Object.keys(policyObject.shape), "extends"];
  if (path.length === 1 && typeof section === "string" && Object.hasOwn(SECTIONS, section)) {
    return Object.keys(SECTIONS[section as keyof typeof SECTIONS].shape);
  }
  if (path.length === 3 && section === "modules" && key === "members") {
    return Object.keys(memberRuleObject.shape);
  }
  return undefined;
}

/** One problem zod found in a policy (rendered by `loadPolicy`'s errors). */
export type PolicyIssue = z.core.$ZodIssue;

/**
 * The zod schema of a policy. Parsing fills in defaults, turns list-form
 * `members` into `{ allow }` and normalises CORS origins
 * (`https://API.example:443` → `https://api.example`).
 *
 * @example
 * ```ts
 * import { policySchema } from "./schema.ts";
 * import assert from "node:assert/strict";
 * const policy = policySchema.parse({ version: 1, modules: { allow: ["json"] } });
 * assert.equal(policy.limits.timeout_ms, 5000);
 * ```
 */
export const policySchema: z.ZodType<Policy> = policyObject.superRefine((p, ctx) => {
  // Cross-field rules; they run once the structure itself is valid.
  p.modules.deny.forEach((name, i) => {
    const j = p.modules.allow.indexOf(name);
    if (j >= 0) {
      ctx.addIssue({
        code: "custom",
        path: ["modules", "deny", i],
        message: `'${name}' is both allowed (modules.allow[${j}]) and denied; keep one`,
      });
    }
  });
  for (const [name, rule] of Object.entries(p.modules.members)) {
    const denied = coveredBy(name, p.modules.deny);
    if (denied !== undefined || coveredBy(name, p.modules.allow) === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["modules", "members", name],
        message: denied !== undefined
          ? `'${name}' is denied (modules.deny has '${denied}'); a member rule for it has no effect`
          : `'${name}' is not allowed by modules.allow; a member rule for it has no effect`,
      });
    }
    rule.deny?.forEach((m, i) => {
      if (rule.allow?.includes(m)) {
        ctx.addIssue({
          code: "custom",
          path: ["modules", "members", name, "deny", i],
          message: `'${m}' is both allowed and denied; keep one`,
        });
      }
    });
  }
  p.builtins.restrict.forEach((name, i) => {
    const j = p.builtins.deny.indexOf(name);
    if (j >= 0) {
      ctx.addIssue({
        code: "custom",
        path: ["builtins", "restrict", i],
        message: `'${name}' is both denied (builtins.deny[${j}]) and restricted; keep one`,
      });
    }
  });
  const seenCors = new Map<string, number>();
  p.network.cors.forEach((o, i) => {
    const first = seenCors.get(o);
    if (first !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["network", "cors", i],
        message: `duplicate origin '${o}' (already at [${first}])`,
      });
    } else seenCors.set(o, i);
  });
});
