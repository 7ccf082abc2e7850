import { allocateTyped } from "../backend/slab_allocator.js";
import { AxisError, DTypeError, ShapeError } from "../errors.js";
import { typedArrayFor } from "../backend/buffers.js";
import { definePrimitive, type AbstractArray, type Primitive } from "../primitive.js";
import { ConcreteTensor, sizeOf, type Tensor } from "../tensor.js";
import type { DType, TypedArray } from "../dtype.js";
import { bind1 } from "../trace.js";
import { contiguousStrides } from "../backend/kernels/layout.js";
import { linesOf, sumLines } from "../backend/kernels/reduce_lines.js";
import { sumLinesWasm, wasmSumPays } from "../backend/kernels/wasm/reduce_wasm.js";
import { fillElements } from "../backend/shared_copy.js";

export interface BroadcastInDimParams {
  /** The output shape. */
  shape: readonly number[];
  /** For each operand axis, the output axis it maps to (increasing). */
  broadcastDimensions: readonly number[];
}

const fmt = (s: readonly number[]) => `[${s.join(", ")}]`;

/** Broadcast an operand into `shape` (lax.broadcast_in_dim). Concrete result is a stride-0 view. */
export const broadcastInDimP: Primitive<BroadcastInDimParams> = definePrimitive<BroadcastInDimParams>({
  name: "broadcast_in_dim",
  outputBuffers: "view",
  abstractEval([x], { shape, broadcastDimensions }) {
    if (broadcastDimensions.length !== x!.shape.length) {
      throw new ShapeError(`broadcast_in_dim: operand of shape ${fmt(x!.shape)} needs ${x!.shape.length} broadcast dimensions, got ${fmt(broadcastDimensions)}`);
    }
    broadcastDimensions.forEach((d, i) => {
      const n = x!.shape[i]!;
      if (d < 0 || d >= shape.length || (i > 0 && d <= broadcastDimensions[i - 1]!) || (n !== 1 && n !== shape[d])) {
        throw new ShapeError(`broadcast_in_dim: cannot broadcast shape ${fmt(x!.shape)} to ${fmt(shape)} with dimensions ${fmt(broadcastDimensions)}`);
      }
    });
    return [{ shape: shape.slice(), dtype: x!.dtype, weakType: x!.weakType }];
  },
  impl([x], { shape, broadcastDimensions }) {
    const stride = new Array<number>(shape.length).fill(0);
    broadcastDimensions.forEach((d, i) => {
      if (x!.shape[i] === shape[d]) stride[d] = x!.stride[i]!;
    });
    return [ConcreteTensor.view(x!, shape, stride, x!.offset)];
  },
  jvp([x], [t], params) {
    return [[bind1(broadcastInDimP, [x!], params)], [t ? bind1(broadcastInDimP, [t], params) : null]];
  },
  vjp([ct], [x], _outs, { shape, broadcastDimensions }) {
    if (!ct) return [null];
    const xs = x!.shape;
    // Sum over the new axes and over axes that were stretched from 1; keep them as 1s, then reshape.
    const sumAxes: number[] = [];
    for (let d = 0; d < shape.length; d++) {
      const i = broadcastDimensions.indexOf(d);
      if (i < 0 || (xs[i] === 1 && shape[d] !== 1)) sumAxes.push(d);
    }
    let g = sumAxes.length ? bind1(reduceSumP, [ct], { axes: sumAxes }) : ct;
    if (g.shape.length !== xs.length || g.shape.some((n, i) => n !== xs[i])) g = bind1(reshapeP, [g], { newShape: xs });
    return [g];
  },
  batch([x], [bd], { shape, broadcastDimensions }) {
    const xb = moveAxis(x!, bd!, 0);
    const out = bind1(broadcastInDimP, [xb], {
      shape: [xb.shape[0]!, ...shape],
      broadcastDimensions: [0, ...broadcastDimensions.map((d) => d + 1)],
    });
    return [[out], [0]];
  },
});

export interface ReshapeParams {
  newShape: readonly number[];
}

/** Reshape in row-major order (lax.reshape). Free on contiguous data. */
export const reshapeP: Primitive<ReshapeParams> = definePrimitive<ReshapeParams>({
  name: "reshape",
  outputBuffers: "view",
  abstractEval([x], { newShape }) {
    if (sizeOf(newShape) !== sizeOf(x!.shape) || newShape.some((n) => !Number.isInteger(n) || n < 0)) {
      throw new ShapeError(`reshape: cannot reshape array of shape ${fmt(x!.shape)} (size ${sizeOf(x!.shape)}) into shape ${fmt(newShape)}`);
    }
    return [{ shape: newShape.slice(), dtype: x!.dtype, weakType: x!.weakType }];
  },
  impl([x], { newShape }) {
    if (!x!.isContiguous) {
      // A strided view can often be reshaped without a copy (e.g. merging or splitting axes
      // of a transposed or broadcast view whose strides still line up), as NumPy does.
      const strides = reshapeStrides(x!.shape, x!.stride, newShape);
      if (strides) return [ConcreteTensor.view(x!, newShape, strides, x!.offset)];
    }
    const data = x!.contiguousData();
    return [ConcreteTensor.fromData(data, newShape, x!.dtype, x!.weakType)];
  },
  jvp([x], [t], params) {
    return [[bind1(reshapeP, [x!], params)], [t ? bind1(reshapeP, [t], params) : null]];
  },
  vjp([ct], [x]) {
    return [ct ? bind1(reshapeP, [ct], { newShape: x!.shape }) : null];
  },
  batch([x], [bd], { newShape }) {
    // The batch axis stays where it is when the per-example axes before it reshape into a
    // prefix of the new shape (row-major order keeps every example's elements in place: e.g. a
    // features-major [w, B] as [w, B, 1] for a matrix-vector product); otherwise it goes first.
    const d = bd!;
    const size = x!.shape[d]!;
    let before = 1;
    for (let i = 0; i < d; i++) before *= x!.shape[i]!;
    let k = 0;
    let prefix = 1;
    while (k < newShape.length && prefix < before) prefix *= newShape[k++]!;
    if (prefix === before && (before > 0 || d === 0)) {
      return [[bind1(reshapeP, [x!], { newShape: [...newShape.slice(0, k), size, ...newShape.slice(k)] })], [k]];
    }
    const xb = moveAxis(x!, d, 0);
    return [[bind1(reshapeP, [xb], { newShape: [xb.shape[0]!, ...newShape] })], [0]];
  },
});

/**
 * Strides that present a view of `shape`/`strides` as `newShape` in row-major order without
 * moving data, or null when the elements are not laid out for it (NumPy's no-copy reshape):
 * each group of old axes that merges into new axes must be contiguous among itself.
 */
export function reshapeStrides(shape: readonly number[], strides: readonly number[], newShape: readonly number[]): number[] | null {
  if (sizeOf(shape) === 0) return null;
  // Size-1 axes carry no layout information: drop them from the old view.
  const dims: number[] = [];
  const st: number[] = [];
  shape.forEach((n, i) => {
    if (n !== 1) {
      dims.push(n);
      st.push(strides[i]!);
    }
  });
  const out = new Array<number>(newShape.length).fill(0);
  let oi = 0;
  let oj = 1;
  let ni = 0;
  let nj = 1;
  while (ni < newShape.length && oi < dims.length) {
    let np = newShape[ni]!;
    let op = dims[oi]!;
    while (np !== op) {
      if (np < op) np *= newShape[nj++]!;
      else op *= dims[oj++]!;
    }
    for (let ok = oi; ok < oj - 1; ok++) if (st[ok] !== dims[ok + 1]! * st[ok + 1]!) return null;
    out[nj - 1] = st[oj - 1]!;
    for (let nk = nj - 1; nk > ni; nk--) out[nk - 1] = out[nk]! * newShape[nk]!;
    ni = nj++;
    oi = oj++;
  }
  return out;
}

export interface TransposeParams {
  permutation: readonly number[];
}

function checkPermutation(perm: readonly number[], ndim: number, where: string): void {
  const seen = new Set(perm);
  if (perm.length !== ndim || seen.size !== ndim || perm.some((p) => !Number.isInteger(p) || p < 0 || p >= ndim)) {
    throw new AxisError(`${where}: ${fmt(perm)} is not a permutation of the ${ndim} axes`);
  }
}

/** Move axis `from` of `x` to position `to` (a transpose; free on concrete tensors). */
export function moveAxis(x: Tensor, from: number, to: number): Tensor {
  if (from === to) return x;
  const perm: number[] = [];
  for (let i = 0; i < x.ndim; i++) if (i !== from) perm.push(i);
  perm.splice(to, 0, from);
  return bind1(transposeP, [x], { permutation: perm });
}

/** Permute axes (lax.transpose). Concrete result is a view. */
export const transposeP: Primitive<TransposeParams> = definePrimitive<TransposeParams>({
  name: "transpose",
  outputBuffers: "view",
  abstractEval([x], { permutation }) {
    checkPermutation(permutation, x!.shape.length, "transpose");
    return [{ shape: permutation.map((p) => x!.shape[p]!), dtype: x!.dtype, weakType: x!.weakType }];
  },
  impl([x], { permutation }) {
    return [ConcreteTensor.view(x!, permutation.map((p) => x!.shape[p]!), permutation.map((p) => x!.stride[p]!), x!.offset)];
  },
  jvp([x], [t], params) {
    return [[bind1(transposeP, [x!], params)], [t ? bind1(transposeP, [t], params) : null]];
  },
  vjp([ct], _p, _o, { permutation }) {
    const inverse = new Array<number>(permutation.length);
    permutation.forEach((p, i) => (inverse[p] = i));
    return [ct ? bind1(transposeP, [ct], { permutation: inverse }) : null];
  },
  batch([x], [bd], { permutation }) {
    const xb = moveAxis(x!, bd!, 0);
    return [[bind1(transposeP, [xb], { permutation: [0, ...permutation.map((p) => p + 1)] })], [0]];
  },
});

export interface ReduceParams {
  /** Axes to reduce, distinct and non-negative. */
  axes: readonly number[];
}

export function checkReduceAxes(name: string, x: AbstractArray, axes: readonly number[]): number[] {
  const nd = x.shape.length;
  if (new Set(axes).size !== axes.length || axes.some((a) => !Number.isInteger(a) || a < 0 || a >= nd)) {
    throw new AxisError(`${name}: axes ${fmt(axes)} are invalid for an array of shape ${fmt(x.shape)}`);
  }
  return x.shape.filter((_, i) => !axes.includes(i));
}

/**
 * Reduce a concrete tensor over `axes` with a binary `combine`, starting from `init`.
 * Shared by reduce_sum, reduce_max, reduce_min and reduce_prod.
 */
export function reduceKernel(
  x: ConcreteTensor,
  axes: readonly number[],
  init: number,
  combine: (acc: number, v: number) => number,
): ConcreteTensor {
  const keep = x.shape.map((_, i) => !axes.includes(i));
  const outShape = x.shape.filter((_, i) => keep[i]);
  const out = allocateTyped(x.data.constructor as never, sizeOf(outShape), false) as Float64Array;
  fillElements(out, init);
  // Output strides laid over the input's index space: 0 along reduced axes.
  const outStrides = contiguousStrides(outShape);
  const mapped: number[] = [];
  let k = 0;
  for (let i = 0; i < x.shape.length; i++) mapped.push(keep[i] ? outStrides[k++]! : 0);
  const data = x.contiguousData();
  const shape = x.shape;
  const nd = shape.length;
  const idx = new Array<number>(nd).fill(0);
  let o = 0;
  for (let i = 0; i < data.length; i++) {
    out[o] = combine(out[o]!, data[i]!);
    for (let ax = nd - 1; ax >= 0; ax--) {
      idx[ax]!++;
      o += mapped[ax]!;
      if (idx[ax]! < shape[ax]!) break;
      o -= mapped[ax]! * shape[ax]!;
      idx[ax] = 0;
    }
  }
  return ConcreteTensor.fromData(out as unknown as Float64Array, outShape, x.dtype, x.weakType);
}

/**
 * Fast path of reduce_sum when the kept axes and the reduced axes each merge into one strided
 * axis (`reduce_lines.ts`: a leading or trailing block of a row-major array, or a view such as a
 * transpose, read where it is). Sums accumulate in float64 in row-major order of the reduced
 * axes (the generic loop's order) and are stored once in the output dtype. Returns null otherwise.
 */
function sumOverLines(x: ConcreteTensor, axes: readonly number[]): ConcreteTensor | null {
  if (axes.length === 0 || x.dtype === "bool") return null;
  const view = linesOf(x.shape, x.stride, x.offset, axes);
  const lines = view ?? (x.isContiguous ? null : linesOf(x.shape, contiguousStrides(x.shape), 0, axes));
  if (lines === null) return null;
  const data = view !== null ? x.storage("reduce_sum") : x.contiguousData();
  const outShape = x.shape.filter((_, i) => !axes.includes(i));
  const OutCtor = x.data.constructor === Float64Array || x.dtype === "float64" ? Float64Array : typedArrayFor(x.dtype);
  const out = allocateTyped(OutCtor as never, lines.count, false) as TypedArray;
  const wasm = data instanceof Float32Array && out instanceof Float32Array && wasmSumPays(data, lines) && sumLinesWasm(data, lines, out);
  if (!wasm) sumLines(data, lines, out);
  return ConcreteTensor.fromData(out, outShape, x.dtype, x.weakType);
}

/** Sum over axes (lax.reduce_sum). */
export const reduceSumP: Primitive<ReduceParams> = definePrimitive<ReduceParams>({
  name: "reduce_sum",
  outputBuffers: "fresh",
  abstractEval([x], { axes }) {
    if (x!.dtype === "bool") throw new DTypeError(`reduce_sum: bool operand of shape ${fmt(x!.shape)}; convert it to a number type first`);
    return [{ shape: checkReduceAxes("reduce_sum", x!, axes), dtype: x!.dtype, weakType: x!.weakType }];
  },
  impl([x], { axes }) {
    const fast = sumOverLines(x!, axes);
    if (fast) return [fast];
    if (x!.dtype === "float32") {
      // Accumulate float32 sums in float64, then round once: closer to NumPy's pairwise sums.
      const wide = reduceKernel(ConcreteTensor.fromData(Float64Array.from(x!.contiguousData()), x!.shape, "float64"), axes, 0, (a, v) => a + v);
      return [ConcreteTensor.fromData(Float32Array.from(wide.data), wide.shape, "float32", x!.weakType)];
    }
    return [reduceKernel(x!, axes, 0, (a, v) => a + v)];
  },
  jvp([x], [t], params) {
    return [[bind1(reduceSumP, [x!], params)], [t ? bind1(reduceSumP, [t], params) : null]];
  },
  vjp([ct], [x], _o, { axes }) {
    if (!ct) return [null];
    const kept: number[] = [];
    for (let i = 0; i < x!.shape.length; i++) if (!axes.includes(i)) kept.push(i);
    return [bind1(broadcastInDimP, [ct], { shape: x!.shape, broadcastDimensions: kept })];
  },
  batch([x], [bd], { axes }) {
    const xb = moveAxis(x!, bd!, 0);
    return [[bind1(reduceSumP, [xb], { axes: axes.map((a) => a + 1) })], [0]];
  },
});

/**
 * A tensor of `shape` filled with `value`: a broadcast of one scalar (no buffer of that size on
 * concrete values). Rules use it to materialise symbolic zeros. Example: `filled([2, 3], "float32", 0)`.
 */
export function filled(shape: readonly number[], dtype: DType, value: number): Tensor {
  return bind1(broadcastInDimP, [ConcreteTensor.scalar(value, dtype)], { shape: shape.slice(), broadcastDimensions: [] });
}

/** The inverse of a permutation: `inversePermutation([2, 0, 1])` is `[1, 2, 0]`. */
export function inversePermutation(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/**
 * A possibly negative axis as a non-negative one, or an `AxisError` naming `op` and the shape.
 * Example: `normalizeAxis(-1, 3, "sum")` is `2`.
 */
export function normalizeAxis(axis: number, ndim: number, op: string, shape?: readonly number[]): number {
  if (!Number.isInteger(axis) || axis < -ndim || axis >= ndim) {
    const what = shape ? `an array of shape ${fmt(shape)}` : `an array of ${ndim} dimensions`;
    throw new AxisError(`${op}: axis ${axis} is out of bounds for ${what}`);
  }
  return axis < 0 ? axis + ndim : axis;
}

/**
 * Normalise an axis argument: `null`/`undefined` means every axis; repeated axes are an
 * `AxisError`. Example: `normalizeAxes([0, -1], 3, "sum")` is `[0, 2]`.
 */
export function normalizeAxes(axis: number | readonly number[] | null | undefined, ndim: number, op: string, shape?: readonly number[]): number[] {
  if (axis === null || axis === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axis === "number" ? [axis] : axis;
  const out = list.map((a) => normalizeAxis(a, ndim, op, shape));
  if (new Set(out).size !== out.length) throw new AxisError(`${op}: repeated axis in ${fmt(list)}`);
  return out;
}
