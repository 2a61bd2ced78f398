/**
 * The whole-process baseline for `whole_process.ts`: load Pyodide from the
 * npm package and run one Python file, nothing else.
 *
 * Usage: `deno run -A bench/naive_cli.ts SCRIPT.py`
 *
 * @module
 */
import { loadPyodide } from "pyodide";

const pyodide = await loadPyodide();
pyodide.runPython(await Deno.readTextFile(Deno.args[0]));
