/**
 * A listing of directory trees (path, size, modification time), to show that
 * something wrote nothing there.
 */
import { join } from "node:path";

/** Every file and directory under each of `roots` (missing roots are empty). */
export function listing(roots: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(dir)];
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      try {
        const info = Deno.lstatSync(path);
        out.push(`${path} ${info.size} ${info.mtime?.getTime()}`);
      } catch {
        continue;
      }
      if (entry.isDirectory) walk(path);
    }
  };
  for (const root of roots) {
    try {
      Deno.lstatSync(root);
      out.push(root);
    } catch {
      continue;
    }
    walk(root);
  }
  return out.sort();
}

/**
 * Where a Deno process stores what a worker with no permissions can make it
 * store: the Cache API under `DENO_DIR/location_data` (Deno 2.9) or
 * `<temp dir>/deno_cache` (2.5), and the transpiled source of every
 * `data:application/typescript` module it imports under
 * `DENO_DIR/gen/data`. `denoDir` is this host's.
 */
export function storagePlaces(denoDir: string): string[] {
  const temp = Deno.env.get("TMPDIR") ?? "/tmp";
  return [
    join(denoDir, "location_data"),
    join(denoDir, "gen", "data"),
    join(temp, "deno_cache"),
    "/tmp/deno_cache",
  ];
}
