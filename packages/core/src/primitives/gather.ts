import { allocateTyped } from "../backend/slab_allocator.js";
import { DTypeError, AxisError, IndexError, ShapeError } from "../errors.js";
import { definePrimitive, type AbstractArray, type BatchDim, type Primitive } from "../primitive.js";
import { ConcreteTensor, sizeOf, type Tensor } from "../tensor.js";
import { bind1 } from "../trace.js";
import { add, max, min, mul } from "../lax/arithmetic.js";
import { eq } from "../lax/compare.js";
import { batchFirst, batchSizeOf, moveAxis } from "./batching.js";
import { convertTo } from "./convert.js";
import { broadcastInDimP, filled, reshapeP } from "./shape.js";
import { fullLike } from "./elementwise.js";
import { copyElements } from "../backend/shared_copy.js";

const fmt = (s: readonly number[]) => `[${s.join(", ")}]`;

export interface AxisParams {
  /** The indexed axis of the operand (non-negative). */
  axis: number;
}

/** The shape of `take(x, idx, axis)`: `x.shape[:axis] + idx.shape + x.shape[axis+1:]`. Example: `takeShape([4, 5], [2, 3], 1)` is `[4, 2, 3]`. */
export function takeShape(xShape: readonly number[], idxShape: readonly number[], axis: number): number[] {
  return [...xShape.slice(0, axis), ...idxShape, ...xShape.slice(axis + 1)];
}

function checkIndexed(name: string, x: AbstractArray, idx: AbstractArray, axis: number): void {
  if (!Number.isInteger(axis) || axis < 0 || axis >= x.shape.length) {
    throw new AxisError(`${name}: axis ${axis} is out of bounds for an operand of shape ${fmt(x.shape)}`);
  }
  if (idx.dtype !== "int32") throw new DTypeError(`${name}: indices must be int32, got ${idx.dtype} (shape ${fmt(idx.shape)})`);
  if (x.shape[axis] === 0 && sizeOf(idx.shape) > 0) {
    throw new IndexError(`${name}: cannot index the empty axis ${axis} of shape ${fmt(x.shape)}`);
  }
}

/** The index space of a take: sizes before the axis, along it, of the indices, and after it. */
function takeLayout(shape: readonly number[], axis: number, idxSize: number) {
  return { outer: sizeOf(shape.slice(0, axis)), n: shape[axis]!, m: idxSize, inner: sizeOf(shape.slice(axis + 1)) };
}

/** Clamp an index into `[0, n)` (the primitives' out-of-range convention, as jnp's "clip" mode). */
const clampIndex = (i: number, n: number): number => (i < 0 ? 0 : i >= n ? n - 1 : i);

/**
 * Take slices along one axis (a restricted lax.gather): `out[..., j..., ...] = x[..., idx[j...], ...]`
 * with shape `x.shape[:axis] + idx.shape + x.shape[axis+1:]`. Indices are int32 and clamped
 * into range; `np.take` normalises negative indices and rejects out-of-range concrete ones.
 */
export const gatherP: Primitive<AxisParams> = definePrimitive<AxisParams>({
  name: "gather",
  outputBuffers: "fresh",
  abstractEval([x, idx], { axis }) {
    checkIndexed("gather", x!, idx!, axis);
    return [{ shape: takeShape(x!.shape, idx!.shape, axis), dtype: x!.dtype, weakType: x!.weakType }];
  },
  impl([x, idx], { axis }) {
    const { outer, n, m, inner } = takeLayout(x!.shape, axis, idx!.size);
    const src = x!.contiguousData();
    const ids = idx!.contiguousData();
    // Never the shared kernel memory: the rows are copied in from JavaScript, which V8 does
    // several times slower into shared memory.
    const out = allocateTyped(src.constructor as never, outer * m * inner, false, false) as Float64Array;
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < m; j++) {
        const from = (o * n + clampIndex(ids[j]!, n)) * inner;
        const to = (o * m + j) * inner;
        if (inner === 1) out[to] = src[from]!;
        else copyElements(out, src.subarray(from, from + inner), to);
      }
    }
    return [ConcreteTensor.fromData(out, takeShape(x!.shape, idx!.shape, axis), x!.dtype, x!.weakType)];
  },
  jvp([x, idx], [t], params) {
    return [[bind1(gatherP, [x!, idx!], params)], [t ? bind1(gatherP, [t, idx!], params) : null]];
  },
  vjp([ct], [x, idx], _outs, params) {
    if (!ct) return [null, null];
    return [bind1(scatterAddP, [filled(x!.shape, ct.dtype, 0), idx!, ct], params), null];
  },
  batch([x, idx], [bx, bi], { axis }) {
    if (bi === null || bi === undefined) {
      return [[bind1(gatherP, [moveAxis(x!, bx!, 0), idx!], { axis: axis + 1 })], [0]];
    }
    if (bx === null || bx === undefined) {
      return [[bind1(gatherP, [x!, idx!], { axis })], [axis + bi]];
    }
    const xb = moveAxis(x!, bx, 0);
    const merged = mergeBatchIntoAxis(xb, axis);
    const offsetIdx = offsetIndices(moveAxis(idx!, bi, 0), xb.shape[axis + 1]!, xb.shape[0]!);
    return [[bind1(gatherP, [merged, offsetIdx], { axis })], [axis]];
  },
});

/**
 * `[B, ...s]` -> `s[:axis] + [B * s[axis]] + s[axis+1:]`: the batch folded into the indexed axis,
 * so example `b`'s row `i` is row `b * s[axis] + i`.
 */
function mergeBatchIntoAxis(xb: Tensor, axis: number): Tensor {
  const s = xb.shape.slice(1);
  const moved = moveAxis(xb, 0, axis);
  const newShape = [...s.slice(0, axis), xb.shape[0]! * s[axis]!, ...s.slice(axis + 1)];
  return bind1(reshapeP, [moved], { newShape });
}

/** The inverse of `mergeBatchIntoAxis`: `s[:axis] + [B * n] + rest` -> `s[:axis] + [B, n] + rest`. */
function splitBatchFromAxis(x: Tensor, axis: number, size: number): Tensor {
  const s = x.shape;
  return bind1(reshapeP, [x], { newShape: [...s.slice(0, axis), size, s[axis]! / size, ...s.slice(axis + 1)] });
}

/** Per-example indices `[B, ...]` clamped into `[0, n)` and shifted by `b * n` for example `b`. */
function offsetIndices(idx: Tensor, n: number, size: number): Tensor {
  const clamped = min(max(idx, fullLike(idx, 0)), fullLike(idx, n - 1));
  const offsets = new Int32Array(size);
  for (let b = 0; b < size; b++) offsets[b] = b * n;
  const base = bind1(broadcastInDimP, [ConcreteTensor.fromData(offsets, [size], "int32")], { shape: clamped.shape.slice(), broadcastDimensions: [0] });
  return add(clamped, base);
}

function checkScatter(name: string, [x, idx, upd]: AbstractArray[], axis: number): AbstractArray[] {
  checkIndexed(name, x!, idx!, axis);
  const expected = takeShape(x!.shape, idx!.shape, axis);
  if (upd!.dtype !== x!.dtype) throw new DTypeError(`${name}: updates dtype ${upd!.dtype} differs from operand dtype ${x!.dtype}`);
  if (upd!.shape.length !== expected.length || upd!.shape.some((d, i) => d !== expected[i])) {
    throw new ShapeError(`${name}: updates of shape ${fmt(upd!.shape)} do not match ${fmt(expected)} (operand ${fmt(x!.shape)}, indices ${fmt(idx!.shape)}, axis ${axis})`);
  }
  return [{ shape: x!.shape.slice(), dtype: x!.dtype, weakType: x!.weakType }];
}

/** Shared kernel of scatter and scatter_add: visits updates in row-major order (last write wins). */
function scatterKernel([x, idx, upd]: ConcreteTensor[], axis: number, accumulate: boolean): ConcreteTensor {
  const { outer, n, m, inner } = takeLayout(x!.shape, axis, idx!.size);
  const out = x!.copyData();
  const ids = idx!.contiguousData();
  const u = upd!.contiguousData();
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const to = (o * n + clampIndex(ids[j]!, n)) * inner;
      const from = (o * m + j) * inner;
      if (accumulate) for (let i = 0; i < inner; i++) out[to + i]! += u[from + i]!;
      else for (let i = 0; i < inner; i++) out[to + i] = u[from + i]!;
    }
  }
  return ConcreteTensor.fromData(out, x!.shape, x!.dtype, x!.weakType);
}

/**
 * vmap of scatter/scatter_add. Unbatched indices: the batch axis leads and the indexed axis
 * shifts by one. Batched indices: the batch is folded into the indexed axis (indices offset per
 * example), one scatter runs, and the result is unfolded.
 */
function batchScatter(prim: Primitive<AxisParams>, args: Tensor[], dims: BatchDim[], axis: number): [Tensor[], BatchDim[]] {
  const [x, idx, upd] = args as [Tensor, Tensor, Tensor];
  const [bx, bi, bu] = dims.map((d) => d ?? null) as [BatchDim, BatchDim, BatchDim];
  const size = batchSizeOf(args, dims);
  const xb = batchFirst(x, bx, size);
  const ub = batchFirst(upd, bu, size);
  if (bi === null) return [[bind1(prim, [xb, idx, ub], { axis: axis + 1 })], [0]];
  const n = xb.shape[axis + 1]!;
  const merged = mergeBatchIntoAxis(xb, axis);
  const offsetIdx = offsetIndices(moveAxis(idx, bi, 0), n, size);
  const updMoved = moveAxis(ub, 0, axis);
  const out = bind1(prim, [merged, offsetIdx, updMoved], { axis });
  return [[splitBatchFromAxis(out, axis, size)], [axis]];
}

/**
 * Add updates into slices along one axis (a restricted lax.scatter_add; operands
 * `[operand, indices, updates]`, updates shaped like `gather(operand, indices)`). Repeated
 * indices accumulate; indices are clamped like gather's. The transpose of gather.
 */
export const scatterAddP: Primitive<AxisParams> = definePrimitive<AxisParams>({
  name: "scatter_add",
  outputBuffers: "fresh",
  abstractEval(args, { axis }) {
    return checkScatter("scatter_add", args, axis);
  },
  impl(args, { axis }) {
    return [scatterKernel(args, axis, true)];
  },
  jvp([x, idx, upd], [tx, , tu], params) {
    const out = bind1(scatterAddP, [x!, idx!, upd!], params);
    if (!tx && !tu) return [[out], [null]];
    const t = bind1(scatterAddP, [tx ?? filled(x!.shape, x!.dtype, 0), idx!, tu ?? filled(upd!.shape, upd!.dtype, 0)], params);
    return [[out], [t]];
  },
  vjp([ct], [, idx], _outs, params, needsGrad) {
    if (!ct) return [null, null, null];
    return [ct, null, needsGrad[2] ? bind1(gatherP, [ct, idx!], params) : null];
  },
  batch(args, dims, { axis }) {
    return batchScatter(scatterAddP, args, dims, axis);
  },
});

/**
 * Overwrite slices along one axis (a restricted lax.scatter): like `scatter_add` but setting.
 * With repeated indices the last update (row-major order) wins, and only it receives a gradient.
 */
export const scatterP: Primitive<AxisParams> = definePrimitive<AxisParams>({
  name: "scatter",
  outputBuffers: "fresh",
  abstractEval(args, { axis }) {
    return checkScatter("scatter", args, axis);
  },
  impl(args, { axis }) {
    return [scatterKernel(args, axis, false)];
  },
  jvp([x, idx, upd], [tx, , tu], params) {
    const out = bind1(scatterP, [x!, idx!, upd!], params);
    if (!tx && !tu) return [[out], [null]];
    const t = bind1(scatterP, [tx ?? filled(x!.shape, x!.dtype, 0), idx!, tu ?? filled(upd!.shape, upd!.dtype, 0)], params);
    return [[out], [t]];
  },
  vjp([ct], [x, idx, upd], _outs, params, needsGrad) {
    if (!ct) return [null, null, null];
    const ctx = needsGrad[0] ? bind1(scatterP, [ct, idx!, filled(upd!.shape, ct.dtype, 0)], params) : null;
    let ctu: Tensor | null = null;
    if (needsGrad[2]) {
      const won = convertTo(winningUpdates(x!.shape, idx!, upd!.shape, params.axis), ct.dtype);
      ctu = mul(bind1(gatherP, [ct, idx!], params), won);
    }
    return [ctx, null, ctu];
  },
  batch(args, dims, { axis }) {
    return batchScatter(scatterP, args, dims, axis);
  },
});

/**
 * A bool tensor shaped like the updates: true where the update is the one that remains after a
 * scatter (the last among repeated indices). Found by scattering each update's own position
 * and reading back which position landed.
 */
function winningUpdates(shape: readonly number[], idx: Tensor, updShape: readonly number[], axis: number): Tensor {
  const m = idx.size;
  const positions = new Int32Array(m);
  for (let j = 0; j < m; j++) positions[j] = j;
  const ids = bind1(broadcastInDimP, [ConcreteTensor.fromData(positions, idx.shape, "int32")], {
    shape: updShape.slice(),
    broadcastDimensions: idx.shape.map((_, i) => axis + i),
  });
  const landed = bind1(scatterP, [filled(shape, "int32", -1), idx, ids], { axis });
  return eq(bind1(gatherP, [landed, idx], { axis }), ids);
}
