/**
 * The server's config file: {@link HandlerOptions} written as YAML. A
 * mistake names the file, the key path and the line, as policy files do;
 * relative policy paths are read relative to the file.
 *
 * ```yaml
 * callers:
 *   - name: alice
 *     tokenSha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
 *     origin: https://a.example
 *     policies: [default, compute]
 *     limits: { concurrency: 2, ratePerMinute: 120 }
 *   - name: bob
 *     token: bob-token-of-16-or-more-chars
 *     policies: [reports]
 * policies:
 *   reports: ./reports.yaml
 * maxBodyBytes: 1048576
 * ```
 *
 * @module
 */
import { dirname, isAbsolute, resolve } from "node:path";
import { LineCounter, parseDocument } from "npm:yaml@2.9.1";
import { UsageError } from "../errors.ts";
import { type HandlerOptions, resolveSettings } from "./options.ts";

const BUILTIN_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
const URL_SCHEME = /^(https?|file):\/\//i;

/**
 * Read and validate a server config file.
 *
 * @throws {UsageError} the file cannot be read, is not YAML, or a key is
 * wrong: `argument` is `FILE: key.path`, the message gives the line.
 *
 * @example
 * ```ts
 * import { loadServeConfig } from "./config_file.ts";
 * import assert from "node:assert/strict";
 * const file = await Deno.makeTempFile({ suffix: ".yaml" });
 * await Deno.writeTextFile(file, "callers:\n  - token: short\n");
 * await assert.rejects(loadServeConfig(file), /callers\[0\]\.token: .*16 characters.*line 2/);
 * await Deno.remove(file);
 * ```
 */
export async function loadServeConfig(path: string): Promise<HandlerOptions> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    throw new UsageError(path, `cannot read the config file: ${(err as Error).message}`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const [error] = doc.errors;
    const pos = error.linePos?.[0];
    const at = pos ? ` at line ${pos.line}, col ${pos.col}` : "";
    throw new UsageError(path, `YAML syntax error${at}: ${error.message.split("\n")[0]}`);
  }
  const options = (doc.toJS({ maxAliasCount: 100 }) ?? {}) as HandlerOptions;
  const where = (keys: PropertyKey[]) => {
    // The deepest node of the path that exists: an unknown key's own line.
    for (let n = keys.length; n > 0; n--) {
      const node = doc.getIn(keys.slice(0, n) as (string | number)[], true) as
        | { range?: [number, number, number] }
        | undefined;
      if (node?.range) {
        const { line, col } = lines.linePos(node.range[0]);
        return ` (line ${line}, col ${col})`;
      }
    }
    return "";
  };
  resolveSettings(options, (at) => (at ? `${path}: ${at}` : path), where);
  for (const [name, source] of Object.entries(options.policies ?? {})) {
    if (typeof source === "string" && !BUILTIN_NAME.test(source) && !isAbsolute(source)) {
      if (!URL_SCHEME.test(source)) options.policies![name] = resolve(dirname(path), source);
    }
  }
  return options;
}
