/**
 * The package flags shared by `pyfence run`, `pyfence cache warm` and
 * `pyfence policy explain` (`--package-index`, `--package-lock`), and the
 * progress line shown while a package downloads.
 *
 * @module
 */
import type { Policy } from "../policy/schema.ts";
import {
  type PackageProgress,
  type PackageSource,
  packageSource,
  type PreparedPackages,
  preparePackages,
} from "../host/packages.ts";
import { isTerminal, write } from "./output.ts";

/** The flags, in `parse()`'s format. */
export const PACKAGE_FLAGS = {
  "package-index": { type: "string" },
  "package-lock": { type: "string" },
} as const;

/** The flags' help lines. */
export const PACKAGE_HELP =
  `  --package-index URL  where the policy's packages are fetched from: a directory
                       URL or a local directory (default: $PYFENCE_PACKAGE_INDEX,
                       else Pyodide's CDN for this Pyodide version)
  --package-lock PATH  the Pyodide lock file (path or URL) pinning the packages'
                       files and sha256 (default: $PYFENCE_PACKAGE_LOCK, else the
                       one in the pyodide npm package)`;

/** The flags' values as Sandbox options. */
export function packageOptions(
  values: Record<string, unknown>,
): { packageIndex?: string; packageLock?: string } {
  return {
    packageIndex: values["package-index"] as string | undefined,
    packageLock: values["package-lock"] as string | undefined,
  };
}

/** The package source the flags (or the environment) give; errors name the flags. */
export function sourceFromFlags(values: Record<string, unknown>): PackageSource {
  return packageSource(packageOptions(values), {
    index: "--package-index",
    lock: "--package-lock",
  });
}

/** A download shorter than this shows nothing. */
const SHOW_AFTER_MS = 400;
const REDRAW_MS = 100;

function mib(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}

/**
 * Fetch what `policy.packages` needs into the cache; while a download takes
 * a noticeable time and `enabled` and stderr is a terminal, show how far it
 * got, and erase the line when done.
 */
export async function fetchWithProgress(
  policy: Pick<Policy, "packages" | "modules">,
  source: PackageSource,
  enabled: boolean,
): Promise<PreparedPackages> {
  if (!enabled || !isTerminal("stderr")) return await preparePackages(policy, source);
  let file = "";
  let started = 0;
  let drawn = 0;
  let shown = false;
  const onProgress = ({ fileName, received, total }: PackageProgress) => {
    const now = Date.now();
    if (fileName !== file) [file, started] = [fileName, now];
    if (now - started < SHOW_AFTER_MS || now - drawn < REDRAW_MS) return;
    drawn = now;
    shown = true;
    const size = total ? `${mib(received)} / ${mib(total)} MiB` : `${mib(received)} MiB`;
    write("stderr", `\r\x1b[Kpyfence: fetching ${fileName}… ${size}`);
  };
  try {
    return await preparePackages(policy, source, onProgress);
  } finally {
    if (shown) write("stderr", "\r\x1b[K");
  }
}
