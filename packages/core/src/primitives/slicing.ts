import { allocateUninitialized } from "../backend/buffers.js";
import { DTypeError, IndexError, ShapeError, ValueError } from "../errors.js";
import { contiguousStrides, copyStrided } from "../backend/kernels/layout.js";
import { definePrimitive, type BatchDim, type Primitive } from "../primitive.js";
import { ConcreteTensor, sizeOf, type Tensor } from "../tensor.js";
import { bind1 } from "../trace.js";
import { add, mul, sub } from "../lax/arithmetic.js";
import { batchFirst, batchSizeOf, moveAxis } from "./batching.js";
import { broadcastInDimP, filled, reduceSumP } from "./shape.js";
import { fillElements } from "../backend/shared_copy.js";

const fmt = (s: readonly number[]) => `[${s.join(", ")}]`;

export interface SliceParams {
  /** First index per axis. */
  start: readonly number[];
  /** One past the last index per axis (exclusive). */
  limit: readonly number[];
  /** Step per axis (>= 1); `null` means all ones. */
  strides: readonly number[] | null;
}

/** Length of a strided range `[start, limit)` with step `stride`. */
function rangeLength(start: number, limit: number, stride: number): number {
  return limit <= start ? 0 : Math.ceil((limit - start) / stride);
}

/**
 * A strided box of an array (lax.slice): axis `d` keeps indices `start[d], start[d] + strides[d], ...`
 * below `limit[d]`. Concrete results are views (no copy).
 */
export const sliceP: Primitive<SliceParams> = definePrimitive<SliceParams>({
  name: "slice",
  outputBuffers: "view",
  abstractEval([x], { start, limit, strides }) {
    const shape = x!.shape;
    const nd = shape.length;
    if (start.length !== nd || limit.length !== nd || (strides !== null && strides.length !== nd)) {
      throw new ShapeError(`slice: start ${fmt(start)}, limit ${fmt(limit)} and strides must each have one entry per axis of shape ${fmt(shape)}`);
    }
    const out = shape.map((n, d) => {
      const s = start[d]!;
      const l = limit[d]!;
      const st = strides ? strides[d]! : 1;
      if (![s, l, st].every(Number.isInteger) || st < 1) throw new ValueError(`slice: start/limit must be integers and strides >= 1, got start ${fmt(start)}, limit ${fmt(limit)}, strides ${fmt(strides ?? [])}`);
      if (s < 0 || l > n || s > l) throw new IndexError(`slice: range [${s}, ${l}) on axis ${d} is out of bounds for shape ${fmt(shape)}`);
      return rangeLength(s, l, st);
    });
    return [{ shape: out, dtype: x!.dtype, weakType: x!.weakType }];
  },
  impl([x], { start, limit, strides }) {
    let offset = x!.offset;
    const shape = x!.shape.map((_, d) => rangeLength(start[d]!, limit[d]!, strides ? strides[d]! : 1));
    const stride = x!.stride.map((s, d) => {
      offset += start[d]! * s;
      return s * (strides ? strides[d]! : 1);
    });
    return [ConcreteTensor.view(x!, shape, stride, offset)];
  },
  jvp([x], [t], params) {
    return [[bind1(sliceP, [x!], params)], [t ? bind1(sliceP, [t], params) : null]];
  },
  vjp([ct], [x], _outs, { start, strides }) {
    if (!ct) return [null];
    const lo: number[] = [];
    const hi: number[] = [];
    const interior: number[] = [];
    x!.shape.forEach((dim, d) => {
      const n = ct.shape[d]!;
      const gap = (strides ? strides[d]! : 1) - 1;
      const l = n === 0 ? 0 : start[d]!;
      lo.push(l);
      interior.push(gap);
      hi.push(dim - l - n - Math.max(0, n - 1) * gap);
    });
    return [bind1(padP, [ct, filled([], ct.dtype, 0)], { lo, hi, interior })];
  },
  batch([x], [bd], { start, limit, strides }) {
    // The batch axis stays where it is (a slice of a features-major array stays contiguous).
    const d = bd!;
    const insert = (xs: readonly number[], v: number) => [...xs.slice(0, d), v, ...xs.slice(d)];
    const out = bind1(sliceP, [x!], {
      start: insert(start, 0),
      limit: insert(limit, x!.shape[d]!),
      strides: strides ? insert(strides, 1) : null,
    });
    return [[out], [d]];
  },
});

export interface PadParams {
  /** Elements added before each axis (>= 0). */
  lo: readonly number[];
  /** Elements added after each axis (>= 0). */
  hi: readonly number[];
  /** Elements added between neighbouring elements of each axis (>= 0). */
  interior: readonly number[];
}

function paddedShape(shape: readonly number[], { lo, hi, interior }: PadParams): number[] {
  return shape.map((n, d) => lo[d]! + hi[d]! + n + Math.max(0, n - 1) * interior[d]!);
}

/**
 * Pad with a scalar value (lax.pad; operands `[x, padValue]`): `lo`/`hi` elements at the edges
 * and `interior` between elements of each axis. The transpose of `slice`. Unlike lax, `lo` and
 * `hi` must be non-negative (slice first to crop).
 */
export const padP: Primitive<PadParams> = definePrimitive<PadParams>({
  name: "pad",
  outputBuffers: "fresh",
  abstractEval([x, v], params) {
    const nd = x!.shape.length;
    const { lo, hi, interior } = params;
    if (lo.length !== nd || hi.length !== nd || interior.length !== nd) {
      throw new ShapeError(`pad: lo ${fmt(lo)}, hi ${fmt(hi)} and interior ${fmt(interior)} need one entry per axis of shape ${fmt(x!.shape)}`);
    }
    if ([...lo, ...hi, ...interior].some((p) => !Number.isInteger(p) || p < 0)) {
      throw new ValueError(`pad: lo ${fmt(lo)}, hi ${fmt(hi)} and interior ${fmt(interior)} must be non-negative integers`);
    }
    if (v!.shape.length !== 0) throw new ShapeError(`pad: padding value must be a scalar, got shape ${fmt(v!.shape)}`);
    if (v!.dtype !== x!.dtype) throw new DTypeError(`pad: padding value dtype ${v!.dtype} differs from operand dtype ${x!.dtype}`);
    return [{ shape: paddedShape(x!.shape, params), dtype: x!.dtype, weakType: x!.weakType }];
  },
  impl([x, v], params) {
    const outShape = paddedShape(x!.shape, params);
    const out = allocateUninitialized(x!.dtype, sizeOf(outShape));
    const os = contiguousStrides(outShape);
    // Each input element lands at lo + i * (interior + 1) along every axis: a strided view of `out`.
    let base = 0;
    const step = x!.shape.map((_, d) => {
      base += params.lo[d]! * os[d]!;
      return os[d]! * (params.interior[d]! + 1);
    });
    // Padded along the first axis only (a slice's gradient): the input fills one block of whole
    // rows, and only the rows before and after it take the padding value.
    const rowsOnly = params.interior.every((p) => p === 0) && params.lo.every((p, d) => d === 0 || (p === 0 && params.hi[d] === 0));
    if (rowsOnly) {
      fillElements(out, v!.item(), 0, base);
      fillElements(out, v!.item(), base + x!.size, out.length);
    } else fillElements(out, v!.item());
    copyStrided(x!.shape, x!.data, x!.stride, x!.offset, out, step, base);
    return [ConcreteTensor.fromData(out, outShape, x!.dtype, x!.weakType)];
  },
  jvp([x, v], [tx, tv], params) {
    const out = bind1(padP, [x!, v!], params);
    if (!tx && !tv) return [[out], [null]];
    const t = bind1(padP, [tx ?? filled(x!.shape, x!.dtype, 0), tv ?? filled([], v!.dtype, 0)], params);
    return [[out], [t]];
  },
  vjp([ct], [x], _outs, { lo, interior }, needsGrad) {
    if (!ct) return [null, null];
    const start = lo.slice();
    const limit = x!.shape.map((n, d) => (n === 0 ? lo[d]! : lo[d]! + (n - 1) * (interior[d]! + 1) + 1));
    const strides = interior.map((g) => g + 1);
    const ctx = bind1(sliceP, [ct], { start, limit, strides });
    let ctv: Tensor | null = null;
    if (needsGrad[1]) {
      const all = ct.shape.map((_, d) => d);
      ctv = sub(bind1(reduceSumP, [ct], { axes: all }), bind1(reduceSumP, [ctx], { axes: all }));
    }
    return [ctx, ctv];
  },
  batch([x, v], [bx, bv], params) {
    const size = batchSizeOf([x!, v!], [bx ?? null, bv ?? null]);
    const lo = [0, ...params.lo];
    const hi = [0, ...params.hi];
    const interior = [0, ...params.interior];
    const xb = batchFirst(x!, bx ?? null, size);
    if (bv === null || bv === undefined) return [[bind1(padP, [xb, v!], { lo, hi, interior })], [0]];
    // A batched padding value: pad with zero, then add value × (1 where padded).
    const zero = filled([], x!.dtype, 0);
    const padded = bind1(padP, [xb, zero], { lo, hi, interior });
    const perExample = x!.shape.filter((_, i) => i !== bx);
    const mask = bind1(padP, [filled(perExample, x!.dtype, 0), filled([], x!.dtype, 1)], params);
    const shape = padded.shape.slice();
    const maskB = bind1(broadcastInDimP, [mask], { shape, broadcastDimensions: mask.shape.map((_, i) => i + 1) });
    const vB = bind1(broadcastInDimP, [moveAxis(v!, bv, 0)], { shape, broadcastDimensions: [0] });
    return [[add(padded, mul(vB, maskB))], [0]];
  },
});
