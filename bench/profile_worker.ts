/// <reference lib="deno.worker" />
/**
 * An instrumented copy of `src/worker/boot.ts` for `boot_profile.ts`: the same
 * boot (posted wasm module, stdlib served from memory, `_loadSnapshot`, guard
 * files written and imported, one guarded job), with a timestamp after each
 * phase posted back on the private port. Kept in bench/ so src/ stays as is.
 *
 * @module
 */
import { loadPyodide, type PyodideAPI } from "pyodide";
import createPyodideModule from "pyodide/pyodide.asm.mjs";
import { fetchFromAssets } from "../src/worker/assets_fetch.ts";

const evaluatedAt = performance.timeOrigin + performance.now();

/** What `boot_profile.ts` posts to this worker. */
export interface ProfileBoot {
  /** The compiled `pyodide.asm.wasm`. */
  wasm: WebAssembly.Module;
  /** `python_stdlib.zip`. */
  stdlib: Uint8Array;
  /** `pyodide-lock.json` text. */
  lock: string;
  /** The memory snapshot. */
  snapshot: Uint8Array;
  /** Guard sources by file name. */
  guardFiles: Record<string, string>;
  /** Guard config JSON for the job. */
  config: string;
  /** The job's code. */
  code: string;
  /** Where marks go. */
  port: MessagePort;
}

addEventListener("unhandledrejection", (e) => {
  if (String(e.reason).includes("pyodide.asm.wasm")) e.preventDefault();
});

self.onmessage = async (e: MessageEvent<ProfileBoot>) => {
  const msg = e.data;
  const marks: [string, number][] = [["worker module evaluated", evaluatedAt]];
  const mark = (name: string) => marks.push([name, performance.timeOrigin + performance.now()]);
  mark("boot message received");
  try {
    const realFetch = globalThis.fetch;
    globalThis.fetch = fetchFromAssets(realFetch, msg.stdlib);
    const marker = Symbol("jsv error");
    const pyodide: PyodideAPI = await loadPyodide(
      {
        createPyodideModule: (settings: Record<string, unknown>) => {
          mark("loadPyodide: config + node modules");
          settings.instantiateWasm = (
            imports: { env: Record<string, unknown> },
            done: (i: WebAssembly.Instance, m: WebAssembly.Module) => void,
          ) => {
            mark("emscripten module setup");
            imports.env.Jsv_GetError_import = () => marker;
            imports.env.JsvError_Check = (v: unknown) => v === marker;
            WebAssembly.instantiate(msg.wasm, imports as WebAssembly.Imports).then((i) => {
              mark("wasm instantiate");
              done(i, msg.wasm);
            });
            return {};
          };
          const module = createPyodideModule(settings);
          module.then(() => mark("emscripten init (heap + snapshot copied in)"));
          return module;
        },
        indexURL: "https://pyfence.invalid/",
        stdLibURL: "https://pyfence.invalid/python_stdlib.zip",
        lockFileContents: msg.lock,
        env: { HOME: "/home/pyodide" },
        jsglobals: Object.create(null),
        _loadSnapshot: msg.snapshot,
        stdout: () => {},
        stderr: () => {},
      } as unknown as Parameters<typeof loadPyodide>[0],
    );
    mark("snapshot restore + finalize bootstrap");
    globalThis.fetch = realFetch;
    const dir = "/lib/python3.14/site-packages/pyfence_guard";
    pyodide.FS.mkdirTree(dir);
    for (const [name, text] of Object.entries(msg.guardFiles)) {
      pyodide.FS.writeFile(`${dir}/${name}`, text);
    }
    mark("guard files written");
    const guard = pyodide.pyimport("pyfence_guard");
    mark("guard import (from snapshot)");
    pyodide.unregisterJsModule("js");
    pyodide.unregisterJsModule("pyodide_js");
    const host = { write: () => {}, violation: () => {}, fetch: () => Promise.resolve("{}") };
    const out = JSON.parse(await guard.execute.callPromising(msg.code, msg.config, host));
    mark("job: guard.execute");
    msg.port.postMessage({ ok: out.ok, marks });
  } catch (err) {
    msg.port.postMessage({ ok: false, error: String(err), marks });
  }
};
