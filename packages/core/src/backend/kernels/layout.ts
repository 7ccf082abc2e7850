/**
 * Row-major layouts and strided copies: the index arithmetic shared by tensors (`copyData`)
 * and the kernels that place one strided view into another (`pad`). It imports only
 * `shared_copy.ts` (which imports no code), so `tensor.ts` and the kernels can both use it
 * without an import cycle.
 */
import type { TypedArray } from "../../dtype.js";
import { copyElements } from "../shared_copy.js";

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

/** Rows of at least this many elements, unit-strided on both sides, are copied with `TypedArray.set` (a memory copy) instead of an element loop. */
const SET_MIN_ROW = 32;

/**
 * Copy every element of a strided view of `shape` into a strided destination of the same
 * shape: `dst[dstOffset + Σ i·dstStride] = src[srcOffset + Σ i·srcStride]`. Axes of length 1
 * are dropped, and neighbouring axes that both sides lay out as one (a contiguous block of
 * rows, say) are merged first, so a copy between two contiguous layouts is a single row. Rows
 * of the last axis run as one loop, or as one `set` where both sides are unit-strided and the
 * row is long; the other axes step both positions together (an odometer, no index division per
 * element), and one or two merged axes skip the odometer.
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
  for (const n of shape) if (n === 0) return;
  // Merged axes, outermost first.
  const dims: number[] = [];
  const ss: number[] = [];
  const ds: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d]!;
    if (n === 1) continue;
    const k = dims.length - 1;
    if (k >= 0 && srcStride[d] === ss[k]! * dims[k]! && dstStride[d] === ds[k]! * dims[k]!) dims[k]! *= n;
    else {
      dims.push(n);
      ss.push(srcStride[d]!);
      ds.push(dstStride[d]!);
    }
  }
  dims.reverse();
  ss.reverse();
  ds.reverse();
  const nd = dims.length;
  if (nd === 0) {
    dst[dstOffset] = src[srcOffset]!;
    return;
  }
  const last = nd - 1;
  const n = dims[last]!;
  const sl = ss[last]!;
  const dl = ds[last]!;
  const whole = sl === 1 && dl === 1 && n >= SET_MIN_ROW;
  const row = (p: number, o: number): void => {
    if (whole) copyElements(dst, src.subarray(p, p + n), o);
    else for (let j = 0, pj = p, oj = o; j < n; j++, pj += sl, oj += dl) dst[oj] = src[pj]!;
  };
  if (nd <= 2) {
    const rows = nd === 2 ? dims[0]! : 1;
    const sr = nd === 2 ? ss[0]! : 0;
    const dr = nd === 2 ? ds[0]! : 0;
    if (whole) for (let i = 0, p = srcOffset, o = dstOffset; i < rows; i++, p += sr, o += dr) row(p, o);
    else {
      for (let i = 0, p = srcOffset, o = dstOffset; i < rows; i++, p += sr, o += dr) {
        for (let j = 0, pj = p, oj = o; j < n; j++, pj += sl, oj += dl) dst[oj] = src[pj]!;
      }
    }
    return;
  }
  const idx = new Array<number>(nd).fill(0);
  let p = srcOffset;
  let o = dstOffset;
  for (;;) {
    row(p, o);
    let ax = last - 1;
    for (; ax >= 0; ax--) {
      idx[ax]!++;
      p += ss[ax]!;
      o += ds[ax]!;
      if (idx[ax]! < dims[ax]!) break;
      p -= ss[ax]! * dims[ax]!;
      o -= ds[ax]! * dims[ax]!;
      idx[ax] = 0;
    }
    if (ax < 0) break;
  }
}
