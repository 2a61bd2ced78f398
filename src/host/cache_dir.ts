/**
 * pyfence's cache directory: memory snapshots and the sandbox process's code
 * live there, content-addressed.
 *
 * @module
 */
import { isAbsolute, join, resolve } from "node:path";

/**
 * The directory pyfence caches in: `$PYFENCE_CACHE_DIR`, else `pyfence/`
 * under the Deno cache directory. A relative `$PYFENCE_CACHE_DIR` (a cache
 * inside a deployed app) is resolved against this process's working
 * directory: sandbox processes run in a directory of their own.
 */
export function cacheDir(): string {
  const explicit = Deno.env.get("PYFENCE_CACHE_DIR");
  if (explicit) return isAbsolute(explicit) ? explicit : resolve(explicit);
  const denoDir = Deno.env.get("DENO_DIR") ??
    join(Deno.env.get("XDG_CACHE_HOME") ?? join(Deno.env.get("HOME") ?? ".", ".cache"), "deno");
  return join(denoDir, "pyfence");
}
