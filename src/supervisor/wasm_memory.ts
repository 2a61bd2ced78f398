/**
 * The interpreter's memory cap, written into the wasm module itself.
 *
 * `pyodide.asm.wasm` defines its linear memory (and exports it) with a
 * maximum of 4 GiB. Rewriting that maximum in the bytes before
 * `WebAssembly.compile` makes the engine refuse any `grow` past it: Pyodide's
 * `malloc` then fails and Python raises `MemoryError`, and no JavaScript in
 * the worker can lift the limit (unlike a wrapper of
 * `WebAssembly.Memory.prototype.grow`, which a script that reaches JavaScript
 * can unwrap).
 *
 * @module
 */

const MEMORY_SECTION = 5;
const PAGE_BYTES = 65536;
const MAX_PAGES = 65536; // 4 GiB: the most a 32-bit memory can have

/** Thrown when the module's memory cannot be capped this way. */
export class WasmMemoryError extends Error {
  /** Create the error. */
  constructor(message: string) {
    super(`cannot cap the wasm memory: ${message}`);
    this.name = "WasmMemoryError";
  }
}

function readU32(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  for (let shift = 0, i = at; shift < 35; shift += 7, i++) {
    if (i >= bytes.length) throw new WasmMemoryError("truncated module");
    const byte = bytes[i];
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, i + 1];
  }
  throw new WasmMemoryError("malformed LEB128");
}

function u32(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return out;
}

/**
 * A copy of the module `bytes` whose one defined memory has a maximum of
 * `maxBytes` (rounded down to whole pages, never below its initial size).
 */
export function withMemoryMaximum(bytes: Uint8Array, maxBytes: number): Uint8Array<ArrayBuffer> {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73) {
    throw new WasmMemoryError("not a wasm module");
  }
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, body] = readU32(bytes, at + 1);
    if (id === MEMORY_SECTION) {
      const [count, limits] = readU32(bytes, body);
      if (count !== 1) throw new WasmMemoryError(`${count} memories`);
      const flags = bytes[limits];
      // 0: min only, 1: min and max. Shared (2, 3) or 64-bit (4+) memories are not Pyodide's.
      if (flags > 1) throw new WasmMemoryError(`unexpected memory flags ${flags}`);
      const [initial, afterInitial] = readU32(bytes, limits + 1);
      const end = flags === 1 ? readU32(bytes, afterInitial)[1] : afterInitial;
      if (end !== body + size) throw new WasmMemoryError("unexpected memory section layout");
      const pages = Math.max(initial, Math.min(MAX_PAGES, Math.floor(maxBytes / PAGE_BYTES)));
      const section = [...u32(1), 1, ...u32(initial), ...u32(pages)];
      const header = [MEMORY_SECTION, ...u32(section.length)];
      const out = new Uint8Array(
        bytes.length - (body + size - at) + header.length + section.length,
      );
      out.set(bytes.subarray(0, at));
      out.set(header, at);
      out.set(section, at + header.length);
      out.set(bytes.subarray(body + size), at + header.length + section.length);
      return out;
    }
    at = body + size;
  }
  throw new WasmMemoryError(
    "the module defines no memory (an imported memory cannot be capped here)",
  );
}
