/**
 * The interpreter's memory cap is written into the wasm module: the engine
 * itself refuses to grow the memory past it, whatever JavaScript does.
 */
import { equal, throws } from "assert";
import { withMemoryMaximum } from "../src/supervisor/wasm_memory.ts";

// (module (memory (export "memory") 2 100))
const TINY = Uint8Array.from([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00, // header
  0x05,
  0x04,
  0x01,
  0x01,
  0x02,
  0x64, // memory section: 1 memory, min 2, max 100
  0x07,
  0x0a,
  0x01,
  0x06,
  0x6d,
  0x65,
  0x6d,
  0x6f,
  0x72,
  0x79,
  0x02,
  0x00, // export "memory"
]);

function memoryOf(bytes: Uint8Array): WebAssembly.Memory {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource));
  return instance.exports.memory as WebAssembly.Memory;
}

Deno.test("wasm memory: the maximum is rewritten, the rest of the module kept", () => {
  const memory = memoryOf(withMemoryMaximum(TINY, 5 * 65536));
  equal(memory.buffer.byteLength, 2 * 65536);
  memory.grow(3);
  throws(() => memory.grow(1), RangeError);
  // A maximum below the initial size becomes the initial size.
  throws(() => memoryOf(withMemoryMaximum(TINY, 0)).grow(1), RangeError);
  // Larger maximums take more LEB128 bytes: the section is re-encoded.
  const big = memoryOf(withMemoryMaximum(TINY, 3000 * 65536));
  big.grow(2000);
  throws(() => big.grow(1000), RangeError);
});

Deno.test("wasm memory: Pyodide's module is capped", async () => {
  const bytes = await Deno.readFile(new URL("pyodide.asm.wasm", import.meta.resolve("pyodide")));
  const capped = withMemoryMaximum(bytes, 64 * 1024 * 1024);
  equal(capped.length, bytes.length - 1); // 65536 pages take 3 bytes of LEB128, 1024 pages 2
  const module = await WebAssembly.compile(capped);
  equal(WebAssembly.Module.exports(module).some((e) => e.name === "memory"), true);
});

Deno.test("wasm memory: anything else is refused", () => {
  throws(() => withMemoryMaximum(new Uint8Array([1, 2, 3]), 1), Error, "not a wasm module");
  throws(() => withMemoryMaximum(TINY.subarray(0, 8), 1), Error, "defines no memory");
});
