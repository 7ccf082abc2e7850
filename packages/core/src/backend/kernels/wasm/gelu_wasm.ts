import { GELU_LANES, geluModuleBytes } from "./gelu_kernels.js";
import { ownsResidentBlock, residentAddress } from "../../resident_storage.js";
import { heapBuffer, scratchArea } from "../../threads/kernel_heap.js";
import { kernelFunction, kernelId, kernelRuntime, registerKernelModule } from "../../threads/kernel_memory.js";
import { availableThreads, runJob, splitJob } from "../../threads/pool.js";
import { copyElements } from "../../shared_copy.js";

/**
 * The WebAssembly SIMD128 GELU kernels (`gelu_kernels.ts`) over float32 arrays, in the shared
 * kernel memory. An input resident in that memory (`resident_storage.ts`) is read where it is,
 * and an output that owns a block of it is written in place. Other arrays are copied into the
 * scratch area and out of it. Large arrays are split across the pool's threads. Each element is
 * computed by the same code whatever thread runs it, so the bits do not depend on the count.
 */

const NAMES = ["gelu_f32", "gelu_derivative_f32", "gelu_both_f32"] as const;
registerKernelModule("gelu", geluModuleBytes, NAMES);

type GeluKernel = (src: number, dst: number, count: number) => void;
type GeluBothKernel = (src: number, dst: number, dst2: number, count: number) => void;

/** Elements a kernel call covers at once: its `count` is a multiple of it. */
const GROUP = GELU_LANES;

/**
 * Elements from which the work is split across threads. GELU and its derivative cost ~2.4 ns
 * per element on one thread (float32, four lanes), so 16,384 elements are ~40 µs, above the
 * 5-15 µs of handing a worker its half. DenseMLP's `[250, 128]` activations are 32,000.
 */
export const GELU_PARALLEL_MIN = 1 << 14;

/**
 * Whether the WebAssembly GELU kernels compiled in this engine.
 * Example: `if (wasmGeluAvailable()) geluF32Wasm(x, out, false)`.
 */
export function wasmGeluAvailable(): boolean {
  return kernelRuntime() !== null;
}

/**
 * `out[i] = gelu(src[i])` (or its derivative) for float32 arrays of equal length, bit for bit
 * what `geluTanhF32` / `geluTanhDerivativeF32` give rounded to float32. Throws if WebAssembly
 * SIMD is unavailable.
 * Example: `geluF32Wasm(Float32Array.of(-1, 0, 1), new Float32Array(3), false)`.
 */
export function geluF32Wasm(src: Float32Array, out: Float32Array, derivative: boolean): void {
  run("geluF32Wasm", src, derivative ? [null, out] : [out, null]);
}

/**
 * `value[i] = gelu(src[i])` and `derivative[i] = gelu'(src[i])` in one pass over `src` (the
 * exp and `σ(2u)` both need computed once): the same bits as two calls of {@link geluF32Wasm}.
 * Throws if WebAssembly SIMD is unavailable.
 * Example: `geluBothF32Wasm(x, new Float32Array(x.length), new Float32Array(x.length))`.
 */
export function geluBothF32Wasm(src: Float32Array, value: Float32Array, derivative: Float32Array): void {
  run("geluBothF32Wasm", src, [value, derivative]);
}

/** The kernel for `outs` (values, derivatives, or both) over `src`; see {@link geluF32Wasm}. */
function run(caller: string, src: Float32Array, outs: readonly [Float32Array | null, Float32Array | null]): void {
  if (kernelRuntime() === null) throw new Error(`${caller}: WebAssembly SIMD128 is not available in this engine`);
  const n = src.length;
  if (n === 0) return;
  const padded = Math.ceil(n / GROUP) * GROUP;
  const written = outs.filter((o): o is Float32Array => o !== null);
  const name = written.length === 2 ? NAMES[2] : outs[0] !== null ? NAMES[0] : NAMES[1];
  // In place where possible. A copied input's padding is zeroed (the kernel computes it too:
  // keep it finite); a resident input's padding is whatever follows it, inside its block's slack
  // or its neighbour's memory, and its results land only in the outputs' slack or scratch.
  const srcHome = residentAddress(src);
  const inPlace = written.map((o) => ownsResidentBlock(o));
  const srcBytes = srcHome >= 0 ? 0 : padded * 4;
  const outBytes = inPlace.filter((p) => !p).length * padded * 4;
  const base = scratchArea(srcBytes + outBytes + 16);
  const f32 = srcHome < 0 || inPlace.includes(false) ? new Float32Array(heapBuffer()) : null;
  let srcAt = srcHome;
  if (srcHome < 0) {
    srcAt = base;
    copyElements(f32!, src, base / 4);
    f32!.fill(0, base / 4 + n, base / 4 + padded);
  }
  let scratchAt = base + srcBytes;
  const dstAt = written.map((o, q) => {
    if (inPlace[q]) return residentAddress(o);
    const at = scratchAt;
    scratchAt += padded * 4;
    return at;
  });
  const groups = padded / GROUP;
  const threads = n >= GELU_PARALLEL_MIN ? availableThreads() : 1;
  const both = dstAt.length === 2;
  if (threads > 1) {
    const id = kernelId("gelu", name);
    runJob(
      splitJob(groups, threads, (job, g0, g1) => {
        const skip = g0 * GROUP * 4;
        if (both) job.call(id, srcAt + skip, dstAt[0]! + skip, dstAt[1]! + skip, (g1 - g0) * GROUP);
        else job.call(id, srcAt + skip, dstAt[0]! + skip, (g1 - g0) * GROUP);
      }),
    );
  } else if (both) {
    kernelFunction<GeluBothKernel>("gelu", name)(srcAt, dstAt[0]!, dstAt[1]!, padded);
  } else {
    kernelFunction<GeluKernel>("gelu", name)(srcAt, dstAt[0]!, padded);
  }
  written.forEach((o, q) => {
    if (!inPlace[q]) copyElements(o, f32!.subarray(dstAt[q]! / 4, dstAt[q]! / 4 + n));
  });
}
