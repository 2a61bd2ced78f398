/**
 * Pyodide packages a policy names (`packages: [six]`): resolved with their
 * dependencies from a Pyodide lock file (by default the pyodide npm package's
 * own `pyodide-lock.json`, which npm's integrity check covers), fetched by
 * the host, never by a sandbox, from a package index, checked against the
 * lock file's sha256, and cached under the cache directory, named by that
 * hash. The snapshot build and every sandbox process then read the cached
 * wheels (their only new read permission) and the interpreter imports them
 * from its in-memory file system.
 *
 * Only pure-Python wheels (`*-none-any.whl`) can be built into an
 * interpreter snapshot: a memory snapshot restores the wasm memory, not the
 * modules `dlopen` instantiated, so a package with compiled code is refused.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { z } from "../zod.ts";
import { PolicyError, SandboxError, UsageError } from "../errors.ts";
import { coveredBy, type Policy } from "../policy/schema.ts";
import { didYouMean } from "../suggest.ts";
import { sha256Hex } from "../sha256.ts";
import { PYODIDE_VERSION, pyodideLockText } from "./assets.ts";
import { cacheDir } from "./cache_dir.ts";

/** Where packages come from when nothing else is configured: Pyodide's CDN for this version. */
export const DEFAULT_PACKAGE_INDEX = `https://cdn.jsdelivr.net/pyodide/v${PYODIDE_VERSION}/full/`;

/** The environment variable that sets the package index (a `Sandbox` option overrides it). */
export const PACKAGE_INDEX_ENV = "PYFENCE_PACKAGE_INDEX";

/** The environment variable that sets the lock file (a `Sandbox` option overrides it). */
export const PACKAGE_LOCK_ENV = "PYFENCE_PACKAGE_LOCK";

/** A wheel larger than this is refused (Pyodide's largest pure-Python wheel is a few MiB). */
const MAX_PACKAGE_BYTES = 256 * 1024 * 1024;
/** A lock file larger than this is refused (Pyodide's own is about 120 KiB). */
const MAX_LOCK_BYTES = 16 * 1024 * 1024;
/** A download that delivers nothing for this long is abandoned. */
const IDLE_TIMEOUT_MS = 30_000;

/** Where packages are fetched from and which lock file pins them. */
export interface PackageSource {
  /** The index: a directory URL (`http(s):` or `file:`) holding the wheels by file name. */
  index: URL;
  /** A lock file (path or URL), or undefined for the pyodide npm package's own. */
  lock?: string;
  /** The option, flag or variable each came from, for error messages. */
  labels: { index: string; lock: string };
}

/** What the caller configures: options win over the environment variables. */
export interface PackageSourceOptions {
  /** The package index (a directory URL or a local directory). */
  packageIndex?: string;
  /** The lock file (a path or URL). */
  packageLock?: string;
}

/**
 * The package source from `options`, else from `$PYFENCE_PACKAGE_INDEX` and
 * `$PYFENCE_PACKAGE_LOCK`, else the defaults. `names` are the option names
 * used in errors (a CLI passes its flags).
 *
 * @throws {UsageError} an index that is not an `http(s):`/`file:` URL or a
 * directory path, naming the option or variable it came from.
 *
 * @example
 * ```ts
 * import { DEFAULT_PACKAGE_INDEX, packageSource } from "./packages.ts";
 * import assert from "node:assert/strict";
 * const source = packageSource({ packageIndex: "https://mirror.example/pyodide" });
 * assert.equal(source.index.href, "https://mirror.example/pyodide/");
 * assert.ok(DEFAULT_PACKAGE_INDEX.startsWith("https://cdn.jsdelivr.net/pyodide/v"));
 * assert.throws(() => packageSource({ packageIndex: "ftp://x" }), /packageIndex: /);
 * ```
 */
export function packageSource(
  options: PackageSourceOptions = {},
  names: { index: string; lock: string } = { index: "packageIndex", lock: "packageLock" },
  fromEnv: (name: string) => string | undefined = readEnv,
): PackageSource {
  const indexLabel = options.packageIndex !== undefined ? names.index : PACKAGE_INDEX_ENV;
  const lockLabel = options.packageLock !== undefined ? names.lock : PACKAGE_LOCK_ENV;
  const index = options.packageIndex ?? fromEnv(PACKAGE_INDEX_ENV);
  const lock = options.packageLock ?? fromEnv(PACKAGE_LOCK_ENV);
  for (const [label, value] of [[indexLabel, index], [lockLabel, lock]] as const) {
    if (value !== undefined && (typeof value !== "string" || value === "")) {
      throw new UsageError(label, "must be a non-empty string");
    }
  }
  return {
    index: index === undefined ? new URL(DEFAULT_PACKAGE_INDEX) : indexUrl(index, indexLabel),
    lock,
    labels: { index: indexLabel, lock: lockLabel },
  };
}

/** An environment variable, or undefined where it is unset or may not be read. */
function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined;
  }
}

function indexUrl(value: string, label: string): URL {
  let url: URL;
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value)) {
    try {
      url = new URL(value);
    } catch {
      throw new UsageError(label, `not a valid URL: ${JSON.stringify(value)}`);
    }
    if (!["http:", "https:", "file:"].includes(url.protocol)) {
      throw new UsageError(label, `must be an http(s): or file: URL, got '${url.protocol}'`);
    }
    if (url.search || url.hash || url.username || url.password) {
      throw new UsageError(label, "must be a plain directory URL (no query, fragment or user)");
    }
  } else url = pathToFileURL(resolve(value));
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  return url;
}

const lockPackageSchema = z.looseObject({
  name: z.string(),
  version: z.string(),
  file_name: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex digits"),
  depends: z.array(z.string()),
  imports: z.array(z.string()),
  package_type: z.string(),
  install_dir: z.string(),
});

const lockSchema = z.looseObject({
  info: z.looseObject({ abi_version: z.string(), python: z.string() }),
  packages: z.record(z.string(), lockPackageSchema),
});

type LockPackage = z.infer<typeof lockPackageSchema>;

/** A parsed lock file: its packages by canonical name. */
export interface Lock {
  /** How errors name it: `the lock file of Pyodide 314.0.7` or its path. */
  label: string;
  /** Packages by canonical name (`python-dateutil`). */
  packages: Map<string, LockPackage>;
}

/** A package name as Pyodide's lock file keys it (PEP 503): `Python_DateUtil` → `python-dateutil`. */
export function canonicalName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

const locks = new Map<string, Promise<Lock>>();

/**
 * The lock file of `source`, read and validated once per process.
 *
 * @throws {UsageError} a lock file that cannot be read, is not a Pyodide
 * lock file, or was made for another Pyodide ABI.
 * @throws {SandboxError} (`packages`) a lock file URL that cannot be fetched.
 */
export function loadLock(source: PackageSource): Promise<Lock> {
  const key = source.lock ?? "";
  let promise = locks.get(key);
  if (!promise) {
    promise = readLock(source);
    promise.catch(() => locks.delete(key));
    locks.set(key, promise);
  }
  return promise;
}

async function readLock(source: PackageSource): Promise<Lock> {
  const own = parseLock(await pyodideLockText(), `the lock file of Pyodide ${PYODIDE_VERSION}`);
  if (source.lock === undefined) return own.lock;
  const label = source.labels.lock;
  const where = source.lock;
  const text = /^https?:\/\//i.test(where)
    ? await fetchLockText(where, label)
    : await Deno.readTextFile(where.startsWith("file:") ? new URL(where) : where).catch((e) => {
      throw new UsageError(label, `cannot read lock file '${where}': ${(e as Error).message}`);
    });
  let theirs: ReturnType<typeof parseLock>;
  try {
    theirs = parseLock(text, `lock file '${where}'`);
  } catch (e) {
    throw new UsageError(label, (e as Error).message);
  }
  if (theirs.abi !== own.abi) {
    throw new UsageError(
      label,
      `lock file '${where}' is for Pyodide ABI ${theirs.abi}; this Pyodide (${PYODIDE_VERSION}) ` +
        `is ABI ${own.abi}`,
    );
  }
  return theirs.lock;
}

async function fetchLockText(url: string, label: string): Promise<string> {
  try {
    const bytes = await download(new URL(url), MAX_LOCK_BYTES);
    return new TextDecoder().decode(bytes);
  } catch (e) {
    if (e instanceof SizeError) throw new UsageError(label, `lock file '${url}': ${e.message}`);
    throw new SandboxError("packages", `fetching lock file ${url} failed: ${errorText(e)}`, {
      cause: e,
    });
  }
}

function parseLock(text: string, label: string): { lock: Lock; abi: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${label} is not JSON: ${(e as Error).message}`);
  }
  const parsed = lockSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `${label} is not a Pyodide lock file: ${issue.path.join(".") || "(top)"}: ${issue.message}`,
    );
  }
  const packages = new Map<string, LockPackage>();
  for (const [key, pkg] of Object.entries(parsed.data.packages)) {
    packages.set(canonicalName(key), pkg);
  }
  return { lock: { label, packages }, abi: parsed.data.info.abi_version };
}

/** One package to install: listed in the policy, or a dependency of one that is. */
export interface ResolvedPackage {
  /** Its name in the lock file. */
  name: string;
  /** Its version. */
  version: string;
  /** The wheel's file name on the index. */
  fileName: string;
  /** The wheel's sha256 (hex), from the lock file. */
  sha256: string;
  /** The top-level modules it provides. */
  imports: string[];
  /** Of those, the ones the policy lets the script import. */
  importable: string[];
  /** The policy's `packages[i]` that names it, if it is listed. */
  listedAt?: number;
  /** The listed package that pulled it in, if it is only a dependency. */
  requiredBy?: string;
}

const WHEEL_FILE = /^[A-Za-z0-9][A-Za-z0-9._+!-]*\.whl$/;
const MODULE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
/** Packages that would let a script install more at run time. */
const INSTALLERS = new Set(["micropip"]);

/** Is the module `name` one the script may import under `modules` (itself or a submodule)? */
function importable(name: string, modules: Policy["modules"]): boolean {
  if (coveredBy(name, modules.deny) !== undefined) return false;
  return modules.allow.some((a) =>
    a === name || name.startsWith(a + ".") || a.startsWith(name + ".")
  );
}

/**
 * The packages `policy.packages` names, with their dependencies, in
 * dependency order, from `lock`. Resolving reads nothing and fetches nothing.
 *
 * @throws {PolicyError} naming `packages[i]`: a package the lock file does
 * not have, an installer (`micropip`), one with compiled code (or a
 * dependency with it), the same package twice, or a listed package none of
 * whose modules `modules.allow` lets the script import.
 * @throws {UsageError} naming `lockLabel`: the lock file gives a package an
 * unusable file or module name.
 */
export function resolvePackages(
  policy: Pick<Policy, "packages" | "modules">,
  lock: Lock,
  lockLabel = "packageLock",
): ResolvedPackage[] {
  const out = new Map<string, ResolvedPackage>();
  const listed = new Map<string, number>();
  policy.packages.forEach((requested, i) => {
    const key = canonicalName(requested);
    const at = `packages[${i}]`;
    const first = listed.get(key);
    if (first !== undefined) {
      throw new PolicyError(at, `'${requested}' is the same package as packages[${first}]`);
    }
    listed.set(key, i);
    const pkg = lock.packages.get(key);
    if (!pkg) {
      throw new PolicyError(
        at,
        `'${requested}' is not in ${lock.label}` +
          didYouMean(key, [...lock.packages.keys()]),
      );
    }
    if (INSTALLERS.has(key)) {
      throw new PolicyError(
        at,
        `'${requested}' installs packages at run time; a script cannot install anything ` +
          "(name the packages it needs here instead)",
      );
    }
    const visit = (name: string, chain: string[]) => {
      const dep = lock.packages.get(canonicalName(name));
      if (!dep) {
        throw new PolicyError(
          at,
          `'${chain.join("' needs '")}' needs '${name}', which is not in ${lock.label}`,
        );
      }
      const depKey = canonicalName(dep.name);
      if (out.has(depKey) || chain.map(canonicalName).includes(depKey)) return;
      if (INSTALLERS.has(depKey)) {
        throw new PolicyError(at, `'${chain.join("' needs '")}' needs '${dep.name}', an installer`);
      }
      const native = !WHEEL_FILE.test(dep.file_name) || !dep.file_name.endsWith("-none-any.whl") ||
        dep.package_type !== "package" || dep.install_dir !== "site";
      if (native) {
        const via = chain.length ? `'${chain.join("' needs '")}' needs '${dep.name}', which` : "it";
        throw new PolicyError(
          at,
          `'${requested}': ${via} is not a pure-Python wheel (${dep.file_name}); pyfence builds ` +
            "only pure-Python packages into its interpreter snapshot (a memory snapshot cannot " +
            "carry compiled code that Pyodide loads at run time)",
        );
      }
      const badModule = dep.imports.find((m) => !MODULE_NAME.test(m));
      if (badModule !== undefined) {
        throw new UsageError(
          lockLabel,
          `${lock.label}: package '${dep.name}' lists ${JSON.stringify(badModule)} as a module`,
        );
      }
      for (const d of dep.depends) visit(d, [...chain, dep.name]);
      out.set(depKey, {
        name: dep.name,
        version: dep.version,
        fileName: dep.file_name,
        sha256: dep.sha256,
        imports: [...dep.imports],
        importable: dep.imports.filter((m) => importable(m, policy.modules)),
        ...(chain.length ? { requiredBy: chain[0] } : {}),
      });
    };
    visit(pkg.name, []);
    const entry = out.get(canonicalName(pkg.name))!;
    if (entry.importable.length === 0) {
      throw new PolicyError(
        at,
        entry.imports.length === 0
          ? `'${requested}' provides no module to import`
          : `'${requested}' would be installed, but the script could not import it: ` +
            `allow ${entry.imports.map((m) => `'${m}'`).join(" or ")} in modules.allow ` +
            "(installing a package grants nothing by itself)",
      );
    }
  });
  for (const [key, i] of listed) {
    const entry = out.get(canonicalName(lock.packages.get(key)!.name))!;
    entry.listedAt = i;
    delete entry.requiredBy;
  }
  return [...out.values()];
}

/** A wheel in the cache, checked against its sha256. */
export interface PackageFile {
  /** The package's name. */
  name: string;
  /** The wheel's file name (what the interpreter sees). */
  fileName: string;
  /** Its sha256 (hex). */
  sha256: string;
  /** Its path in the cache directory. */
  path: string;
}

/** How far a download has got, for a progress display. */
export interface PackageProgress {
  /** The wheel being fetched. */
  fileName: string;
  /** Bytes received so far. */
  received: number;
  /** The size the index announced, if it did. */
  total?: number;
}

/** The directory cached wheels live in (`<cache>/packages`). */
export function packageCacheDir(): string {
  return join(cacheDir(), "packages");
}

// Paths whose content was hashed in this process: each cached wheel is
// checked once per process, then trusted like the snapshot beside it.
const checked = new Map<string, Promise<void>>();

/**
 * Make sure every package of `packages` is in the cache with the right
 * sha256, fetching the missing ones from `index` (one at a time, so a
 * progress display shows one file). A cached file whose hash is wrong is
 * fetched again. Nothing half-written is ever left under its final name.
 *
 * @throws {SandboxError} (`packages`) the index cannot be reached, answers
 * with an error, or serves a file whose sha256 is not the lock file's;
 * the message names the package and the file.
 */
export async function fetchPackages(
  packages: readonly ResolvedPackage[],
  index: URL,
  onProgress?: (progress: PackageProgress) => void,
): Promise<PackageFile[]> {
  const dir = packageCacheDir();
  const files: PackageFile[] = [];
  for (const pkg of packages) {
    const path = join(dir, `${pkg.sha256}-${pkg.fileName}`);
    let promise = checked.get(path);
    if (!promise) {
      promise = ensureFile(pkg, path, index, onProgress);
      promise.catch(() => checked.delete(path));
      checked.set(path, promise);
    }
    await promise;
    files.push({ name: pkg.name, fileName: pkg.fileName, sha256: pkg.sha256, path });
  }
  return files;
}

async function ensureFile(
  pkg: ResolvedPackage,
  path: string,
  index: URL,
  onProgress?: (progress: PackageProgress) => void,
): Promise<void> {
  try {
    if (await sha256Hex(await Deno.readFile(path)) === pkg.sha256) return;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const url = new URL(pkg.fileName, index);
  const what = `package '${pkg.name}' (${pkg.fileName})`;
  let bytes: Uint8Array;
  try {
    bytes = await download(
      url,
      MAX_PACKAGE_BYTES,
      (received, total) => onProgress?.({ fileName: pkg.fileName, received, total }),
    );
  } catch (e) {
    throw new SandboxError("packages", `${what}: fetching ${url.href} failed: ${errorText(e)}`, {
      cause: e,
    });
  }
  const actual = await sha256Hex(bytes);
  if (actual !== pkg.sha256) {
    throw new SandboxError(
      "packages",
      `${what}: the file from ${url.href} has sha256 ${actual}, but the lock file says ` +
        `${pkg.sha256}; refused, nothing cached`,
    );
  }
  await Deno.mkdir(join(path, ".."), { recursive: true });
  const tmp = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.writeFile(tmp, bytes);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}

class SizeError extends Error {}

function errorText(e: unknown): string {
  const err = e as Error;
  const cause = (err?.cause as Error | undefined)?.message;
  return cause && !err.message.includes(cause)
    ? `${err.message} (${cause})`
    : String(err?.message ?? e);
}

/**
 * The body of `url`, at most `max` bytes; gives up when nothing arrives for
 * {@link IDLE_TIMEOUT_MS}. Redirects are followed: what counts is the hash.
 */
async function download(
  url: URL,
  max: number,
  onChunk?: (received: number, total?: number) => void,
): Promise<Uint8Array> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const idle = () => {
    clearTimeout(timer);
    timer = setTimeout(
      () => controller.abort(new Error(`nothing arrived for ${IDLE_TIMEOUT_MS / 1000} s`)),
      IDLE_TIMEOUT_MS,
    );
  };
  idle();
  try {
    const response = await fetch(url, { signal: controller.signal });
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new Error(
        `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`,
      );
    }
    const announced = Number(response.headers.get("content-length"));
    const total = Number.isSafeInteger(announced) && announced > 0 ? announced : undefined;
    if (total !== undefined && total > max) {
      await response.body.cancel();
      throw new SizeError(`${total} bytes is more than the ${max} pyfence accepts`);
    }
    const chunks: Uint8Array[] = [];
    let received = 0;
    for await (const chunk of response.body) {
      received += chunk.length;
      if (received > max) {
        controller.abort();
        throw new SizeError(`more than the ${max} bytes pyfence accepts`);
      }
      chunks.push(chunk);
      idle();
      onChunk?.(received, total);
    }
    const bytes = new Uint8Array(received);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    return bytes;
  } finally {
    clearTimeout(timer);
  }
}

/** What a sandbox needs of a policy's packages: the cached wheels and the modules to preload. */
export interface PreparedPackages {
  /** Every package installed, listed or pulled in. */
  packages: ResolvedPackage[];
  /** Their cached wheels. */
  files: PackageFile[];
  /** Every module they provide: imported before the snapshot is taken. */
  modules: string[];
}

/**
 * Resolve `policy.packages` in `source`'s lock file and make sure each wheel
 * is cached, fetching what is missing.
 *
 * @throws {PolicyError} see {@link resolvePackages}.
 * @throws {UsageError} the lock file is unusable.
 * @throws {SandboxError} (`packages`) a fetch or a sha256 check failed.
 */
export async function preparePackages(
  policy: Pick<Policy, "packages" | "modules">,
  source: PackageSource,
  onProgress?: (progress: PackageProgress) => void,
): Promise<PreparedPackages> {
  if (policy.packages.length === 0) return { packages: [], files: [], modules: [] };
  const packages = resolvePackages(policy, await loadLock(source), source.labels.lock);
  const files = await fetchPackages(packages, source.index, onProgress);
  return { packages, files, modules: [...new Set(packages.flatMap((p) => p.imports))].sort() };
}
