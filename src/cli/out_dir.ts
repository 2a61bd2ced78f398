/**
 * `pyfence run --out DIR`: the files a script wrote, written under DIR and
 * nowhere else. Each name is checked again by the path rule (the run already
 * did), no directory on the way may be a symbolic link or a file, and each
 * file is written in full to a staging directory inside DIR first, then
 * renamed into place: a failure leaves no half-written file.
 *
 * @module
 */
import { join } from "node:path";
import { UsageError } from "../errors.ts";
import { normalizeFileName } from "../capabilities/permissions.ts";

/** Make DIR (and its parents) if missing; a UsageError if it is not a writable directory. */
export async function prepareOutDir(dir: string): Promise<void> {
  try {
    await Deno.mkdir(dir, { recursive: true });
    const probe = await Deno.makeTempDir({ dir, prefix: ".pyfence-out-" });
    await Deno.remove(probe);
  } catch (err) {
    throw new UsageError(
      "--out",
      `'${dir}' is not a writable directory: ${(err as Error).message}`,
    );
  }
}

/** Whether `path` is a real directory (false: missing); throws if it is anything else. */
async function isDirectory(path: string, shown: string): Promise<boolean> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
  if (info.isSymlink) {
    throw new Error(`'${shown}' is a symbolic link; pyfence never writes through one`);
  }
  if (!info.isDirectory) throw new Error(`'${shown}' exists and is not a directory`);
  return true;
}

/**
 * Write `files` under `dir` (see the module doc). Returns the names written;
 * throws an Error naming the file at fault.
 */
export async function writeOutDir(
  dir: string,
  files: Record<string, Uint8Array>,
): Promise<string[]> {
  const names = Object.keys(files).sort();
  for (const name of names) {
    let normal: string | undefined;
    try {
      normal = normalizeFileName(name);
    } catch {
      // reported below
    }
    if (normal !== name) throw new Error(`refusing the file name ${JSON.stringify(name)}`);
  }
  const staging = await Deno.makeTempDir({ dir, prefix: ".pyfence-out-" });
  const placed: string[] = [];
  try {
    // Everything in full first: a failure here leaves DIR as it was.
    for (const [i, name] of names.entries()) {
      await Deno.writeFile(join(staging, String(i)), files[name]);
    }
    for (const [i, name] of names.entries()) {
      const parts = name.split("/");
      let at = dir;
      for (const [j, part] of parts.slice(0, -1).entries()) {
        at = join(at, part);
        const shown = parts.slice(0, j + 1).join("/");
        if (!await isDirectory(at, shown)) await Deno.mkdir(at);
      }
      const target = join(dir, ...parts);
      // An existing file or symbolic link is replaced by the rename, never written through.
      if ((await Deno.lstat(target).catch(() => undefined))?.isDirectory) {
        throw new Error(`'${name}' is a directory`);
      }
      await Deno.rename(join(staging, String(i)), target);
      placed.push(name);
    }
  } catch (err) {
    const done = placed.length ? `written before it: ${placed.join(", ")}` : "nothing was written";
    throw new Error(`${(err as Error).message} (${done})`);
  } finally {
    await Deno.remove(staging, { recursive: true }).catch(() => {});
  }
  return names;
}
