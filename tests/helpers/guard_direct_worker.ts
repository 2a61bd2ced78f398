/// <reference lib="deno.worker" />
/**
 * Worker of `guard_direct.ts`. On `setup`: compiles Pyodide's wasm once and,
 * per variant, makes a memory snapshot of an interpreter with the guard
 * installed as the real worker installs it, the policy's modules loaded
 * ahead as the sandbox's snapshot loads them, and the variant's prelude run
 * (trusted Python, before any guarded run). On each `run`: a fresh
 * interpreter from a variant's snapshot and exactly one guarded run in it.
 */
import { loadPyodide } from "pyodide";
import createPyodideModule from "pyodide/pyodide.asm.mjs";
import { GUARD_FILES } from "../../src/generated/guard_files.ts";
import { PYODIDE_DIR } from "../../src/host/assets.ts";

const GUARD_PATH = "/lib/python3.14/site-packages/pyfence_guard";

type Message =
  | { t: "setup"; preload: string[]; preludes: Record<string, string> }
  | { t: "run"; code: string; config: string; variant: string };

let wasm: WebAssembly.Module;
const snapshots = new Map<string, Uint8Array>();

function boot(options: Record<string, unknown>) {
  const marker = Symbol("jsv error");
  return loadPyodide({
    ...options,
    createPyodideModule: (settings: Record<string, unknown>) => {
      settings.instantiateWasm = (
        imports: { env: Record<string, unknown> },
        done: (i: WebAssembly.Instance, m: WebAssembly.Module) => void,
      ) => {
        imports.env.Jsv_GetError_import = () => marker;
        imports.env.JsvError_Check = (v: unknown) => v === marker;
        WebAssembly.instantiate(wasm, imports as WebAssembly.Imports).then((i) => done(i, wasm));
        return {};
      };
      return createPyodideModule(settings);
    },
  } as never);
}

self.onmessage = async (e: MessageEvent<Message>) => {
  const m = e.data;
  try {
    if (m.t === "setup") {
      wasm = await WebAssembly.compile(
        await Deno.readFile(new URL("pyodide.asm.wasm", PYODIDE_DIR)),
      );
      for (const [variant, prelude] of Object.entries(m.preludes)) {
        const pyodide = await boot({ _makeSnapshot: true });
        pyodide.FS.mkdirTree(GUARD_PATH);
        for (const [name, text] of Object.entries(GUARD_FILES)) {
          pyodide.FS.writeFile(`${GUARD_PATH}/${name}`, text);
        }
        pyodide.runPython("import pyfence_guard");
        pyodide.runPython(
          m.preload.map((n) => `try:\n    import ${n}\nexcept ImportError:\n    pass\n`).join(""),
        );
        if (prelude) pyodide.runPython(prelude);
        snapshots.set(variant, pyodide.makeMemorySnapshot());
      }
      self.postMessage({ ready: true });
      return;
    }
    const pyodide = await boot({ _loadSnapshot: snapshots.get(m.variant) });
    let stdout = "";
    const violations: { kind: string; detail: string; line?: number }[] = [];
    const host = {
      write: (stream: string, text: string) => {
        if (stream === "stdout") stdout += text;
      },
      violation: (kind: string, detail: string, line?: number) =>
        violations.push({ kind, detail, ...(line == null ? {} : { line }) }),
      fetch: () => JSON.stringify({ error: { kind: "failed", message: "no network here" } }),
    };
    const guard = pyodide.pyimport("pyfence_guard");
    const started = performance.now();
    const result = JSON.parse(guard.execute(m.code, m.config, host));
    const ms = performance.now() - started;
    self.postMessage({ result, stdout, violations, ms });
  } catch (err) {
    self.postMessage({ crash: String(err).slice(0, 4000) });
  }
};
