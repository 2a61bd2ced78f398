/**
 * The policy's packages inside the interpreter. Each wheel is written, as it
 * is, into one directory of the in-memory file system; when the snapshot is
 * built they are appended to `sys.path`, so Python imports them with
 * `zipimport`: nothing is unpacked, no `.pth` file or script of a wheel
 * runs, and a wheel cannot shadow the standard library or the guard, which
 * come first on the path. An interpreter booted from the snapshot already has
 * the path entries and each wheel's directory (read while the snapshot was
 * built), so it needs the very same bytes at the very same paths: the
 * snapshot's cache key holds every wheel's sha256.
 *
 * @module
 */
import type { PyodideAPI } from "npm:pyodide@314.0.7";
import type { BootMessage } from "../protocol/boot.ts";

/** Where the wheels are in the interpreter's file system. */
export const PACKAGES_DIR = "/lib/pyfence/packages";

/** Write `packages` into the file system; when `makeSnapshot`, put them on `sys.path`. */
export function installPackages(
  pyodide: PyodideAPI,
  packages: BootMessage["packages"],
  makeSnapshot: boolean,
): void {
  if (packages.length === 0) return;
  pyodide.FS.mkdirTree(PACKAGES_DIR);
  const paths = packages.map(({ fileName, bytes }) => {
    const path = `${PACKAGES_DIR}/${fileName}`;
    // The bytes were moved to this worker for this interpreter alone.
    pyodide.FS.writeFile(path, bytes, { canOwn: true });
    return path;
  });
  if (makeSnapshot) {
    // File names are plain wheel names (checked by the host), so JSON is a Python literal.
    pyodide.runPython(`import sys as _s\n_s.path.extend(${JSON.stringify(paths)})\ndel _s\n`);
  }
}
