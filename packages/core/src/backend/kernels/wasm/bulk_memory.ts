import type { TypedArray } from "../../../dtype.js";
import { encodeModule, FunctionBuilder, type MemoryImport } from "./module_encoder.js";
import { isKernelMemoryBuffer, kernelFunction, registerKernelModule } from "../../threads/kernel_memory.js";

/**
 * Copies and zero fills inside the shared kernel memory by WebAssembly's `memory.copy` and
 * `memory.fill`. V8 copies between two views of a `SharedArrayBuffer` (`set`) word by word with
 * relaxed atomic stores, where `memory.copy` is a `memmove`: 128 KiB took 10.6–11.0 µs by `set`
 * (~12 GB/s) against 2.8–3.4 µs by `memory.copy` (38–46 GB/s) and 3.2–3.4 µs by `set` between
 * two unshared arrays (Node 20, 2-core AMD EPYC, 2,000 copies per round, three rounds,
 * 2026-12-07); 512 KiB copies rotating through 8 MiB, 45–54 against 17–20 µs. The kernels'
 * results, the operands they read in place and the blocks of a concatenation all live in the
 * kernel memory, so a copy from one to another is common: concatenating four resident
 * `[128, 250]` float32 arrays took 34.0 against 42.2 µs (medians of 20 alternating rounds of
 * 500 calls, the same day). In the jitted DenseMLP step (ten such copies per call) the
 * difference was within the machine's noise (the step without against with: paired medians
 * 1.000x and 0.986x, quartiles 0.94–1.06).
 */

/**
 * The module binary: `copy(dst, src, bytes)` (`memory.copy`; the ranges may overlap) and
 * `fill(dst, byte, bytes)` (`memory.fill`), byte addresses and counts.
 * Example: `new WebAssembly.Module(bulkMemoryModuleBytes({ module: "env", name: "memory", minPages: 1 }))`.
 */
export function bulkMemoryModuleBytes(memory: MemoryImport): Uint8Array {
  const functions = (["copy", "fill"] as const).map((name) => {
    const f = new FunctionBuilder(name);
    const [a, b, n] = [f.param("i32"), f.param("i32"), f.param("i32")];
    f.code.localGet(a).localGet(b).localGet(n);
    if (name === "copy") f.code.memoryCopy();
    else f.code.memoryFill();
    f.code.end();
    return f;
  });
  return encodeModule(memory, functions);
}

registerKernelModule("bulk-memory", bulkMemoryModuleBytes, ["copy", "fill"]);

/**
 * Bytes from which a copy or fill inside the kernel memory goes through `memory.copy` or
 * `memory.fill`. `copyElements` between two blocks (median of 7 rounds of 300,000 calls, one
 * thread, 2026-12-07): with this threshold 0.074, 0.087, 0.117 and 0.148 µs for 64, 256, 512 and
 * 1,024 bytes; with none (every such copy by `memory.copy`) 0.121, 0.131, 0.113 and 0.151 µs: the
 * checks and the call into WebAssembly cost what a small `set` takes.
 */
export const BULK_MIN_BYTES = 1024;

type Bulk = (a: number, b: number, n: number) => void;

/** The calling thread's `copy` and `fill`, looked up on first use. */
let bulk: { copy: Bulk; fill: Bulk } | null = null;
function bulkKernels(): { copy: Bulk; fill: Bulk } {
  return (bulk ??= { copy: kernelFunction<Bulk>("bulk-memory", "copy"), fill: kernelFunction<Bulk>("bulk-memory", "fill") });
}

/**
 * `dst.set(src, at)` by `memory.copy` when both arrays are views of the shared kernel memory, of
 * one element type, the copy has at least {@link BULK_MIN_BYTES} bytes and fits at `at`; returns
 * `false` (copying nothing) otherwise, leaving the copy (or `set`'s error) to the caller. Same
 * result as `set`, overlapping ranges included.
 * Example: `if (!copyInKernelMemory(out, block.subarray(0, n), 0)) out.set(block.subarray(0, n))`.
 */
export function copyInKernelMemory(dst: TypedArray, src: TypedArray, at: number): boolean {
  const bytes = src.byteLength;
  if (bytes < BULK_MIN_BYTES || src.constructor !== dst.constructor || !isKernelMemoryBuffer(dst.buffer) || !isKernelMemoryBuffer(src.buffer)) return false;
  if (!(Number.isInteger(at) && at >= 0 && at + src.length <= dst.length)) return false;
  bulkKernels().copy(dst.byteOffset + at * dst.BYTES_PER_ELEMENT, src.byteOffset, bytes);
  return true;
}

/**
 * `dst.fill(0, start, end)` by `memory.fill` when `dst` is a view of the shared kernel memory,
 * `0 <= start <= end <= dst.length` and the span has at least {@link BULK_MIN_BYTES} bytes;
 * returns `false` (writing nothing) otherwise. (Every element type's zero is all zero bytes;
 * `-0` is not, and is not asked for here.)
 * Example: `if (!zeroInKernelMemory(out, 0, out.length)) out.fill(0)`.
 */
export function zeroInKernelMemory(dst: TypedArray, start: number, end: number): boolean {
  const eb = dst.BYTES_PER_ELEMENT;
  if ((end - start) * eb < BULK_MIN_BYTES || !isKernelMemoryBuffer(dst.buffer)) return false;
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end <= dst.length)) return false;
  bulkKernels().fill(dst.byteOffset + start * eb, 0, (end - start) * eb);
  return true;
}
