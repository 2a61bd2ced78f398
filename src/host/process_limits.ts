/**
 * The memory a sandbox process may use, derived from its interpreters' cap.
 *
 * Python's memory is the interpreter's wasm memory, capped exactly by its
 * `maximum`. Everything else in the process (the runtime, the compiled
 * module, the assets, the next interpreter booting while the last one is
 * torn down, and whatever a breached worker allocates outside Python) is
 * bounded by two caps derived from it:
 *
 * - resident memory, watched by the host (Linux): the cap plus
 *   {@link RSS_OVERHEAD_MB};
 * - each isolate's JavaScript heap (V8's `--max-old-space-size`), set as
 *   large as the resident cap, so that on Linux the resident watch (fast and
 *   exact) ends a JavaScript heap flood first, while V8's own limit (which
 *   thrashes the collector for seconds before it gives up) is the bound
 *   where there is no watch.
 *
 * @module
 */

/**
 * Resident memory of a sandbox process beyond its interpreter's cap (MiB).
 * Measured on Linux x86-64 with the interpreter filled to its cap and the
 * next one booting: peaks of 227–240 MiB above the cap on Deno 2.9.6
 * (caps of 128, 256 and 1024 MiB) and 290–365 MiB on Deno 2.5.6; idle,
 * 245–307 MiB in all.
 */
export const RSS_OVERHEAD_MB = 512;

/** JavaScript heap per isolate when no cap is given (building a snapshot). */
const DEFAULT_HEAP_MB = 1024;

/** The resident-memory cap, in bytes, of a process whose interpreters are capped at `memoryMb`. */
export function rssCapBytes(memoryMb: number): number {
  return (memoryMb + RSS_OVERHEAD_MB) * 1024 * 1024;
}

/** V8's heap limit for each isolate of such a process (MiB). */
export function v8HeapMb(memoryMb?: number): number {
  return memoryMb === undefined ? DEFAULT_HEAP_MB : memoryMb + RSS_OVERHEAD_MB;
}
