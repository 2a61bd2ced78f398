/**
 * Loading policies: a built-in name, a YAML file (path or URL), or an object,
 * validated against the schema. Every mistake is a {@link PolicyError} that
 * names the key path (`limits.timeout_ms`, `modules.allow[3]`) and, for YAML,
 * the line and column.
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import { type Document, isMap, isScalar, LineCounter, parseDocument } from "npm:yaml@2.9.1";
import { PolicyError } from "../errors.ts";
import {
  knownKeysAt,
  type Policy,
  type PolicyInput,
  type PolicyIssue,
  policySchema,
} from "./schema.ts";
import { checkOptionKeys } from "../option_keys.ts";
import { POLICIES } from "../generated/policies.ts";
import { didYouMean } from "../suggest.ts";

/** The names of the built-in policies, sorted. */
export const BUILTIN_POLICY_NAMES: readonly string[] = Object.freeze(Object.keys(POLICIES).sort());

/**
 * The names of the built-in policies (`policies/<name>.yaml`), sorted.
 *
 * @example
 * ```ts
 * import { builtinPolicyNames } from "./load.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(builtinPolicyNames(), ["compute", "default", "strict"]);
 * ```
 */
export function builtinPolicyNames(): string[] {
  return [...BUILTIN_POLICY_NAMES];
}

/** The YAML text of a built-in policy; a {@link PolicyError} for an unknown name. */
function builtinPolicyText(name: string): string {
  // Own keys only: a name like `constructor` must not reach Object.prototype.
  if (!Object.hasOwn(POLICIES, name)) {
    throw new PolicyError(
      "",
      `unknown policy '${name}'${didYouMean(name, BUILTIN_POLICY_NAMES)}; ` +
        `built-in policies are: ${BUILTIN_POLICY_NAMES.join(", ")} ` +
        `(to load a file, give a path containing '/' or ending in .yaml)`,
    );
  }
  return POLICIES[name];
}

/** Options for {@link loadPolicy}. */
export interface LoadPolicyOptions {
  /** Directory that relative policy paths are resolved against. Default `Deno.cwd()`. */
  cwd?: string;
}

const LOAD_POLICY_OPTION_KEYS: Record<keyof LoadPolicyOptions, true> = { cwd: true };

const NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
const URL_SOURCE = /^(https?|file):\/\//i;
/** How many policies one `extends` chain may hold, the policy itself included. */
const MAX_CHAIN = 8;

/** A validated policy and the policies it was merged from. */
export interface ResolvedPolicy {
  /** The validated policy, every `extends` merged in. */
  policy: Policy;
  /**
   * What was merged, the base first and the policy itself last: built-in
   * names, file paths or URLs, and `(inline)` for an object.
   */
  chain: string[];
}

/** One policy document before validation, and what its errors point at. */
interface Resolved extends ResolvedPolicy {
  /** Its keys as written, with those of every policy it extends merged under them. */
  raw: Record<string, unknown>;
}

const builtinCache = new Map<string, Resolved>();

/**
 * Load and validate a policy.
 *
 * - a built-in name (`"default"`, `"strict"`, `"compute"`; see {@link builtinPolicyNames}),
 * - a path to a YAML file (it must contain `/` or end in `.yaml`/`.yml`;
 *   relative to `opts.cwd`), or an `http(s):`/`file:` URL of one,
 * - or an object (a `PolicyInput`, or a `Policy`, which validates to itself).
 *
 * A policy may start from another with `extends` (a built-in name, or a path
 * relative to the file that says it; for an object, relative to `opts.cwd`).
 * Its own keys are merged over the other's: mappings key by key, at every
 * depth (`limits`, `modules.members.io`); lists and single values replace
 * the other's whole (to add a module, repeat the list). Each policy of the
 * chain must be valid on its own, and the merged result is validated again.
 *
 * @throws {PolicyError} an unknown name, a missing file, a YAML syntax error
 * (with line and column), a schema violation (with the key path), or an
 * `extends` chain with a cycle or more than 8 policies.
 * @throws {UsageError} an unknown key in `opts`.
 *
 * @example
 * ```ts
 * import { loadPolicy } from "./load.ts";
 * import assert from "node:assert/strict";
 * const policy = await loadPolicy("default");
 * assert.ok(policy.modules.allow.includes("json"));
 * const mine = await loadPolicy({ version: 1, limits: { timeout_ms: 1000 } });
 * assert.equal(mine.limits.timeout_ms, 1000);
 * const more = await loadPolicy({ version: 1, extends: "compute", limits: { timeout_ms: 1000 } });
 * assert.ok(more.modules.allow.includes("statistics"));
 * assert.equal(more.limits.timeout_ms, 1000);
 * assert.equal(more.limits.memory_mb, (await loadPolicy("compute")).limits.memory_mb);
 * ```
 */
export async function loadPolicy(
  source: string | PolicyInput,
  opts: LoadPolicyOptions = {},
): Promise<Policy> {
  return (await resolvePolicy(source, opts)).policy;
}

/**
 * {@link loadPolicy}, also saying which policies were merged (for
 * `pyfence policy explain`).
 *
 * @throws {PolicyError} as {@link loadPolicy}.
 * @throws {UsageError} an unknown key in `opts`.
 *
 * @example
 * ```ts
 * import { resolvePolicy } from "./load.ts";
 * import assert from "node:assert/strict";
 * const { policy, chain } = await resolvePolicy({ version: 1, extends: "strict" });
 * assert.deepEqual(chain, ["strict", "(inline)"]);
 * assert.deepEqual(policy.modules.allow, ["json", "math"]);
 * ```
 */
export async function resolvePolicy(
  source: string | PolicyInput,
  opts: LoadPolicyOptions = {},
): Promise<ResolvedPolicy> {
  checkOptionKeys("loadPolicy() options", opts, LOAD_POLICY_OPTION_KEYS);
  const { policy, chain } = await resolveSource(source, opts.cwd ?? Deno.cwd(), []);
  return { policy, chain };
}

/** Where a policy came from: how errors name it, and what its `extends` is relative to. */
interface Origin {
  /** `compute`, a path, a URL, or `(inline)`. */
  label: string;
  /** The file named in errors (`policies/compute.yaml` for a built-in). */
  file?: string;
  /** The directory (or URL) a relative `extends` starts from. */
  base: string | URL;
}

async function resolveSource(
  source: string | PolicyInput,
  cwd: string,
  seen: string[],
): Promise<Resolved> {
  if (typeof source !== "string") {
    const raw = source as unknown as Record<string, unknown>;
    return await resolveDocument(raw, { label: "(inline)", base: cwd }, () => undefined, seen);
  }
  if (NAME.test(source)) {
    let cached = builtinCache.get(source);
    if (!cached) {
      const file = `policies/${source}.yaml`;
      const { raw, locate } = parseYaml(builtinPolicyText(source), file);
      cached = await resolveDocument(raw, { label: source, file, base: cwd }, locate, seen);
      builtinCache.set(source, cached);
    }
    return structuredClone(cached);
  }
  const target = URL_SOURCE.test(source) ? new URL(source) : resolvePath(cwd, source);
  const shown = typeof target === "string" ? target : target.href;
  const { raw, locate } = parseYaml(await readText(target), shown);
  const base = typeof target === "string" ? dirname(target) : target;
  return await resolveDocument(raw, { label: shown, file: shown, base }, locate, seen);
}

/** Merge what `raw` extends under it, then validate the result as `origin`'s. */
async function resolveDocument(
  raw: Record<string, unknown>,
  origin: Origin,
  locate: Locator,
  seen: string[],
): Promise<Resolved> {
  if (!isMapping(raw) || !Object.hasOwn(raw, "extends")) {
    return { raw, policy: validate(raw, origin.file, locate), chain: [origin.label] };
  }
  const { extends: parentSource, ...own } = raw;
  const where = locate(["extends"]);
  const fail = (problem: string): never => {
    throw new PolicyError("extends", where ? `${problem} (${where})` : problem, origin.file);
  };
  if (typeof parentSource !== "string" || parentSource === "") {
    fail("must be a built-in policy name or a path to a policy file");
  }
  const chain = [...seen, origin.label];
  if (chain.length >= MAX_CHAIN) fail(`more than ${MAX_CHAIN} policies in the chain`);
  const parentKey = parentIdentity(parentSource as string, origin.base);
  if (chain.includes(parentKey)) fail(`a cycle: ${[...chain, parentKey].join(" → ")}`);
  const parent = await resolveSource(parentKey, Deno.cwd(), chain);
  const merged = mergePolicies(parent.raw, own);
  return {
    raw: merged,
    policy: validate(merged, origin.file, locate),
    chain: [...parent.chain, origin.label],
  };
}

/** The name, absolute path or URL a policy's `extends` refers to. */
function parentIdentity(source: string, base: string | URL): string {
  if (NAME.test(source)) return source;
  if (URL_SOURCE.test(source)) return new URL(source).href;
  if (typeof base !== "string") return new URL(source, base).href;
  return resolve(base, source);
}

/**
 * `over` merged onto `base`: mappings key by key at every depth; anything
 * else (lists, values) in `over` replaces what `base` has.
 *
 * @example
 * ```ts
 * import { mergePolicies } from "./load.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(
 *   mergePolicies(
 *     { limits: { timeout_ms: 5000, memory_mb: 256 }, modules: { allow: ["json", "math"] } },
 *     { limits: { timeout_ms: 1000 }, modules: { allow: ["json"] } },
 *   ),
 *   { limits: { timeout_ms: 1000, memory_mb: 256 }, modules: { allow: ["json"] } },
 * );
 * ```
 */
export function mergePolicies(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const under = out[key];
    out[key] = isMapping(under) && isMapping(value) ? mergePolicies(under, value) : value;
  }
  return out;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function resolvePath(cwd: string, path: string): string {
  return resolve(cwd, path);
}

async function readText(target: string | URL): Promise<string> {
  const shown = typeof target === "string" ? target : target.href;
  if (typeof target === "string" || target.protocol === "file:") {
    try {
      return await Deno.readTextFile(target);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw new PolicyError("", "policy file not found", shown);
      }
      if (e instanceof Deno.errors.IsADirectory) {
        throw new PolicyError("", "is a directory, not a policy file", shown);
      }
      throw new PolicyError("", `cannot read policy file: ${(e as Error).message}`, shown);
    }
  }
  let response: Response;
  try {
    response = await fetch(target);
  } catch (e) {
    throw new PolicyError("", `cannot fetch policy: ${(e as Error).message}`, shown);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new PolicyError(
      "",
      response.status === 404 ? "policy file not found (HTTP 404)" : `HTTP ${response.status}`,
      shown,
    );
  }
  return await response.text();
}

/**
 * Parse and validate a policy from YAML text. `file` is only used in error
 * messages. Throws a {@link PolicyError} for YAML syntax errors (with line
 * and column) and schema violations (with key path, line and column).
 *
 * @example
 * ```ts
 * import { parsePolicyYaml } from "./load.ts";
 * import assert from "node:assert/strict";
 * const p = parsePolicyYaml("version: 1\nmodules: { allow: [json] }\n");
 * assert.deepEqual(p.modules.allow, ["json"]);
 * assert.throws(() => parsePolicyYaml("version: 1\nlimits: { timeout: 5 }\n"), /did you mean 'timeout_ms'/);
 * ```
 */
export function parsePolicyYaml(text: string, file?: string): Policy {
  const { raw, locate } = parseYaml(text, file);
  refuseExtends(raw, file, "parsePolicyYaml()");
  return validate(raw, file, locate);
}

/** A YAML policy document as a value, and how to find a key path's line in it. */
function parseYaml(text: string, file?: string): { raw: Record<string, unknown>; locate: Locator } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      const pos = e.linePos?.[0] ?? (e.pos ? lines.linePos(e.pos[0]) : undefined);
      const at = pos ? `line ${pos.line}, col ${pos.col}` : "unknown position";
      return `YAML syntax error at ${at}: ${e.message.split("\n")[0]}`;
    });
    throw new PolicyError("", joinProblems(problems), file);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new PolicyError("", `cannot read YAML: ${(e as Error).message}`, file);
  }
  if (value === null || value === undefined) {
    throw new PolicyError("", "the policy is empty; it needs at least `version: 1`", file);
  }
  // Anything but a mapping fails validation, which says so with its position.
  return {
    raw: value as Record<string, unknown>,
    locate: (path, key) => locate(doc, lines, path, key),
  };
}

/**
 * Validate a policy object (a `PolicyInput` or a `Policy`) and fill in its
 * defaults. Throws a {@link PolicyError} naming the key path of the first
 * problem; the message lists all of them. A policy with `extends` needs
 * {@link loadPolicy}, which reads the policy it extends.
 *
 * @example
 * ```ts
 * import { validatePolicy } from "./load.ts";
 * import assert from "node:assert/strict";
 * const p = validatePolicy({ version: 1, network: { same_origin: true } });
 * assert.equal(p.network.websocket, false);
 * ```
 */
export function validatePolicy(value: unknown, file?: string): Policy {
  refuseExtends(value, file, "validatePolicy()");
  return validate(value, file, () => undefined);
}

function refuseExtends(value: unknown, file: string | undefined, caller: string): void {
  if (isMapping(value) && Object.hasOwn(value, "extends")) {
    throw new PolicyError(
      "extends",
      `${caller} cannot follow 'extends'; use loadPolicy(), which reads the policy it extends`,
      file,
    );
  }
}

type Locator = (path: PropertyKey[], key?: string) => string | undefined;

function validate(value: unknown, file: string | undefined, locate: Locator): Policy {
  const result = policySchema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const rendered = result.error.issues.map((issue) => renderIssue(issue, locate));
  throw new PolicyError(
    rendered[0].keyPath,
    joinProblems(
      rendered.map((r, i) => (i === 0 ? r.problem : `${r.keyPath || "(policy)"}: ${r.problem}`)),
    ),
    file,
  );
}

function joinProblems(problems: string[]): string {
  if (problems.length === 1) return problems[0];
  return `${problems[0]}\n(${problems.length} problems in all:)\n` +
    problems.map((p, i) => (i === 0 ? "" : `  - ${p}`)).filter(Boolean).join("\n");
}

/**
 * Render a key path the way a reader writes it: `limits.timeout_ms`,
 * `modules.allow[3]`, `modules.members["xml.etree"]`.
 *
 * @example
 * ```ts
 * import { keyPathOf } from "./load.ts";
 * import assert from "node:assert/strict";
 * assert.equal(keyPathOf(["modules", "allow", 3]), "modules.allow[3]");
 * assert.equal(keyPathOf(["modules", "members", "xml.etree"]), 'modules.members["xml.etree"]');
 * ```
 */
export function keyPathOf(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (typeof seg === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(seg)) {
      out += out === "" ? seg : `.${seg}`;
    } else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

const KIND: Record<string, string> = {
  number: "a number",
  int: "an integer",
  string: "a string",
  boolean: "true or false",
  array: "a list",
  object: "a mapping",
  record: "a mapping",
};

function describe(input: unknown): string {
  if (input === undefined) return "nothing";
  if (input === null) return "null";
  if (Array.isArray(input)) return "a list";
  if (typeof input === "object") return "a mapping";
  const s = JSON.stringify(input) ?? String(input);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function renderIssue(
  issue: PolicyIssue,
  locate: Locator,
): { keyPath: string; problem: string } {
  const path = issue.path;
  const input = (issue as { input?: unknown }).input;
  let keyPath = keyPathOf(path);
  let problem: string;
  let where: string | undefined;
  switch (issue.code) {
    case "unrecognized_keys": {
      const [first, ...rest] = issue.keys;
      keyPath = keyPathOf([...path, first]);
      const known = knownKeysAt(path);
      problem = `unknown key '${first}'` + didYouMean(first, known ?? []) +
        (rest.length ? ` (also unknown here: ${rest.map((k) => `'${k}'`).join(", ")})` : "") +
        (known ? `; known keys here: ${known.join(", ")}` : "");
      where = locate(path, first);
      break;
    }
    case "invalid_type":
      if (input === undefined) problem = "is required";
      else if (!/^Invalid input/.test(issue.message)) problem = issue.message;
      else problem = `must be ${KIND[issue.expected] ?? issue.expected}, got ${describe(input)}`;
      break;
    case "invalid_value":
      problem = `must be ${issue.values.length === 1 ? "" : "one of "}${
        issue.values.map((v) => JSON.stringify(v)).join(", ")
      }, got ${describe(input)}`;
      break;
    case "too_big":
    case "too_small": {
      const bound = issue.code === "too_big" ? "at most" : "at least";
      const limit = issue.code === "too_big" ? issue.maximum : issue.minimum;
      problem = typeof input === "number"
        ? `must be ${bound} ${limit}, got ${input}`
        : `${issue.message}`;
      break;
    }
    case "invalid_format":
      problem = `${issue.message}, got ${describe(input)}`;
      break;
    default:
      problem = issue.message;
  }
  where ??= locate(path);
  return { keyPath, problem: where ? `${problem} (${where})` : problem };
}

/** `line L, col C` of the node at `path` (or of the key `key` in the map there). */
function locate(
  doc: Document,
  lines: LineCounter,
  path: PropertyKey[],
  key?: string,
): string | undefined {
  const at = (offset: number | undefined) => {
    if (offset === undefined) return undefined;
    const { line, col } = lines.linePos(offset);
    return `line ${line}, col ${col}`;
  };
  const nodeAt = (
    p: PropertyKey[],
  ): unknown => (p.length === 0 ? doc.contents : doc.getIn(p, true));
  if (key !== undefined) {
    const map = nodeAt(path);
    if (isMap(map)) {
      const pair = map.items.find((it) => isScalar(it.key) && String(it.key.value) === key);
      const range = pair && isScalar(pair.key) ? pair.key.range : undefined;
      if (range) return at(range[0]);
    }
  }
  // The deepest node that exists (list-form `members` have no `allow` node).
  for (let n = path.length; n >= 0; n--) {
    const node = nodeAt(path.slice(0, n)) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === "object" && node.range) return at(node.range[0]);
  }
  return undefined;
}
