/**
 * Freeing a large buffer when it is done with, not when the garbage
 * collector next runs: an idle isolate (a sandbox process waiting for a job,
 * a booted worker) may not collect for minutes, and until then the bytes it
 * booted from stay resident.
 *
 * @module
 */

/**
 * Detach `bytes`' buffer, which frees its memory at once. Every other view
 * of that buffer becomes empty: only for bytes nothing reads any more.
 */
export function release(bytes: Uint8Array | undefined): void {
  try {
    (bytes?.buffer as ArrayBuffer | undefined)?.transfer(0);
  } catch {
    // already detached, or not detachable: left to the garbage collector
  }
}
