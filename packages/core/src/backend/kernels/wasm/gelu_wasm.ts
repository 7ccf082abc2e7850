import { GELU_GROUPS, geluModuleBytes } from "./gelu_kernels.js";
import { webAssembly, type WasmMemory } from "./webassembly_api.js";

/**
 * The WebAssembly SIMD128 GELU kernels (`gelu_kernels.ts`) over float32 arrays: the input is
 * copied into one memory (grown as needed and reused by every call), the kernel writes the
 * results beside it, and they are copied out.
 */

type GeluKernel = (src: number, dst: number, pairs: number) => void;

interface Runtime {
  memory: WasmMemory;
  gelu: GeluKernel;
  derivative: GeluKernel;
}

const PAGE_BYTES = 65536;
let runtime: Runtime | null | undefined;

function getRuntime(): Runtime | null {
  if (runtime !== undefined) return runtime;
  try {
    if (webAssembly === undefined) throw new Error("no WebAssembly");
    const memory = new webAssembly.Memory({ initial: 1 });
    const module = new webAssembly.Module(geluModuleBytes({ module: "env", name: "memory", minPages: 1 }));
    const instance = new webAssembly.Instance(module, { env: { memory } });
    runtime = { memory, gelu: instance.exports["gelu_f32"] as GeluKernel, derivative: instance.exports["gelu_derivative_f32"] as GeluKernel };
  } catch {
    runtime = null;
  }
  return runtime;
}

/**
 * Whether the WebAssembly GELU kernels compiled in this engine.
 * Example: `if (wasmGeluAvailable()) geluF32Wasm(x, out, false)`.
 */
export function wasmGeluAvailable(): boolean {
  return getRuntime() !== null;
}

/**
 * `out[i] = gelu(src[i])` (or its derivative) for float32 arrays of equal length, bit for bit
 * what `geluTanhF32` / `geluTanhDerivativeF32` give rounded to float32. Throws if WebAssembly
 * SIMD is unavailable.
 * Example: `geluF32Wasm(Float32Array.of(-1, 0, 1), new Float32Array(3), false)`.
 */
export function geluF32Wasm(src: Float32Array, out: Float32Array, derivative: boolean): void {
  const rt = getRuntime();
  if (rt === null) throw new Error("geluF32Wasm: WebAssembly SIMD128 is not available in this engine");
  const n = src.length;
  const pairs = Math.ceil(n / (2 * GELU_GROUPS)) * GELU_GROUPS;
  const dstAt = Math.ceil((pairs * 8) / 16) * 16;
  const bytes = dstAt + pairs * 8;
  const have = rt.memory.buffer.byteLength;
  if (bytes > have) rt.memory.grow(Math.ceil((bytes - have) / PAGE_BYTES));
  const f32 = new Float32Array(rt.memory.buffer);
  f32.set(src);
  f32.fill(0, n, 2 * pairs); // the padding is computed too: keep it finite
  (derivative ? rt.derivative : rt.gelu)(0, dstAt, pairs);
  out.set(f32.subarray(dstAt / 4, dstAt / 4 + n));
}
