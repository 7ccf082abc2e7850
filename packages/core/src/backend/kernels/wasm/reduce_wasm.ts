import type { Lines } from "../reduce_lines.js";
import { reduceModuleBytes } from "./reduce_kernels.js";
import { heapBuffer, scratchArea } from "../../threads/kernel_heap.js";
import { kernelFunction, kernelRuntime, registerKernelModule } from "../../threads/kernel_memory.js";
import { residentAddress } from "../../resident_storage.js";
import { copyElements } from "../../shared_copy.js";

/**
 * reduce_sum of float32 lines in WebAssembly (`reduce_kernels.ts`): the same sums as
 * `reduce_lines.ts`'s `sumLines`, bit for bit, without JavaScript's per-element overhead;
 * contiguous lines go four at a time through vectors (`sum_rows`). The
 * lines are read where they are when they live in the kernel memory, else their span is copied
 * into the scratch area first.
 */

registerKernelModule("reduce", reduceModuleBytes, ["sum_lines", "sum_rows"]);

type SumLines = (src: number, dst: number, count: number, length: number, stride: number, step: number) => void;
type SumRows = (src: number, dst: number, groups: number, length: number, stride: number) => void;

/** Elements from which the Wasm kernel sums lines (below, the JavaScript loop's set-up is cheaper). */
export const WASM_SUM_MIN = 2048;

/**
 * Whether the Wasm kernel is worth it for `data`'s lines: always when the data is in the kernel
 * memory or a line's elements are not contiguous, and for contiguous lines copied in when there
 * are four or more of four or more elements (`sum_rows` then takes them four at a time). Copied
 * in, against the JavaScript loop (AMD EPYC, Node 20, 2026-12-06 22:53 UTC, three rounds of
 * 4,000 calls each): 300 lines of 100 took 15.4-16.0 µs against 24.1-35.3 µs, 100 of 100 5.4
 * against 11.8, 128 of 250 16.1-16.8 against 22.4-30.2, 250 of 128 11.9-17.9 against 19.8-31.1,
 * 64 of 64 1.7-1.8 against 2.5-2.6. Before `sum_rows` (Intel Xeon, the same day): 300 lines of
 * 100 contiguous elements 20.8 µs in place, 30.0 µs copied, 25.6 µs in JavaScript; 300 lines
 * of 100 elements 300 apart 21.7, 29.8 and 45.9 µs.
 * Example: `if (wasmSumPays(x, lines)) sumLinesWasm(x, lines, out)`.
 */
export function wasmSumPays(data: Float32Array, lines: Lines): boolean {
  if (lines.count * lines.length < WASM_SUM_MIN) return false;
  return residentAddress(data) >= 0 || lines.step !== 1 || (lines.count >= 4 && lines.length >= 4);
}

/**
 * Sums the float32 `lines` of `data` into `out` (see `sumLines`); returns `false`, writing
 * nothing, when the Wasm kernels are unavailable or a step is negative.
 * Example: `sumLinesWasm(x, linesOf([300, 100], [100, 1], 0, [1])!, new Float32Array(300))`.
 */
export function sumLinesWasm(data: Float32Array, lines: Lines, out: Float32Array): boolean {
  const { offset, count, stride, length, step } = lines;
  if (kernelRuntime() === null || stride < 0 || step < 0) return false;
  if (count === 0) return true;
  const span = length === 0 ? 0 : (count - 1) * stride + (length - 1) * step + 1;
  const home = residentAddress(data);
  const copyBytes = home >= 0 ? 0 : Math.ceil((span * 4) / 16) * 16;
  const base = scratchArea(copyBytes + 4 * count);
  const f32 = new Float32Array(heapBuffer());
  let src = home + 4 * offset;
  if (home < 0) {
    copyElements(f32, data.subarray(offset, offset + span), base >> 2);
    src = base;
  }
  const dst = base + copyBytes;
  // Contiguous lines four at a time in vectors (sum_rows), the rest (and strided lines) by
  // sum_lines: the bias gradient's 300 lines of 100 in the LeNet-300-100 step took 0.64x-0.65x
  // the time (`benchmarks/mnist_sparse_steps.ts` with a temporary switch, 1 thread, 2-core AMD
  // EPYC, 2026-12-06 22:49 UTC).
  const rows = step === 1 && length >= 4 ? count - (count % 4) : 0;
  if (rows > 0) kernelFunction<SumRows>("reduce", "sum_rows")(src, dst, rows / 4, length, 4 * stride);
  if (rows < count) kernelFunction<SumLines>("reduce", "sum_lines")(src + 4 * stride * rows, dst + 4 * rows, count - rows, length, 4 * stride, 4 * step);
  copyElements(out, f32.subarray(dst >> 2, (dst >> 2) + count));
  return true;
}
