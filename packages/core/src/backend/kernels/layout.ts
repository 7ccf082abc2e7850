/**
 * Row-major layouts and strided copies: the index arithmetic shared by tensors (`copyData`)
 * and the kernels that place one strided view into another (`pad`). It imports no code (one
 * type only), so `tensor.ts` and the kernels can both use it without an import cycle.
 */
import type { TypedArray } from "../../dtype.js";

/**
 * Row-major (C-order) strides of `shape`, in elements.
 *
 * @example
 * contiguousStrides([2, 3, 4]); // [12, 4, 1]
 */
export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/**
 * Copy every element of a strided view of `shape` into a strided destination of the same
 * shape: `dst[dstOffset + Σ i·dstStride] = src[srcOffset + Σ i·srcStride]`. Rows of the last
 * axis run as one loop; the other axes step both positions together (an odometer, no index
 * division per element), and rank 1 and 2 (columns and blocks of matrices) skip the odometer.
 *
 * @example
 * copyStrided([2, 2], src, [1, 2], 0, out, [2, 1], 0); // out holds src's transpose
 */
export function copyStrided(
  shape: readonly number[],
  src: TypedArray,
  srcStride: readonly number[],
  srcOffset: number,
  dst: TypedArray,
  dstStride: readonly number[],
  dstOffset: number,
): void {
  const nd = shape.length;
  if (nd === 0) {
    dst[dstOffset] = src[srcOffset]!;
    return;
  }
  for (const n of shape) if (n === 0) return;
  const last = nd - 1;
  const n = shape[last]!;
  const ss = srcStride[last]!;
  const ds = dstStride[last]!;
  if (nd <= 2) {
    const rows = nd === 2 ? shape[0]! : 1;
    const sr = nd === 2 ? srcStride[0]! : 0;
    const dr = nd === 2 ? dstStride[0]! : 0;
    for (let i = 0, p = srcOffset, o = dstOffset; i < rows; i++, p += sr, o += dr) {
      for (let j = 0, pj = p, oj = o; j < n; j++, pj += ss, oj += ds) dst[oj] = src[pj]!;
    }
    return;
  }
  const idx = new Array<number>(nd).fill(0);
  let p = srcOffset;
  let o = dstOffset;
  for (;;) {
    for (let j = 0, pj = p, oj = o; j < n; j++, pj += ss, oj += ds) dst[oj] = src[pj]!;
    let ax = last - 1;
    for (; ax >= 0; ax--) {
      idx[ax]!++;
      p += srcStride[ax]!;
      o += dstStride[ax]!;
      if (idx[ax]! < shape[ax]!) break;
      p -= srcStride[ax]! * shape[ax]!;
      o -= dstStride[ax]! * shape[ax]!;
      idx[ax] = 0;
    }
    if (ax < 0) break;
  }
}
