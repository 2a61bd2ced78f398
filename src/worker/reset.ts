/**
 * The in-place reset of `isolation: "tenant"`: one Pyodide interpreter, put
 * back between its tenant's runs into the state it had before its first run,
 * instead of a fresh worker per run.
 *
 * {@link captureReady} records that state once, in this worker, after boot
 * and before the first script: a copy of the wasm linear memory (Python's
 * whole heap, its stack included), the stack pointer, the emscripten file
 * system (every node, file bytes copied), the open file descriptors and the
 * working directory. {@link Ready.reset} writes it back. Because the copy was
 * made in this same JavaScript realm, after Pyodide's own post-restore step
 * had run, the JS side it refers to (Pyodide's API objects, the guard module
 * taken by the worker) is the one still here: the post-restore step is not
 * run again.
 *
 * What a run leaves on the JavaScript side is dealt with here too: the
 * wrappers of Python objects it made (PyProxies) are made inert, so neither
 * their use nor their collection touches the restored heap; its timers are
 * cleared. What cannot be undone makes the interpreter unfit
 * ({@link Ready.unfit}): the host then retires it instead (memory grown past
 * the copy, a dynamic library loaded, timers or host calls still pending).
 *
 * Not reset: the JavaScript realm itself (what a script that reached
 * JavaScript put there stays, for its own tenant's later runs), the wasm
 * instance's function table, and entries of Pyodide's JS object table that a
 * run made or freed.
 *
 * @module
 */
import type { PyodideAPI } from "npm:pyodide@314.0.7";

/** The parts of Pyodide's emscripten module the reset uses. */
interface EmscriptenModule {
  HEAPU8: Uint8Array;
  stackSave(): number;
  stackRestore(sp: number): void;
  finalizationRegistry: Registry;
  LDSO?: { loadedLibsByName: Record<string, unknown> };
}

interface Registry {
  register(target: object, held: unknown, token?: object): void;
  unregister(token: object): void;
}

/** A PyProxy's shared state, as Pyodide registers it (`gc_register_proxy`). */
interface Shared {
  ptr: number;
  destroyed_msg?: string;
}

/** One node of the file system as it was. */
type Entry =
  | { kind: "dir"; mode: number }
  | { kind: "file"; mode: number; bytes: Uint8Array }
  | { kind: "link"; target: string }
  | { kind: "dev"; mode: number; rdev: number };

// deno-lint-ignore no-explicit-any
type FS = any;

/** Every timer the worker's JavaScript set and has not seen fire or cleared. */
const timers = new Set<number>();
const realSetTimeout = globalThis.setTimeout;
const realSetInterval = globalThis.setInterval;
const realClearTimeout = globalThis.clearTimeout;
const realClearInterval = globalThis.clearInterval;

/**
 * Count the worker's timers from now on (module scope: before Pyodide or any
 * script runs). Intervals and timeouts share one pool of ids.
 */
export function trackTimers(): void {
  const g = globalThis as unknown as Record<string, unknown>;
  // deno-lint-ignore no-explicit-any
  g.setTimeout = (fn: any, ms?: number, ...args: unknown[]) => {
    const id = realSetTimeout(
      (...a: unknown[]) => {
        timers.delete(id);
        return typeof fn === "function" ? fn(...a) : undefined;
      },
      ms,
      ...args,
    ) as unknown as number;
    timers.add(id);
    return id;
  };
  // deno-lint-ignore no-explicit-any
  g.setInterval = (fn: any, ms?: number, ...args: unknown[]) => {
    const id = realSetInterval(fn, ms, ...args) as unknown as number;
    timers.add(id);
    return id;
  };
  g.clearTimeout = g.clearInterval = (id?: number) => {
    if (id === undefined) return;
    timers.delete(id);
    realClearTimeout(id);
    realClearInterval(id);
  };
}

/** How many timers are pending now. */
export function pendingTimers(): number {
  return timers.size;
}

function clearTimers(): void {
  for (const id of timers) {
    realClearTimeout(id);
    realClearInterval(id);
  }
  timers.clear();
}

/** Mount points other than the root: their contents are not MEMFS nodes (e.g. `/proc/self/fd`). */
function isForeignMount(FS: FS, node: { mount: unknown }): boolean {
  return node.mount !== FS.root.mount;
}

function join(dir: string, name: string): string {
  return dir === "/" ? `/${name}` : `${dir}/${name}`;
}

/** Every node under `/` (parents first), mount points included but not what they hold. */
function walk(FS: FS): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  const visit = (path: string) => {
    const node = FS.lookupPath(path, { follow: false }).node;
    const mode: number = node.mode;
    if (FS.isLink(mode)) return void entries.set(path, { kind: "link", target: FS.readlink(path) });
    if (FS.isDir(mode)) {
      entries.set(path, { kind: "dir", mode });
      if (node.mounted || (path !== "/" && isForeignMount(FS, node))) return;
      for (const name of Object.keys(node.contents ?? {}).sort()) visit(join(path, name));
      return;
    }
    if (FS.isFile(mode)) {
      const used: number = node.usedBytes ?? 0;
      const contents = node.contents;
      // A copy (new Uint8Array of an array copies it).
      const bytes = contents
        ? new Uint8Array(contents.subarray?.(0, used) ?? contents)
        : new Uint8Array();
      return void entries.set(path, { kind: "file", mode, bytes });
    }
    entries.set(path, { kind: "dev", mode, rdev: node.rdev });
  };
  visit("/");
  return entries;
}

/** The paths under `/` now (parents first), without copying any bytes. */
function paths(FS: FS): Map<string, number> {
  const found = new Map<string, number>();
  const visit = (path: string) => {
    const node = FS.lookupPath(path, { follow: false }).node;
    found.set(path, node.mode);
    if (!FS.isDir(node.mode) || FS.isLink(node.mode)) return;
    if (node.mounted || (path !== "/" && isForeignMount(FS, node))) return;
    for (const name of Object.keys(node.contents ?? {})) visit(join(path, name));
  };
  visit("/");
  return found;
}

function kindOf(FS: FS, mode: number): Entry["kind"] {
  return FS.isLink(mode) ? "link" : FS.isDir(mode) ? "dir" : FS.isFile(mode) ? "file" : "dev";
}

function removeTree(FS: FS, path: string): void {
  const node = FS.lookupPath(path, { follow: false }).node;
  if (FS.isDir(node.mode) && !FS.isLink(node.mode)) {
    for (const name of Object.keys(node.contents ?? {})) removeTree(FS, join(path, name));
    FS.rmdir(path);
  } else {
    FS.unlink(path);
  }
}

/** Whether a MEMFS file node holds exactly `bytes`. */
function holds(node: { contents?: unknown; usedBytes?: number }, bytes: Uint8Array): boolean {
  const { contents } = node;
  if (!(contents instanceof Uint8Array) || node.usedBytes !== bytes.length) return false;
  const n = bytes.length;
  // Word by word where both are aligned (integers: no float equal unless
  // bit-equal), byte by byte for the rest.
  let i = 0;
  if (contents.byteOffset % 4 === 0) {
    const words = n >>> 2;
    const a = new Int32Array(contents.buffer, contents.byteOffset, words);
    const b = new Int32Array(bytes.buffer, bytes.byteOffset, words);
    for (; i < words; i++) if (a[i] !== b[i]) return false;
    i = words << 2;
  }
  for (; i < n; i++) if (contents[i] !== bytes[i]) return false;
  return true;
}

/** Put the file system back to `entries`: remove what is new, recreate what went, rewrite what changed. */
function restoreFs(FS: FS, entries: Map<string, Entry>): void {
  const now = paths(FS);
  // New or changed in kind: removed, deepest first.
  for (const path of [...now.keys()].reverse()) {
    const was = entries.get(path);
    if (path === "/") continue;
    if (!was || was.kind !== kindOf(FS, now.get(path)!)) {
      try {
        removeTree(FS, path);
      } catch {
        // A parent removed it already.
      }
    }
  }
  for (const [path, entry] of entries) {
    if (path === "/") continue;
    let exists = true;
    try {
      FS.lookupPath(path, { follow: false });
    } catch {
      exists = false;
    }
    if (entry.kind === "dir") {
      if (!exists) FS.mkdir(path, entry.mode & 0o7777);
      FS.lookupPath(path, { follow: false }).node.mode = entry.mode;
    } else if (entry.kind === "file") {
      // Rewritten only when its bytes differ: rewriting them all (the
      // standard library's zip most of it) took 17 ms of a 20 ms reset in
      // the worker, comparing takes about 1. (MEMFS copies what it is given.)
      if (!exists || !holds(FS.lookupPath(path, { follow: false }).node, entry.bytes)) {
        FS.writeFile(path, entry.bytes);
      }
      FS.lookupPath(path, { follow: false }).node.mode = entry.mode;
    } else if (entry.kind === "link") {
      if (exists && FS.readlink(path) === entry.target) continue;
      if (exists) FS.unlink(path);
      FS.symlink(entry.target, path);
    } else if (!exists) {
      FS.mknod(path, entry.mode, entry.rdev);
    }
  }
}

/** An open file descriptor as it was. */
interface Stream {
  stream: { fd: number | null; position: number; flags: number };
  position: number;
  flags: number;
}

function openStreams(FS: FS): Map<number, Stream> {
  const open = new Map<number, Stream>();
  (FS.streams as ({ fd: number; position: number; flags: number } | null)[]).forEach((s, fd) => {
    if (s) open.set(fd, { stream: s, position: s.position, flags: s.flags });
  });
  return open;
}

function restoreStreams(FS: FS, open: Map<number, Stream>): void {
  const streams = FS.streams as (Stream["stream"] | null)[];
  streams.forEach((s, fd) => {
    if (s && open.get(fd)?.stream !== s) {
      try {
        FS.close(s);
      } catch {
        streams[fd] = null;
      }
    }
  });
  for (const [fd, { stream, position, flags }] of open) {
    streams[fd] = stream;
    stream.fd = fd;
    stream.position = position;
    stream.flags = flags;
  }
}

/** An interpreter's state before its first run, and the means to go back to it. */
export interface Ready {
  /**
   * Why this interpreter cannot be reset in place after the run that just
   * ended (its host should retire it), or `undefined` when it can.
   * `pendingCalls`: the run's network requests or sleeps not yet settled.
   */
  unfit(pendingCalls: number): string | undefined;
  /** Put the interpreter back as it was before its first run. */
  reset(): void;
}

/**
 * The Pyodide release the in-place reset was validated against (the
 * freshness probe after each kind of hostile run, tests/tenant_test.ts).
 * With any other, an interpreter serves one run and is then replaced, as
 * though it were unfit, until the reset is validated again and this says so.
 */
export const RESET_VALIDATED_FOR = "314.0.7";

/** Why an interpreter of Pyodide `version` may not be reset in place, or `undefined`. */
export function unvalidated(version: string): string | undefined {
  return version === RESET_VALIDATED_FOR
    ? undefined
    : `the in-place reset is validated for Pyodide ${RESET_VALIDATED_FOR}, not ${version}`;
}

const RESEED = `
def reseed():
    import sys
    generator = sys.modules.get("random")
    if generator is not None:
        generator.seed()
reseed
`;

const STALE =
  "This object belonged to an earlier run: the interpreter has been reset since (isolation 'tenant').";

/** Record `pyodide`'s state now (it has run no script yet); see the module's comment. */
export function captureReady(pyodide: PyodideAPI): Ready {
  const module = (pyodide as unknown as { _module: EmscriptenModule })._module;
  const FS = pyodide.FS as FS;
  // Made before the copy, so valid after every reset: the restored heap
  // holds the random generator's state as it was, which each run must not
  // replay.
  const scope = pyodide.globals.get("dict")();
  const reseed = pyodide.runPython(RESEED, { globals: scope });
  scope.destroy();
  const heap = module.HEAPU8.slice();
  const stackPointer = module.stackSave();
  const libraries = Object.keys(module.LDSO?.loadedLibsByName ?? {}).length;
  const files = walk(FS);
  const streams = openStreams(FS);
  const cwd: string = FS.cwd();
  // The wrappers made from now on: made inert at the reset, so that neither
  // a call nor their collection (Pyodide's finalizer decrements the object's
  // reference count) touches the heap the run left, which is gone.
  const real = module.finalizationRegistry;
  let made: { held: { ptr: number; cache?: unknown }; shared: WeakRef<Shared> }[] = [];
  module.finalizationRegistry = {
    register(target, held, token) {
      made.push({
        held: held as { ptr: number; cache?: unknown },
        shared: new WeakRef(target as Shared),
      });
      real.register(target, held, token);
    },
    unregister(token) {
      real.unregister(token);
    },
  };
  const version = unvalidated(pyodide.version);
  return {
    unfit(pendingCalls) {
      if (version) return version;
      if (module.HEAPU8.byteLength !== heap.byteLength) {
        return "the interpreter's memory grew past its snapshot";
      }
      if (Object.keys(module.LDSO?.loadedLibsByName ?? {}).length !== libraries) {
        return "the run loaded a dynamic library";
      }
      if (pendingTimers() > 0) return "the run left timers pending";
      if (pendingCalls > 0) return "the run left requests pending";
      return undefined;
    },
    reset() {
      for (const { held, shared } of made) {
        held.ptr = 0;
        held.cache = undefined;
        const state = shared.deref();
        if (state && state.ptr) {
          state.ptr = 0;
          state.destroyed_msg = STALE;
        }
      }
      made = [];
      clearTimers();
      module.HEAPU8.set(heap);
      module.stackRestore(stackPointer);
      restoreFs(FS, files);
      restoreStreams(FS, streams);
      FS.chdir(cwd);
      reseed();
    },
  };
}
