/**
 * Caps the growth of WebAssembly memory in this worker. Pyodide grows its
 * heap through `WebAssembly.Memory.prototype.grow`; refusing growth past the
 * cap makes `malloc` fail, which Python reports as `MemoryError` while the
 * interpreter stays usable.
 *
 * @module
 */

/** Control over the worker's memory cap. */
export interface MemoryCap {
  /** Set the cap; growth past it is refused from now on. */
  setCapBytes(bytes: number): void;
  /** The largest linear memory seen, in bytes. */
  peak(): number;
}

/** Install the cap (unlimited until {@link MemoryCap.setCapBytes}). */
export function capMemory(): MemoryCap {
  const proto = WebAssembly.Memory.prototype;
  const grow = proto.grow;
  let cap = Infinity;
  let peak = 0;
  proto.grow = function (this: WebAssembly.Memory, delta: number): number {
    const current = this.buffer.byteLength;
    if (current + delta * 65536 > cap) {
      throw new RangeError("pyfence: memory limit reached");
    }
    const previous = grow.call(this, delta);
    peak = Math.max(peak, this.buffer.byteLength);
    return previous;
  };
  return {
    setCapBytes(bytes) {
      cap = bytes;
    },
    peak: () => peak,
  };
}
