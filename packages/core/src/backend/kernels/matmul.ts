import { allocateTyped } from "../slab_allocator.js";
import type { TypedArray } from "../../dtype.js";
import { matmulWasm, wasmMatmulAvailable } from "./wasm/matmul_wasm.js";

/**
 * A 2-d operand of a matrix product: element `[r, c]` is `data[offset + r * rowStride + c * colStride]`.
 * Describing operands by strides lets transposed views (e.g. `bᵀ` in a backward pass) be read
 * in place: the kernel picks a loop order that walks them contiguously instead of copying them.
 */
export interface MatrixView {
  data: TypedArray;
  offset: number;
  rowStride: number;
  colStride: number;
}

/** Columns of `b` (and of the output) processed together, so a `KC × NC` block of `b` stays in L2. */
const NC = 512;
/** Rows of `b` (the shared dimension) per block. */
const KC = 128;
/** Rows of `bᵀ` per block in the dot-product variant. */
const JC = 64;

/**
 * `out[outOffset + i*n + j] += Σ_p a[i, p] · b[p, j]` for an `m × k` by `k × n` product, with
 * `out` a float64 accumulator. Neither operand's buffer is written.
 *
 * Float operands go to the WebAssembly SIMD kernels (`wasm/matmul_wasm.ts`) when the engine
 * has them and {@link useWasmMatmul} says the product is big enough; float32 is then computed
 * in float32 (as TensorFlow.js and XLA on CPU do), float64 in float64. Everything else (integer
 * dtypes, tiny products, engines without Wasm SIMD) runs {@link matmulAccumulateJs}.
 * Example: `matmulAccumulate(a, b, 2, 3, 4, new Float64Array(8), 0)`.
 */
export function matmulAccumulate(a: MatrixView, b: MatrixView, m: number, k: number, n: number, out: Float64Array, outOffset: number): void {
  if (m === 0 || n === 0 || k === 0) return;
  const type = a.data instanceof Float32Array && b.data instanceof Float32Array ? "f32" : a.data instanceof Float64Array && b.data instanceof Float64Array ? "f64" : null;
  if (type !== null && useWasmMatmul(type, m, k, n) && wasmMatmulAvailable()) matmulWasm(type, a, b, m, k, n, out, outOffset);
  else matmulAccumulateJs(a, b, m, k, n, out, outOffset);
}

/**
 * Whether a product of these sizes is faster in the Wasm kernels than in the JS one. Measured
 * (2-core AMD EPYC, Node 20, `benchmarks/matmul.bench.ts` and the kernel tests' sizes): for
 * float64 (which the JS kernel reads without conversion, and which the Wasm path accumulates
 * through a copy of the result) the Wasm path loses when `k` is tiny, `m < 4` or the product is
 * tiny (8³: 0.40 µs vs 0.27 µs). float32 wins from 4³ up: the JS kernel has to widen float32 to
 * float64, and large float32 arrays are resident in the kernel memory (read in place, results
 * written in place). With resident operands, 2026-12-06 ~00:10 UTC: 513x2·2x250 24 µs vs 427 µs in JS,
 * 250x1·1x128 8 µs vs 68 µs, 16x2·2x16 4.1 µs vs 7.8 µs.
 * Example: `useWasmMatmul("f32", 250, 513, 128)` is `true`.
 */
export function useWasmMatmul(type: "f32" | "f64", m: number, k: number, n: number): boolean {
  const work = m * k * n;
  if (type === "f32") return work >= 64;
  return work >= 4096 && k >= 8 && m >= 4;
}

/**
 * The JavaScript kernel (float64 arithmetic for every dtype), same contract as
 * {@link matmulAccumulate}. Chooses the loop order from the operands' layout:
 * - `b` rows contiguous (`colStride == 1`): blocked i-p-j loops over two output rows and four
 *   rows of `b` per pass, reading `a` by its strides (scalar loads, so `aᵀ` costs nothing);
 * - `b` columns contiguous (a transposed view): blocked dot products, four output columns at
 *   a time, with `a`'s rows contiguous;
 * - other strides: the operand is copied (packed) first.
 * Non-float64 operands are packed into float64 (see below).
 * Example: `matmulAccumulateJs(a, b, 2, 3, 4, new Float64Array(8), 0)`.
 */
export function matmulAccumulateJs(a: MatrixView, b: MatrixView, m: number, k: number, n: number, out: Float64Array, outOffset: number): void {
  if (m === 0 || n === 0 || k === 0) return;
  // The loops below only ever see Float64Array operands: one element type keeps V8's property
  // access monomorphic (2-3x faster than mixing float32/float64/int32 buffers), and widening
  // float32 once costs O(mk + kn) against the O(mkn) product.
  const bTransposed = b.rowStride === 1 && b.colStride !== 1 && n > 1;
  const bReady = b.data instanceof Float64Array && (bTransposed || b.colStride === 1 || n === 1);
  const bw = bReady ? b : pack(b, k, n, bTransposed);
  if (!bTransposed) {
    rowMajorB(a.data instanceof Float64Array ? a : pack(a, m, k, false), bw, m, k, n, out, outOffset);
  } else {
    const aw = a.data instanceof Float64Array && (a.colStride === 1 || k === 1) ? a : pack(a, m, k, false);
    transposedB(aw, bw, m, k, n, out, outOffset);
  }
}

/**
 * A float64 copy of an `r x c` operand, row-major, or column-major when `columns` (so a
 * transposed view stays a transposed, contiguous one).
 */
function pack(v: MatrixView, r: number, c: number, columns: boolean): MatrixView {
  const data = allocateTyped(Float64Array, r * c);
  const src = v.data;
  if (columns) {
    for (let j = 0; j < c; j++) for (let i = 0; i < r; i++) data[j * r + i] = src[v.offset + i * v.rowStride + j * v.colStride]!;
    return { data, offset: 0, rowStride: 1, colStride: r };
  }
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) data[i * c + j] = src[v.offset + i * v.rowStride + j * v.colStride]!;
  return { data, offset: 0, rowStride: c, colStride: 1 };
}

function rowMajorB(a: MatrixView, b: MatrixView, m: number, k: number, n: number, out: Float64Array, outOffset: number): void {
  const ad = a.data;
  const bd = b.data;
  const ars = a.rowStride;
  const acs = a.colStride;
  const brs = b.rowStride;
  if (n === 1) {
    // A matrix-vector product: `b` is one column with any stride.
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += ad[a.offset + i * ars + p * acs]! * bd[b.offset + p * brs]!;
      out[outOffset + i]! += s;
    }
    return;
  }
  for (let j0 = 0; j0 < n; j0 += NC) {
    const j1 = Math.min(n, j0 + NC);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const p1 = Math.min(k, p0 + KC);
      let i = 0;
      // Two rows of the output at a time: each loaded element of `b` feeds two multiply-adds.
      for (; i + 1 < m; i += 2) {
        const r0 = a.offset + i * ars;
        const r1 = r0 + ars;
        const c0 = outOffset + i * n;
        const c1 = c0 + n;
        let p = p0;
        for (; p + 3 < p1; p += 4) {
          const x0 = ad[r0 + p * acs]!, x1 = ad[r0 + (p + 1) * acs]!, x2 = ad[r0 + (p + 2) * acs]!, x3 = ad[r0 + (p + 3) * acs]!;
          const y0 = ad[r1 + p * acs]!, y1 = ad[r1 + (p + 1) * acs]!, y2 = ad[r1 + (p + 2) * acs]!, y3 = ad[r1 + (p + 3) * acs]!;
          const b0 = b.offset + p * brs;
          const b1 = b0 + brs;
          const b2 = b1 + brs;
          const b3 = b2 + brs;
          for (let j = j0; j < j1; j++) {
            const v0 = bd[b0 + j]!, v1 = bd[b1 + j]!, v2 = bd[b2 + j]!, v3 = bd[b3 + j]!;
            out[c0 + j]! += x0 * v0 + x1 * v1 + x2 * v2 + x3 * v3;
            out[c1 + j]! += y0 * v0 + y1 * v1 + y2 * v2 + y3 * v3;
          }
        }
        for (; p < p1; p++) {
          const x0 = ad[r0 + p * acs]!;
          const y0 = ad[r1 + p * acs]!;
          const b0 = b.offset + p * brs;
          for (let j = j0; j < j1; j++) {
            const v0 = bd[b0 + j]!;
            out[c0 + j]! += x0 * v0;
            out[c1 + j]! += y0 * v0;
          }
        }
      }
      for (; i < m; i++) {
        const r0 = a.offset + i * ars;
        const c0 = outOffset + i * n;
        for (let p = p0; p < p1; p++) {
          const x0 = ad[r0 + p * acs]!;
          const b0 = b.offset + p * brs;
          for (let j = j0; j < j1; j++) out[c0 + j]! += x0 * bd[b0 + j]!;
        }
      }
    }
  }
}

function transposedB(a: MatrixView, b: MatrixView, m: number, k: number, n: number, out: Float64Array, outOffset: number): void {
  const ad = a.data;
  const bd = b.data;
  const ars = a.rowStride;
  const bcs = b.colStride; // distance between rows of bᵀ
  for (let j0 = 0; j0 < n; j0 += JC) {
    const j1 = Math.min(n, j0 + JC);
    for (let i = 0; i < m; i++) {
      const arow = a.offset + i * ars;
      const c = outOffset + i * n;
      let j = j0;
      for (; j + 3 < j1; j += 4) {
        const r0 = b.offset + j * bcs;
        const r1 = r0 + bcs;
        const r2 = r1 + bcs;
        const r3 = r2 + bcs;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let p = 0; p < k; p++) {
          const av = ad[arow + p]!;
          s0 += av * bd[r0 + p]!;
          s1 += av * bd[r1 + p]!;
          s2 += av * bd[r2 + p]!;
          s3 += av * bd[r3 + p]!;
        }
        out[c + j]! += s0;
        out[c + j + 1]! += s1;
        out[c + j + 2]! += s2;
        out[c + j + 3]! += s3;
      }
      for (; j < j1; j++) {
        const r0 = b.offset + j * bcs;
        let s0 = 0;
        for (let p = 0; p < k; p++) s0 += ad[arow + p]! * bd[r0 + p]!;
        out[c + j]! += s0;
      }
    }
  }
}
