/**
 * Loading policies: a built-in name, a YAML file (path or URL), or an object,
 * validated against the schema. Every mistake is a {@link PolicyError} that
 * names the key path (`limits.timeout_ms`, `modules.allow[3]`) and, for YAML,
 * the line and column.
 *
 * @module
 */
import { resolve } from "node:path";
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
 * assert.deepEqual(builtinPolicyNames(), ["agent", "compute", "default", "strict"]);
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
const builtinCache = new Map<string, Policy>();

/**
 * Load and validate a policy.
 *
 * - a built-in name (`"default"`, `"strict"`, `"compute"`; see {@link builtinPolicyNames}),
 * - a path to a YAML file (it must contain `/` or end in `.yaml`/`.yml`;
 *   relative to `opts.cwd`), or an `http(s):`/`file:` URL of one,
 * - or an object (a `PolicyInput`, or a `Policy`, which validates to itself).
 *
 * @throws {PolicyError} an unknown name, a missing file, a YAML syntax error
 * (with line and column) or a schema violation (with the key path).
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
 * ```
 */
export async function loadPolicy(
  source: string | PolicyInput,
  opts: LoadPolicyOptions = {},
): Promise<Policy> {
  checkOptionKeys("loadPolicy() options", opts, LOAD_POLICY_OPTION_KEYS);
  if (typeof source !== "string") return validatePolicy(source);
  if (NAME.test(source)) {
    let cached = builtinCache.get(source);
    if (!cached) {
      cached = parsePolicyYaml(builtinPolicyText(source), `policies/${source}.yaml`);
      builtinCache.set(source, cached);
    }
    return structuredClone(cached);
  }
  const target = /^(https?|file):\/\//i.test(source) ? new URL(source) : resolvePath(source, opts);
  const text = await readText(target);
  return parsePolicyYaml(text, typeof target === "string" ? target : target.href);
}

function resolvePath(path: string, opts: LoadPolicyOptions): string {
  return resolve(opts.cwd ?? Deno.cwd(), path);
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
  return validate(value, file, (path, key) => locate(doc, lines, path, key));
}

/**
 * Validate a policy object (a `PolicyInput` or a `Policy`) and fill in its
 * defaults. Throws a {@link PolicyError} naming the key path of the first
 * problem; the message lists all of them.
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
  return validate(value, file, () => undefined);
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
