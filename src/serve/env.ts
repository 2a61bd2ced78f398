/**
 * The handler's options from the environment, for `deno serve`, Deno Deploy
 * and `pyfence serve`: a config file (`PYFENCE_CONFIG`), or one caller
 * (`PYFENCE_TOKEN`, `PYFENCE_ORIGIN`, `PYFENCE_POLICIES`).
 *
 * @module
 */
import { basename, extname } from "node:path";
import { UsageError } from "../errors.ts";
import { loadServeConfig } from "./config_file.ts";
import { type HandlerOptions, resolveSettings } from "./options.ts";
import type { PolicyInput } from "../policy/schema.ts";

/** The environment variables the server reads. */
export const SERVE_ENV = {
  /** A config file: callers, tokens, origins, policies, quotas (see `loadServeConfig`). */
  config: "PYFENCE_CONFIG",
  /** The one caller's bearer token. */
  token: "PYFENCE_TOKEN",
  /** The one caller's origin. */
  origin: "PYFENCE_ORIGIN",
  /** The one caller's policies, comma-separated: built-in names or YAML paths; the first is its default. */
  policies: "PYFENCE_POLICIES",
  /** A JSONL file for the server's audit trail. */
  auditJsonl: "PYFENCE_AUDIT_JSONL",
  /** Deno KV for the server's audit trail: a database file, a KV Connect URL, or `default`. */
  auditKv: "PYFENCE_AUDIT_KV",
  /** The bearer token that may read `GET /metrics`. */
  metricsToken: "PYFENCE_METRICS_TOKEN",
  /** Sandbox processes alive at once (1 on Deno Deploy's 768 MB). */
  maxProcesses: "PYFENCE_MAX_PROCESSES",
} as const;

/** What the command line may say instead of the environment. */
export interface ServeOverrides {
  /** `--config FILE`. */
  config?: string;
  /** `--origin URL`. */
  origin?: string;
  /** `--policy NAME|PATH`, repeated. */
  policies?: string[];
  /** `--audit FILE`. */
  auditJsonl?: string;
  /** `--audit-kv PATH|URL`. */
  auditKv?: string;
}

/**
 * Policies by name: a built-in name is itself; a path is named after its
 * file (`./reports.yaml` → `reports`).
 */
function namedPolicies(list: string[], source: string): {
  names: string[];
  policies: Record<string, string | PolicyInput>;
} {
  const policies: Record<string, string> = {};
  const names = list.map((entry) => {
    if (/^[A-Za-z][A-Za-z0-9_-]*$/.test(entry)) return entry;
    const name = basename(entry, extname(entry));
    if (Object.hasOwn(policies, name) && policies[name] !== entry) {
      throw new UsageError(source, `two policy files are named '${name}'`);
    }
    policies[name] = entry;
    return name;
  });
  return { names, policies };
}

/**
 * The handler's options from `env` (default `Deno.env`), with the command
 * line's `overrides`.
 *
 * @throws {UsageError} a bad value, naming the variable (or flag) it came
 * from, or a config file's key path; a config file together with a token,
 * origin or policies of its own.
 */
export async function optionsFromEnv(
  overrides: ServeOverrides = {},
  env: { get(name: string): string | undefined } = Deno.env,
): Promise<HandlerOptions> {
  const read = (name: string) => env.get(name) || undefined;
  const from: Record<string, string> = {
    config: overrides.config !== undefined ? "--config" : SERVE_ENV.config,
    token: SERVE_ENV.token,
    origin: overrides.origin !== undefined ? "--origin" : SERVE_ENV.origin,
    policies: overrides.policies !== undefined ? "--policy" : SERVE_ENV.policies,
  };
  const config = overrides.config ?? read(SERVE_ENV.config);
  const token = read(SERVE_ENV.token);
  const origin = overrides.origin ?? read(SERVE_ENV.origin);
  const list = overrides.policies ??
    read(SERVE_ENV.policies)?.split(",").map((s) => s.trim()).filter(Boolean);
  if (config !== undefined) {
    const extra = [token && from.token, origin && from.origin, list && from.policies];
    if (extra.some(Boolean)) {
      throw new UsageError(
        from.config,
        "a config file names its callers' tokens, origins and policies; drop " +
          extra.filter(Boolean).join(", "),
      );
    }
    const options = withServerSettings(await loadServeConfig(config), overrides, read);
    resolveSettings(options, (at) => settingSource(at, overrides) ?? `${config}: ${at}`);
    return options;
  }
  const { names, policies } = namedPolicies(list ?? ["default"], from.policies);
  const options: HandlerOptions = withServerSettings(
    {
      callers: [{ token, origin, policies: names }],
      ...(Object.keys(policies).length ? { policies } : {}),
    },
    overrides,
    read,
  );
  resolveSettings(
    options,
    (at) => settingSource(at, overrides) ?? from[/^callers\[0\]\.(\w+)/.exec(at)?.[1] ?? ""] ?? at,
  );
  return options;
}

/** The flag or variable a server-wide setting came from, for an error about `keyPath`. */
function settingSource(keyPath: string, overrides: ServeOverrides): string | undefined {
  if (keyPath.startsWith("audit.jsonl")) {
    return overrides.auditJsonl !== undefined ? "--audit" : SERVE_ENV.auditJsonl;
  }
  if (keyPath.startsWith("audit.kv")) {
    return overrides.auditKv !== undefined ? "--audit-kv" : SERVE_ENV.auditKv;
  }
  if (keyPath.startsWith("metrics.token")) return SERVE_ENV.metricsToken;
  if (keyPath === "maxProcesses") return SERVE_ENV.maxProcesses;
  return undefined;
}

/**
 * `options` with the audit sinks and the metrics token of the command line
 * and the environment; a setting the config file also makes is a conflict.
 *
 * @throws {UsageError} naming the flag or variable that repeats the config file.
 */
function withServerSettings(
  options: HandlerOptions,
  overrides: ServeOverrides,
  read: (name: string) => string | undefined,
): HandlerOptions {
  const jsonl = overrides.auditJsonl ?? read(SERVE_ENV.auditJsonl);
  const kv = overrides.auditKv ?? read(SERVE_ENV.auditKv);
  const metricsToken = read(SERVE_ENV.metricsToken);
  const maxProcesses = read(SERVE_ENV.maxProcesses);
  if (maxProcesses !== undefined && options.maxProcesses !== undefined) {
    throw new UsageError(SERVE_ENV.maxProcesses, "the config file sets maxProcesses already");
  }
  if (maxProcesses !== undefined && !/^[1-9][0-9]{0,3}$/.test(maxProcesses)) {
    throw new UsageError(
      SERVE_ENV.maxProcesses,
      `must be an integer from 1 to 1024, got '${maxProcesses}'`,
    );
  }
  const audit = { ...options.audit };
  const set = (key: "jsonl" | "kv", value: string | undefined, source: string) => {
    if (value === undefined) return;
    if (audit[key] !== undefined) {
      throw new UsageError(source, `the config file sets audit.${key} already`);
    }
    audit[key] = value;
  };
  set("jsonl", jsonl, overrides.auditJsonl !== undefined ? "--audit" : SERVE_ENV.auditJsonl);
  set("kv", kv, overrides.auditKv !== undefined ? "--audit-kv" : SERVE_ENV.auditKv);
  if (metricsToken !== undefined && options.metrics !== undefined) {
    throw new UsageError(SERVE_ENV.metricsToken, "the config file sets metrics already");
  }
  return {
    ...options,
    ...(Object.keys(audit).length ? { audit } : {}),
    ...(metricsToken !== undefined ? { metrics: { token: metricsToken } } : {}),
    ...(maxProcesses !== undefined ? { maxProcesses: Number(maxProcesses) } : {}),
  };
}
