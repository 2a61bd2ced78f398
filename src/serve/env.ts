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
} as const;

/** What the command line may say instead of the environment. */
export interface ServeOverrides {
  /** `--config FILE`. */
  config?: string;
  /** `--origin URL`. */
  origin?: string;
  /** `--policy NAME|PATH`, repeated. */
  policies?: string[];
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
    return await loadServeConfig(config);
  }
  const { names, policies } = namedPolicies(list ?? ["default"], from.policies);
  const options: HandlerOptions = {
    callers: [{ token, origin, policies: names }],
    ...(Object.keys(policies).length ? { policies } : {}),
  };
  resolveSettings(options, (at) => from[/^callers\[0\]\.(\w+)/.exec(at)?.[1] ?? ""] ?? at);
  return options;
}
