/**
 * The options of {@link createHandler}, and of the server's YAML config file,
 * which is the same object written as YAML: who may call (a token per
 * caller), with which origin, under which policies, within which quotas.
 * Validated by one schema; every mistake names its key path.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { z } from "../zod.ts";
import { UsageError } from "../errors.ts";
import { parseOrigin, serializeOrigin } from "../capabilities/origin.ts";
import { BUILTIN_POLICY_NAMES } from "../policy/load.ts";
import type { PolicyInput } from "../policy/schema.ts";
import { didYouMean } from "../suggest.ts";

/** Per-caller quotas. Runs and checks count; reading policies does not. */
export interface CallerLimits {
  /** Runs (and checks) of this caller that execute at once. Default 2. */
  concurrency?: number;
  /** Further runs that wait for one of those; beyond this, 429. Default 100. */
  queue?: number;
  /** The longest a run waits for its turn before it is answered 429. Default 60000. */
  queueWaitMs?: number;
  /** Runs per minute, refilled continuously. Default 600. */
  ratePerMinute?: number;
  /** Runs that may come at once before the rate applies. Default 120. */
  burst?: number;
}

/** One caller of the server. */
export interface CallerOptions {
  /** A name for logs and errors, e.g. `alice`. Default `caller1`, `caller2`, … (`local` without a token). */
  name?: string;
  /**
   * The caller's bearer token (at least 16 characters of `A-Za-z0-9-._~+/=`).
   * A sole caller without `token` or `tokenSha256` is anonymous: the server
   * then answers only requests addressed to a loopback host.
   */
  token?: string;
  /** The SHA-256 (64 hex digits) of the token, so the configuration need not hold the secret. */
  tokenSha256?: string;
  /** The origin every script of this caller runs with, e.g. `https://a.example`. Default `"null"` (no network). Never taken from a request. */
  origin?: string;
  /** The policies this caller may name; the first is the one used when a request names none. Default `["default"]`. */
  policies?: string[];
  /** Quotas; see {@link CallerLimits}. */
  limits?: CallerLimits;
}

/** Options of {@link createHandler} (and the server's config file). */
export interface HandlerOptions {
  /** Who may call. Default: one anonymous caller (no token, origin `null`), loopback only. */
  callers?: CallerOptions[];
  /**
   * Policies offered by name, beyond (or replacing) the built-in ones: a
   * built-in name, a path to a YAML file, or a policy object.
   */
  policies?: Record<string, string | PolicyInput>;
  /** The largest request body, in bytes, enforced while it is read. Default 4 MiB. */
  maxBodyBytes?: number;
  /** Idle sandbox processes kept ready per policy and origin (see `SandboxOptions.poolSize`). Default 2. */
  poolSize?: number;
}

/** The defaults of {@link CallerLimits}. */
export const DEFAULT_CALLER_LIMITS: Readonly<Required<CallerLimits>> = Object.freeze({
  concurrency: 2,
  queue: 100,
  queueWaitMs: 60_000,
  ratePerMinute: 600,
  burst: 120,
});

/** The default of {@link HandlerOptions.poolSize}. */
export const DEFAULT_POOL_SIZE = 2;

/** The default of {@link HandlerOptions.maxBodyBytes}. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** A caller as the server holds it: the token only as its digest. */
export interface Caller {
  /** The caller's name. */
  readonly name: string;
  /** SHA-256 of the token; `undefined` for the anonymous caller. */
  readonly digest?: Uint8Array;
  /** The serialised origin its scripts run with, or `"null"`. */
  readonly origin: string;
  /** The policies it may name; the first is its default. */
  readonly policies: readonly string[];
  /** Its quotas, defaults filled in. */
  readonly limits: Readonly<Required<CallerLimits>>;
}

/** {@link HandlerOptions}, validated, defaults filled in. */
export interface ServerSettings {
  /** The callers; one without a digest means the server has no tokens. */
  readonly callers: readonly Caller[];
  /** Every policy some caller may name, by name, with where it comes from. */
  readonly policies: ReadonlyMap<string, string | PolicyInput>;
  /** The largest request body. */
  readonly maxBodyBytes: number;
  /** Idle sandbox processes per policy and origin. */
  readonly poolSize: number;
}

const TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;
const count = (max: number) => z.int().min(1).max(max);

const limitsSchema = z.strictObject({
  concurrency: count(64).optional(),
  queue: z.int().min(0).max(100_000).optional(),
  queueWaitMs: count(3_600_000).optional(),
  ratePerMinute: count(1_000_000).optional(),
  burst: count(1_000_000).optional(),
});

const callerSchema = z.strictObject({
  name: z.string().regex(NAME, "must be 1-64 characters of A-Z a-z 0-9 _ . @ -").optional(),
  token: z.string().min(16, "must be at least 16 characters (e.g. `openssl rand -hex 32`)")
    .max(4096).regex(TOKEN, "may hold only A-Z a-z 0-9 - . _ ~ + / and trailing =").optional(),
  tokenSha256: z.string().regex(/^[0-9a-fA-F]{64}$/, "must be 64 hex digits").optional(),
  origin: z.string().optional(),
  policies: z.array(z.string().min(1).max(1024)).min(1).max(256).optional(),
  limits: limitsSchema.optional(),
});

const policyName = z.string().regex(
  /^[A-Za-z][A-Za-z0-9_-]{0,63}$/,
  "a policy name is a letter, then letters, digits, _ or -",
);

/** The schema of {@link HandlerOptions}; its issue paths are the key paths errors name. */
export const handlerOptionsSchema = z.strictObject({
  callers: z.array(callerSchema).max(10_000).optional(),
  policies: z.record(policyName, z.union([z.string().min(1), z.record(z.string(), z.unknown())]))
    .optional(),
  maxBodyBytes: z.int().min(1024).max(1024 ** 3).optional(),
  poolSize: z.int().min(0).max(64).optional(),
});

/** A zod issue path as a key path: `callers[1].limits.queue`. */
export function keyPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`)
    .join("");
}

/** A problem at a key path; {@link resolveSettings} reports the first one. */
interface Problem {
  path: PropertyKey[];
  message: string;
}

/** `record` without its keys whose value is `undefined` (they must not hide a default). */
function defined<T extends object>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Partial<
    T
  >;
}

function sha256(text: string): Uint8Array {
  return new Uint8Array(createHash("sha256").update(text).digest());
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!, (b) => parseInt(b, 16));
}

/**
 * Validate {@link HandlerOptions} and fill in the defaults. `argument` names
 * a key path for the error (`createHandler() options.callers[0].token`);
 * `where` may add a location (a YAML line).
 *
 * @throws {UsageError} the first problem, naming its key path.
 */
export function resolveSettings(
  options: unknown,
  argument: (keyPath: string) => string,
  where: (path: PropertyKey[]) => string = () => "",
): ServerSettings {
  const fail = ({ path, message }: Problem): never => {
    throw new UsageError(argument(keyPath(path)), `${message}${where(path)}`);
  };
  const parsed = handlerOptionsSchema.safeParse(options ?? {});
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
    fail({
      path: keys.length ? [...issue.path, keys[0]] : issue.path,
      message: keys.length ? unknownKey(issue.path, keys[0]) : issue.message,
    });
  }
  const data = parsed.data!;
  const offered = data.policies ?? {};
  const specs = data.callers?.length ? data.callers : [{}];
  const policies = new Map<string, string | PolicyInput>();
  const seenNames = new Set<string>();
  const seenDigests = new Set<string>();
  const callers = specs.map((spec, i): Caller => {
    const at = (...rest: PropertyKey[]) => ["callers", i, ...rest];
    if (spec.token !== undefined && spec.tokenSha256 !== undefined) {
      fail({ path: at("tokenSha256"), message: "give token or tokenSha256, not both" });
    }
    const digest = spec.token !== undefined
      ? sha256(spec.token)
      : spec.tokenSha256 !== undefined
      ? hexBytes(spec.tokenSha256)
      : undefined;
    if (!digest && specs.length > 1) {
      fail({
        path: at("token"),
        message: "missing: with several callers each needs token or tokenSha256",
      });
    }
    const name = spec.name ?? (digest ? `caller${i + 1}` : "local");
    if (seenNames.has(name)) fail({ path: at("name"), message: `'${name}' names another caller` });
    seenNames.add(name);
    if (digest) {
      const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
      if (seenDigests.has(hex)) fail({ path: at("token"), message: "the same token as another" });
      seenDigests.add(hex);
    }
    let origin = "null";
    try {
      origin = serializeOrigin(parseOrigin(spec.origin));
    } catch (err) {
      fail({ path: at("origin"), message: (err as UsageError).problem });
    }
    const names = spec.policies ?? ["default"];
    names.forEach((policy, j) => {
      const source = Object.hasOwn(offered, policy)
        ? offered[policy]
        : BUILTIN_POLICY_NAMES.includes(policy)
        ? policy
        : undefined;
      if (source === undefined) {
        const known = [...new Set([...Object.keys(offered), ...BUILTIN_POLICY_NAMES])];
        fail({
          path: at("policies", j),
          message: `unknown policy '${policy}'${didYouMean(policy, known)}; offered: ${
            known.join(", ")
          } (add others under 'policies')`,
        });
      }
      policies.set(policy, source as string | PolicyInput);
    });
    return Object.freeze({
      name,
      digest,
      origin,
      policies: Object.freeze([...new Set(names)]),
      limits: Object.freeze({ ...DEFAULT_CALLER_LIMITS, ...defined(spec.limits ?? {}) }),
    });
  });
  return {
    callers: Object.freeze(callers),
    policies,
    maxBodyBytes: data.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    poolSize: data.poolSize ?? DEFAULT_POOL_SIZE,
  };
}

/** The message for an unknown key, with the closest known one. */
function unknownKey(path: readonly PropertyKey[], key: string): string {
  const shapes: Record<string, readonly string[]> = {
    "": Object.keys(handlerOptionsSchema.shape),
    caller: Object.keys(callerSchema.shape),
    limits: Object.keys(limitsSchema.shape),
  };
  const last = path.at(-1);
  const shape = path.length === 0 ? "" : last === "limits" ? "limits" : "caller";
  return `unknown key${didYouMean(key, shapes[shape])}; known here: ${shapes[shape].join(", ")}`;
}
