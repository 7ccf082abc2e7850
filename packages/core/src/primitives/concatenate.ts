import { allocateUninitialized } from "../backend/buffers.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import type { TypedArray } from "../dtype.js";
import { contiguousStrides, copyStrided } from "../backend/kernels/layout.js";
import { definePrimitive, type AbstractArray, type BatchDim, type Primitive } from "../primitive.js";
import { ConcreteTensor, sizeOf, type Tensor } from "../tensor.js";
import { bind1 } from "../trace.js";
import { batchAt, batchSizeOf, sharedBatchDim } from "./batching.js";
import { filled } from "./shape.js";
import { sliceP } from "./slicing.js";

const fmt = (s: readonly number[]) => `[${s.join(", ")}]`;

/**
 * Copies each operand, a view as it is (a slice of a layer's neurons, say), into its block of
 * `out` (row-major with strides `outStride`) along `axis`, the first from index `from` on.
 */
function writeBlocks(xs: readonly ConcreteTensor[], axis: number, out: TypedArray, outStride: readonly number[], from: number, who: string): void {
  let at = from;
  for (const x of xs) {
    if (x.size > 0) copyStrided(x.shape, x.storage(who), x.stride, x.offset, out, outStride, at * outStride[axis]!);
    at += x.shape[axis]!;
  }
}

/** The result of concatenating `xs` along `axis`; errors name `name` (concatenate or one of its growing forms). */
function concatenatedAval(name: string, xs: AbstractArray[], axis: number): AbstractArray[] {
  if (xs.length === 0) throw new ValueError(`${name}: needs at least one operand`);
  const first = xs[0]!;
  const nd = first.shape.length;
  if (!Number.isInteger(axis) || axis < 0 || axis >= nd) {
    throw new ShapeError(`${name}: axis ${axis} is invalid for operands of shape ${fmt(first.shape)}`);
  }
  let total = 0;
  for (const x of xs) {
    if (x.dtype !== first.dtype) throw new DTypeError(`${name}: operand dtypes differ (${first.dtype} and ${x.dtype})`);
    if (x.shape.length !== nd || x.shape.some((n, d) => d !== axis && n !== first.shape[d])) {
      throw new ShapeError(`${name}: shapes ${xs.map((y) => fmt(y.shape)).join(", ")} differ outside axis ${axis}`);
    }
    total += x.shape[axis]!;
  }
  const shape = first.shape.slice();
  shape[axis] = total;
  return [{ shape, dtype: first.dtype, weakType: xs.every((x) => x.weakType) }];
}

export interface ConcatenateParams {
  axis: number;
}

/** Join operands along an existing axis (lax.concatenate; n-ary, equal dtypes, other axes equal). */
export const concatenateP: Primitive<ConcatenateParams> = definePrimitive<ConcatenateParams>({
  name: "concatenate",
  outputBuffers: "fresh",
  // Along the leading axis, a chain of concatenations each extending the one before (a
  // densely connected network's layer inputs: [x, h1], [x, h1, h2], ...) grows in one buffer.
  growsWith: (xs, { axis }) => (axis === 0 && xs[0] !== undefined && xs[0].shape.length > 0 ? GROWTH : undefined),
  abstractEval(xs, { axis }) {
    return concatenatedAval("concatenate", xs, axis);
  },
  impl(xs, { axis }) {
    const first = xs[0]!;
    const shape = first.shape.slice();
    shape[axis] = xs.reduce((s, x) => s + x.shape[axis]!, 0);
    // The inputs' chunks cover every element.
    const out = allocateUninitialized(first.dtype, sizeOf(shape));
    writeBlocks(xs, axis, out, contiguousStrides(shape), 0, "concatenate");
    return [ConcreteTensor.fromData(out, shape, first.dtype, xs.every((x) => x.weakType))];
  },
  jvp(xs, ts, params) {
    const out = bind1(concatenateP, xs, params);
    if (ts.every((t) => !t)) return [[out], [null]];
    const filledTs = ts.map((t, i) => t ?? filled(xs[i]!.shape, xs[i]!.dtype, 0));
    return [[out], [bind1(concatenateP, filledTs, params)]];
  },
  vjp([ct], xs, _outs, { axis }, needsGrad) {
    if (!ct) return xs.map(() => null);
    let at = 0;
    return xs.map((x, i) => {
      const n = x.shape[axis]!;
      const start = ct.shape.map((_, d) => (d === axis ? at : 0));
      const limit = ct.shape.map((m, d) => (d === axis ? at + n : m));
      at += n;
      return needsGrad[i] ? bind1(sliceP, [ct], { start, limit, strides: null }) : null;
    });
  },
  batch(xs, dims, { axis }) {
    // One shared batch axis, where the operands mostly have it: joining features-major chunks
    // (batch last) then copies whole contiguous blocks.
    const size = batchSizeOf(xs, dims);
    const to = sharedBatchDim(xs, dims);
    const moved = xs.map((x, i) => batchAt(x, dims[i] ?? null, size, to));
    return [[bind1(concatenateP, moved, { axis: to <= axis ? axis + 1 : axis })], [to] as BatchDim[]];
  },
});

export interface ConcatenateOpenParams {
  /** Length of the leading axis the buffer has room for (at least the result's). */
  capacity: number;
}

/**
 * Each growing buffer's latest result (see {@link concatenateExtendP}): only that tensor may be
 * extended in place, so every view of the buffer covers rows that are never written again.
 */
const latest = new WeakMap<TypedArray, ConcreteTensor>();

/** concatenate's rules applied to these operands along the leading axis (the growing forms are concatenations). */
const along0 = { axis: 0 };

/** concatenate's transformation rules along axis 0, for the growing forms (whose params are not concatenate's). */
const rulesAlong0 = {
  jvp: (xs: Tensor[], ts: (Tensor | null)[]) => concatenateP.jvp!(xs, ts, along0),
  vjp: (cts: (Tensor | null)[], xs: Tensor[], outs: Tensor[], _params: unknown, needsGrad: boolean[]) => concatenateP.vjp!(cts, xs, outs, along0, needsGrad),
  batch: (xs: Tensor[], dims: BatchDim[]) => concatenateP.batch!(xs, dims, along0),
};

/**
 * `concatenate(xs, axis 0)` computed into a buffer with room for `capacity` rows along the
 * leading axis: the first equation of a chain that `compile` grows in one buffer (the
 * `growsWith` fact of `concatenate`; later ones are {@link concatenateExtendP}). Its value is
 * the concatenation's, and so are its rules; only jit creates it.
 */
export const concatenateOpenP: Primitive<ConcatenateOpenParams> = definePrimitive<ConcatenateOpenParams>({
  name: "concatenate_open",
  outputBuffers: "fresh",
  abstractEval(xs, { capacity }) {
    const [out] = concatenatedAval("concatenate_open", xs, 0);
    if (!Number.isInteger(capacity) || capacity < out!.shape[0]!) {
      throw new ValueError(`concatenate_open: capacity ${capacity} is not an integer at least the result's ${out!.shape[0]} rows (shape ${fmt(out!.shape)})`);
    }
    return [out!];
  },
  impl(xs, { capacity }) {
    const first = xs[0]!;
    const shape = first.shape.slice();
    shape[0] = xs.reduce((s, x) => s + x.shape[0]!, 0);
    const full = shape.slice();
    full[0] = capacity;
    const data = allocateUninitialized(first.dtype, sizeOf(full));
    writeBlocks(xs, 0, data, contiguousStrides(full), 0, "concatenate_open");
    const buffer = ConcreteTensor.fromData(data, full, first.dtype, xs.every((x) => x.weakType));
    const out = ConcreteTensor.view(buffer, shape, contiguousStrides(shape), 0);
    latest.set(data, out);
    return [out];
  },
  ...rulesAlong0,
});

/**
 * `concatenate([prefix, ...xs], axis 0)`: when `prefix` is the latest result grown in its
 * buffer ({@link concatenateOpenP}) and the buffer has room, `xs` are written into the rows
 * after it and the result is a view of the buffer's first rows (no copy of `prefix`); otherwise
 * a new concatenation. Either way `prefix`'s value and every other view of the buffer are left
 * as they were (only rows past the latest result are written). Only jit creates it.
 */
export const concatenateExtendP: Primitive<Record<string, never>> = definePrimitive<Record<string, never>>({
  name: "concatenate_extend",
  // Its result is a view of the buffer the prefix views (when extended in place), never of
  // the blocks it copies in.
  outputBuffers: "view",
  viewsOperands: [0],
  abstractEval(xs) {
    if (xs.length === 0) throw new ValueError("concatenate_extend: needs the prefix operand");
    return concatenatedAval("concatenate_extend", xs, 0);
  },
  impl(xs) {
    const [prefix, ...rest] = xs as [ConcreteTensor, ...ConcreteTensor[]];
    const data = prefix.data;
    const shape = prefix.shape.slice();
    shape[0] = xs.reduce((s, x) => s + x.shape[0]!, 0);
    const weak = xs.every((x) => x.weakType);
    if (latest.get(data) === prefix && prefix.weakType === weak && data.length >= sizeOf(shape)) {
      const stride = contiguousStrides(shape);
      writeBlocks(rest, 0, data, stride, prefix.shape[0]!, "concatenate_extend");
      const out = ConcreteTensor.view(prefix, shape, stride, 0);
      latest.set(data, out);
      return [out];
    }
    return concatenateP.impl(xs, along0);
  },
  ...rulesAlong0,
});

/** The `growsWith` fact of `concatenate` along axis 0. */
const GROWTH = { open: concatenateOpenP, extend: concatenateExtendP };
