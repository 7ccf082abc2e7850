import { allocateTyped } from "../backend/slab_allocator.js";
import { isFloat, type DType } from "../dtype.js";
import { allocate } from "../backend/buffers.js";
import { AxisError, DTypeError } from "../errors.js";
import { definePrimitive, type Primitive } from "../primitive.js";
import { ConcreteTensor, sizeOf, type Tensor } from "../tensor.js";
import { bind1 } from "../trace.js";
import { add, div, mul } from "../lax/arithmetic.js";
import { eq } from "../lax/compare.js";
import { moveAxis } from "./batching.js";
import { convertTo } from "./convert.js";
import {
  broadcastInDimP,
  checkReduceAxes,
  filled,
  inversePermutation,
  reduceKernel,
  reduceSumP,
  reshapeP,
  transposeP,
  type ReduceParams,
} from "./shape.js";
import { padP, sliceP } from "./slicing.js";
import { extremumLines, linesOf } from "../backend/kernels/reduce_lines.js";

export { reduceSumP, type ReduceParams } from "./shape.js";

const fmt = (s: readonly number[]) => `[${s.join(", ")}]`;

/** The axes of `x` kept by a reduction over `axes`, in order. */
function keptAxes(ndim: number, axes: readonly number[]): number[] {
  const kept: number[] = [];
  for (let i = 0; i < ndim; i++) if (!axes.includes(i)) kept.push(i);
  return kept;
}

/** Broadcast a reduction's result back over the reduced axes of `like`. */
function unreduce(r: Tensor, like: readonly number[], axes: readonly number[]): Tensor {
  return bind1(broadcastInDimP, [r], { shape: like.slice(), broadcastDimensions: keptAxes(like.length, axes) });
}

/** The smallest / largest value a dtype holds: the identities of max / min. */
function lowest(dtype: DType): number {
  return isFloat(dtype) ? -Infinity : dtype === "int32" ? -2147483648 : 0;
}
function highest(dtype: DType): number {
  return isFloat(dtype) ? Infinity : dtype === "int32" ? 2147483647 : dtype === "uint32" ? 4294967295 : 1;
}

/**
 * The chooser rules shared by max and min (JAX's): the derivative flows to the positions that
 * attain the extremum, split equally among ties.
 */
function chooserPrimitive(name: "reduce_max" | "reduce_min", kind: "max" | "min", pick: (a: number, v: number) => number, identity: (d: DType) => number): Primitive<ReduceParams> {
  const self: Primitive<ReduceParams> = definePrimitive<ReduceParams>({
    name,
    outputBuffers: "fresh",
    abstractEval([x], { axes }) {
      return [{ shape: checkReduceAxes(name, x!, axes), dtype: x!.dtype, weakType: x!.weakType }];
    },
    impl([x], { axes }) {
      const lines = linesOf(x!.shape, x!.stride, x!.offset, axes);
      if (lines === null || axes.length === 0) return [reduceKernel(x!, axes, identity(x!.dtype), pick)];
      const out = allocateTyped(x!.data.constructor as never, lines.count, false) as Float64Array;
      extremumLines(kind, x!.storage(name), lines, identity(x!.dtype), out);
      return [ConcreteTensor.fromData(out, checkReduceAxes(name, x!, axes), x!.dtype, x!.weakType)];
    },
    jvp([x], [t], params) {
      const out = bind1(self, [x!], params);
      if (!t) return [[out], [null]];
      const [where, count] = locations(x!, out, params.axes);
      const tOut = div(bind1(reduceSumP, [mul(t, where)], params), count);
      return [[out], [tOut]];
    },
    vjp([ct], [x], [out], { axes }) {
      if (!ct || !isFloat(x!.dtype)) return [null];
      const [where, count] = locations(x!, out!, axes);
      return [mul(unreduce(div(ct, count), x!.shape, axes), where)];
    },
    batch([x], [bd], { axes }) {
      return [[bind1(self, [moveAxis(x!, bd!, 0)], { axes: axes.map((a) => a + 1) })], [0]];
    },
  });
  return self;
}

/** 1 where `x` equals its reduction `out`, and how many such positions each result has. */
function locations(x: Tensor, out: Tensor, axes: readonly number[]): [Tensor, Tensor] {
  const where = convertTo(eq(x, unreduce(out, x.shape, axes)), x.dtype);
  return [where, bind1(reduceSumP, [where], { axes })];
}

/** Maximum over axes (lax.reduce_max); empty reductions give the dtype's lowest value. */
export const reduceMaxP = chooserPrimitive("reduce_max", "max", (a, v) => (v > a || Number.isNaN(v) ? v : a), lowest);

/** Minimum over axes (lax.reduce_min); empty reductions give the dtype's highest value. */
export const reduceMinP = chooserPrimitive("reduce_min", "min", (a, v) => (v < a || Number.isNaN(v) ? v : a), highest);

/**
 * Move the reduced axes of `x` to the front and flatten them: `[n, rest]`, with `rest` the kept
 * axes flattened in order. Returns the flat tensor and the permutation used.
 */
function reducedRows(x: Tensor, axes: readonly number[]): [Tensor, number[]] {
  const perm = [...axes, ...keptAxes(x.ndim, axes)];
  const n = sizeOf(axes.map((a) => x.shape[a]!));
  const rest = sizeOf(keptAxes(x.ndim, axes).map((a) => x.shape[a]!));
  return [bind1(reshapeP, [bind1(transposeP, [x], { permutation: perm })], { newShape: [n, rest] }), perm];
}

/** Rows `parity, parity + 2, ...` of a `[2h, r]` tensor. */
function everyOther(x: Tensor, parity: 0 | 1): Tensor {
  return bind1(sliceP, [x], { start: [parity, 0], limit: [x.shape[0]!, x.shape[1]!], strides: [2, 1] });
}

/** Append a row of `value` to a `[n, r]` tensor when `n` is odd (so it splits into pairs). */
function padToEven(x: Tensor, value: number): Tensor {
  if (x.shape[0]! % 2 === 0) return x;
  return bind1(padP, [x, filled([], x.dtype, value)], { lo: [0, 0], hi: [1, 0], interior: [0, 0] });
}

/** Product over axes (lax.reduce_prod). */
export const reduceProdP: Primitive<ReduceParams> = definePrimitive<ReduceParams>({
  name: "reduce_prod",
  outputBuffers: "fresh",
  abstractEval([x], { axes }) {
    if (x!.dtype === "bool") throw new DTypeError(`reduce_prod: bool operand of shape ${fmt(x!.shape)}; convert it to a number type first`);
    return [{ shape: checkReduceAxes("reduce_prod", x!, axes), dtype: x!.dtype, weakType: x!.weakType }];
  },
  impl([x], { axes }) {
    if (x!.dtype === "int32" || x!.dtype === "uint32") {
      // Integer products wrap around; multiply with Math.imul so intermediate values stay exact.
      const wrap = x!.dtype === "int32" ? (v: number) => v | 0 : (v: number) => v >>> 0;
      return [reduceKernel(x!, axes, 1, (a, v) => wrap(Math.imul(a, v)))];
    }
    return [reduceKernel(x!, axes, 1, (a, v) => a * v)];
  },
  // Products are computed as a balanced tree of pairwise multiplications (JAX does the same):
  // differentiating the tree with the product rule is exact when elements are zero, unlike
  // dividing the product by each element, and costs O(n).
  jvp([x], [t], { axes }) {
    const out = bind1(reduceProdP, [x!], { axes });
    if (!t) return [[out], [null]];
    let [p] = reducedRows(x!, axes);
    let [tp] = reducedRows(t, axes);
    while (p.shape[0]! > 1) {
      p = padToEven(p, 1);
      tp = padToEven(tp, 0);
      const [a, b] = [everyOther(p, 0), everyOther(p, 1)];
      const [ta, tb] = [everyOther(tp, 0), everyOther(tp, 1)];
      tp = add(mul(ta, b), mul(a, tb));
      p = mul(a, b);
    }
    if (p.shape[0] === 0) return [[out], [filled(out.shape, out.dtype, 0)]];
    return [[out], [bind1(reshapeP, [tp], { newShape: out.shape })]];
  },
  vjp([ct], [x], _outs, { axes }) {
    if (!ct || !isFloat(x!.dtype)) return [null];
    const [rows, perm] = reducedRows(x!, axes);
    const levels: Tensor[] = [];
    let p = rows;
    while (p.shape[0]! > 1) {
      levels.push(p);
      const even = padToEven(p, 1);
      p = mul(everyOther(even, 0), everyOther(even, 1));
    }
    let g = bind1(reshapeP, [ct], { newShape: [1, rows.shape[1]!] });
    for (let l = levels.length - 1; l >= 0; l--) {
      const level = levels[l]!;
      const even = padToEven(level, 1);
      const zero = filled([], x!.dtype, 0);
      const ga = bind1(padP, [mul(g, everyOther(even, 1)), zero], { lo: [0, 0], hi: [1, 0], interior: [1, 0] });
      const gb = bind1(padP, [mul(g, everyOther(even, 0)), zero], { lo: [1, 0], hi: [0, 0], interior: [1, 0] });
      g = add(ga, gb);
      if (even !== level) g = bind1(sliceP, [g], { start: [0, 0], limit: level.shape.slice(), strides: null });
    }
    if (rows.shape[0] === 0) g = filled(rows.shape, x!.dtype, 0);
    const permutedShape = perm.map((a) => x!.shape[a]!);
    const back = bind1(reshapeP, [g], { newShape: permutedShape });
    return [bind1(transposeP, [back], { permutation: inversePermutation(perm) })];
  },
  batch([x], [bd], { axes }) {
    return [[bind1(reduceProdP, [moveAxis(x!, bd!, 0)], { axes: axes.map((a) => a + 1) })], [0]];
  },
});

export interface ArgReduceParams {
  /** The axis searched (non-negative). */
  axis: number;
}

/** Index of the first extremum along an axis; NaN counts as the extremum (as NumPy). */
function argPrimitive(name: "argmax" | "argmin", better: (v: number, best: number) => boolean): Primitive<ArgReduceParams> {
  const self: Primitive<ArgReduceParams> = definePrimitive<ArgReduceParams>({
    name,
    outputBuffers: "fresh",
    nonDifferentiable: true,
    abstractEval([x], { axis }) {
      const nd = x!.shape.length;
      if (!Number.isInteger(axis) || axis < 0 || axis >= nd) throw new AxisError(`${name}: axis ${axis} is out of bounds for an array of shape ${fmt(x!.shape)}`);
      if (x!.shape[axis] === 0) throw new AxisError(`${name}: cannot search an empty axis ${axis} of shape ${fmt(x!.shape)}`);
      return [{ shape: x!.shape.filter((_, i) => i !== axis), dtype: "int32", weakType: false }];
    },
    impl([x], { axis }) {
      const shape = x!.shape;
      const n = shape[axis]!;
      const outer = sizeOf(shape.slice(0, axis));
      const inner = sizeOf(shape.slice(axis + 1));
      const data = x!.contiguousData();
      const out = allocate("int32", outer * inner);
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const base = o * n * inner + i;
          let best = data[base]!;
          let at = 0;
          for (let j = 1; j < n && !Number.isNaN(best); j++) {
            const v = data[base + j * inner]!;
            if (Number.isNaN(v) || better(v, best)) {
              best = v;
              at = j;
            }
          }
          out[o * inner + i] = at;
        }
      }
      return [ConcreteTensor.fromData(out, shape.filter((_, i) => i !== axis), "int32")];
    },
    jvp([x], _t, params) {
      return [[bind1(self, [x!], params)], [null]];
    },
    vjp() {
      return [null];
    },
    batch([x], [bd], { axis }) {
      return [[bind1(self, [moveAxis(x!, bd!, 0)], { axis: axis + 1 })], [0]];
    },
  });
  return self;
}

/** Index of the largest element along `axis` (int32; first one among ties). */
export const argmaxP = argPrimitive("argmax", (v, best) => v > best);

/** Index of the smallest element along `axis` (int32; first one among ties). */
export const argminP = argPrimitive("argmin", (v, best) => v < best);
