import { AxisError, ShapeError, ValueError } from "../errors.js";
import { definePrimitive, type BatchDim, type Primitive } from "../primitive.js";
import { ConcreteTensor, sizeOf, type Tensor } from "../tensor.js";
import { bind, bind1 } from "../trace.js";
import { batchFirst, batchSizeOf } from "./batching.js";
import { broadcastInDimP } from "./shape.js";

const fmt = (s: readonly number[]) => `[${s.join(", ")}]`;

export interface SortParams {
  /** The axis sorted along (non-negative). */
  dimension: number;
  /** How many leading operands are sort keys; only 1 is supported. */
  numKeys: 1;
}

/** Ascending order with NaN after everything (NumPy's order); -0 and 0 tie. */
function compareKeys(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  const an = a !== a;
  const bn = b !== b;
  return an === bn ? 0 : an ? 1 : -1;
}

/**
 * Stable sort of several operands of one shape along `dimension`, all reordered by the first
 * (lax.sort with `num_keys=1`). Used by `np.sort`, `np.argsort` (with an iota operand) and
 * random permutations. The derivative of every operand is its tangent reordered the same way.
 */
export const sortP: Primitive<SortParams> = definePrimitive<SortParams>({
  name: "sort",
  outputBuffers: "fresh",
  abstractEval(xs, { dimension, numKeys }) {
    if (xs.length === 0) throw new ValueError("sort: needs at least one operand");
    if (numKeys !== 1) throw new ValueError(`sort: only numKeys = 1 is supported, got ${numKeys}`);
    const shape = xs[0]!.shape;
    if (!Number.isInteger(dimension) || dimension < 0 || dimension >= shape.length) {
      throw new AxisError(`sort: dimension ${dimension} is out of bounds for an operand of shape ${fmt(shape)}`);
    }
    for (const x of xs) {
      if (x.shape.length !== shape.length || x.shape.some((n, i) => n !== shape[i])) {
        throw new ShapeError(`sort: operand shapes differ (${xs.map((y) => fmt(y.shape)).join(", ")})`);
      }
    }
    return xs.map((x) => ({ shape: shape.slice(), dtype: x.dtype, weakType: x.weakType }));
  },
  impl(xs, { dimension }) {
    const shape = xs[0]!.shape;
    const n = shape[dimension]!;
    const outer = sizeOf(shape.slice(0, dimension));
    const inner = sizeOf(shape.slice(dimension + 1));
    const datas = xs.map((x) => x.contiguousData());
    const outs = datas.map((d) => new (d.constructor as Float64ArrayConstructor)(d.length));
    const keys = datas[0]!;
    const order: number[] = new Array<number>(n);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * n * inner + i;
        for (let j = 0; j < n; j++) order[j] = base + j * inner;
        order.sort((p, q) => compareKeys(keys[p]!, keys[q]!));
        for (let t = 0; t < xs.length; t++) {
          const src = datas[t]!;
          const dst = outs[t]!;
          for (let j = 0; j < n; j++) dst[base + j * inner] = src[order[j]!]!;
        }
      }
    }
    return xs.map((x, t) => ConcreteTensor.fromData(outs[t]!, shape, x.dtype, x.weakType));
  },
  jvp(xs, ts, params) {
    const withTangents = ts.map((t, i) => (t ? i : -1)).filter((i) => i >= 0);
    const outs = bind(sortP, [...xs, ...withTangents.map((i) => ts[i]!)], params);
    const tangents: (Tensor | null)[] = xs.map(() => null);
    withTangents.forEach((i, j) => (tangents[i] = outs[xs.length + j]!));
    return [outs.slice(0, xs.length), tangents];
  },
  vjp(cts, xs, _outs, params, needsGrad) {
    if (cts.every((c, i) => !c || !needsGrad[i])) return xs.map(() => null);
    // Where each sorted element came from, then send each cotangent back there by sorting on it.
    const [, perm] = bind(sortP, [xs[0]!, iotaAlong(xs[0]!.shape, params.dimension)], params);
    return cts.map((ct, i) => (ct && needsGrad[i] ? bind(sortP, [perm!, ct], params)[1]! : null));
  },
  batch(xs, dims, { dimension, numKeys }) {
    const size = batchSizeOf(xs, dims);
    const moved = xs.map((x, i) => batchFirst(x, dims[i] ?? null, size));
    const outs = bind(sortP, moved, { dimension: dimension + 1, numKeys });
    return [outs, outs.map((): BatchDim => 0)];
  },
});

/** An int32 tensor of `shape` holding each element's index along `dimension`. Example: `iotaAlong([2, 3], 1)` is `[[0, 1, 2], [0, 1, 2]]`. */
export function iotaAlong(shape: readonly number[], dimension: number): Tensor {
  const n = shape[dimension]!;
  const values = new Int32Array(n);
  for (let j = 0; j < n; j++) values[j] = j;
  return bind1(broadcastInDimP, [ConcreteTensor.fromData(values, [n], "int32")], { shape: shape.slice(), broadcastDimensions: [dimension] });
}
