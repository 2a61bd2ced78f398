/**
 * Reading the script a command is given: a path, or `-` for standard input.
 *
 * @module
 */
import { UsageError } from "../errors.ts";

/** Read SCRIPT as UTF-8 text; errors name the file. */
export async function readScript(path: string): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = path === "-"
      ? new Uint8Array(await new Response(Deno.stdin.readable).arrayBuffer())
      : await Deno.readFile(path);
  } catch (err) {
    throw new UsageError("SCRIPT", `cannot read '${path}': ${(err as Error).message}`);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError("SCRIPT", `'${path}' is not valid UTF-8`);
  }
}
