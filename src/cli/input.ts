/**
 * What the CLI reads from the host for a script: the script itself (a path,
 * or `-` for standard input), the `--file` inputs and the `--input`/`--inputs`
 * values. Only regular files are
 * read, and only up to a cap: a FIFO would block the command forever and
 * `/dev/zero` would never end.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { LIMIT_BOUNDS } from "../policy/schema.ts";
import type { Files, Inputs } from "../host/options.ts";
import { MAX_INPUT_BYTES } from "../capabilities/inputs.ts";

/** The largest script any policy accepts (its `limits.code_bytes` may be lower). */
const MAX_SCRIPT_BYTES = LIMIT_BOUNDS.code_bytes[1];
/** The largest `--file`: it travels to the sandbox in the job and lives in its memory. */
export const MAX_FILE_BYTES = 32 * 1024 * 1024;

/** The bytes of the regular file at `path`, at most `max` of them; errors name `argument`. */
async function readRegularFile(path: string, argument: string, max: number): Promise<Uint8Array> {
  const fail = (problem: string) => new UsageError(argument, `'${path}' ${problem}`);
  let info: Deno.FileInfo;
  try {
    // Before opening: opening a FIFO for reading blocks until a writer appears.
    info = await Deno.stat(path);
  } catch (err) {
    throw fail(`cannot be read: ${(err as Error).message}`);
  }
  if (!info.isFile) throw fail("is not a regular file");
  if (info.size > max) throw fail(`is ${info.size} bytes; the limit is ${max}`);
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (err) {
    throw fail(`cannot be read: ${(err as Error).message}`);
  }
  try {
    // Read at most one byte past the cap, in case the file grew since stat.
    const bytes = await readAtMost(file.readable, max + 1);
    if (bytes.length > max) throw fail(`is more than ${max} bytes`);
    return bytes;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw fail(`cannot be read: ${(err as Error).message}`);
  }
}

async function readAtMost(
  stream: ReadableStream<Uint8Array<ArrayBuffer>>,
  max: number,
): Promise<Uint8Array> {
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let size = 0;
  for await (const chunk of stream) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= max) break; // leaving the loop cancels the stream and closes the file
  }
  return new Uint8Array(await new Blob(chunks).arrayBuffer()).subarray(0, max);
}

/** Read SCRIPT (`-`: standard input) as UTF-8 text; errors name `SCRIPT`. */
export async function readScript(path: string): Promise<string> {
  const bytes = path === "-"
    ? await readAtMost(Deno.stdin.readable, MAX_SCRIPT_BYTES + 1)
    : await readRegularFile(path, "SCRIPT", MAX_SCRIPT_BYTES);
  if (bytes.length > MAX_SCRIPT_BYTES) {
    throw new UsageError("SCRIPT", `standard input is more than ${MAX_SCRIPT_BYTES} bytes`);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError("SCRIPT", `'${path}' is not valid UTF-8`);
  }
}

/**
 * The files named by `--file NAME=PATH` flags: UTF-8 files as text, others
 * as bytes. Errors name `--file`.
 */
export async function readFiles(specs: readonly string[]): Promise<Files> {
  const files: Files = {};
  for (const spec of specs) {
    const eq = spec.indexOf("=");
    if (eq <= 0 || eq === spec.length - 1) {
      throw new UsageError("--file", `expected NAME=PATH, got '${spec}'`);
    }
    const name = spec.slice(0, eq);
    const bytes = await readRegularFile(spec.slice(eq + 1), "--file", MAX_FILE_BYTES);
    try {
      files[name] = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      files[name] = bytes;
    }
  }
  return files;
}

/** JSON text as a value, or a UsageError for `argument` saying what `what` is. */
function parseJson(text: string, argument: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(
      argument,
      `${what} is not JSON (${(err as Error).message}); a string needs its quotes, ` +
        `e.g. --input 'title="Q3"'`,
    );
  }
}

/**
 * The script's inputs from `--inputs FILE.json` (a JSON object) and
 * `--input NAME=JSON` flags, which may not name the same input twice. The
 * library checks names and values (`checkInputs`); errors here name the flag.
 */
export async function readInputs(specs: readonly string[], file?: string): Promise<Inputs> {
  const inputs: Inputs = {};
  const from = new Map<string, string>();
  if (file !== undefined) {
    const bytes = await readRegularFile(file, "--inputs", MAX_INPUT_BYTES);
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new UsageError("--inputs", `'${file}' is not valid UTF-8`);
    }
    const value = parseJson(text, "--inputs", `'${file}'`);
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new UsageError("--inputs", `'${file}' must hold a JSON object of names to values`);
    }
    for (const [name, v] of Object.entries(value)) {
      Object.defineProperty(inputs, name, { value: v, enumerable: true, writable: true });
      from.set(name, `--inputs ${file}`);
    }
  }
  for (const spec of specs) {
    const eq = spec.indexOf("=");
    if (eq <= 0) throw new UsageError("--input", `expected NAME=JSON, got '${spec}'`);
    const name = spec.slice(0, eq);
    if (from.has(name)) {
      throw new UsageError("--input", `'${name}' is given twice (also by ${from.get(name)})`);
    }
    Object.defineProperty(inputs, name, {
      value: parseJson(spec.slice(eq + 1), "--input", `the value of '${name}'`),
      enumerable: true,
      writable: true,
    });
    from.set(name, "--input");
  }
  return inputs;
}
