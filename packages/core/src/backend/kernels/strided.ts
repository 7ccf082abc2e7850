import { type DType } from "../../dtype.js";
import { allocate } from "../buffers.js";
import { ConcreteTensor } from "../../tensor.js";

/**
 * Visit every element of a view in row-major order, calling `visit(bufferPosition, outIndex)`.
 * Used by kernels that read non-contiguous views without copying them first.
 */
export function forEachStrided(
  shape: readonly number[],
  stride: readonly number[],
  offset: number,
  visit: (pos: number, i: number) => void,
): void {
  const nd = shape.length;
  let size = 1;
  for (const d of shape) size *= d;
  if (size === 0) return;
  if (nd === 0) {
    visit(offset, 0);
    return;
  }
  const idx = new Array<number>(nd).fill(0);
  const last = nd - 1;
  const lastLen = shape[last]!;
  const lastStride = stride[last]!;
  let pos = offset;
  let o = 0;
  for (;;) {
    for (let j = 0, p = pos; j < lastLen; j++, p += lastStride) visit(p, o++);
    let ax = last - 1;
    for (; ax >= 0; ax--) {
      idx[ax]!++;
      pos += stride[ax]!;
      if (idx[ax]! < shape[ax]!) break;
      pos -= stride[ax]! * shape[ax]!;
      idx[ax] = 0;
    }
    if (ax < 0) break;
  }
}

/** Apply `f` elementwise to one tensor; output is a new contiguous tensor. */
export function mapUnary(x: ConcreteTensor, outDtype: DType, f: (a: number) => number, weakType = x.weakType): ConcreteTensor {
  const out = allocate(outDtype, x.size);
  if (x.isContiguous) {
    const a = x.data;
    for (let i = 0; i < out.length; i++) out[i] = f(a[i]!);
  } else {
    const a = x.data;
    forEachStrided(x.shape, x.stride, x.offset, (p, i) => {
      out[i] = f(a[p]!);
    });
  }
  return ConcreteTensor.fromData(out, x.shape, outDtype, weakType);
}
