import { allocateTyped, recycleTyped } from "../backend/slab_allocator.js";
import { type DType } from "../dtype.js";
import { allocateUninitialized } from "../backend/buffers.js";
import { DTypeError, ShapeError } from "../errors.js";
import { matmulAccumulate, useWasmMatmul } from "../backend/kernels/matmul.js";
import { matmulWasmF32Into, wasmMatmulAvailable } from "../backend/kernels/wasm/matmul_wasm.js";
import { definePrimitive, type BatchDim, type Primitive } from "../primitive.js";
import { ConcreteTensor, sizeOf, type Tensor } from "../tensor.js";
import { bind1 } from "../trace.js";
import { addTangents } from "./arithmetic.js";
import { batchFirst, moveAxis } from "./batching.js";
import { reshapeP, transposeP } from "./shape.js";

const fmt = (s: readonly number[]) => `[${s.join(", ")}]`;
const NUMERIC: readonly DType[] = ["float32", "float64", "int32", "uint32"];

/** Swap the last two axes (a free view on concrete tensors). Example: `swapLastTwo(x)` of `[2, 3, 4]` is `[2, 4, 3]`. */
export function swapLastTwo(x: Tensor): Tensor {
  const nd = x.ndim;
  const perm = x.shape.map((_, i) => i);
  perm[nd - 2] = nd - 1;
  perm[nd - 1] = nd - 2;
  return bind1(transposeP, [x], { permutation: perm });
}

/**
 * Batched matrix product (a restricted lax.dot_general): `[...b, m, k] × [...b, k, n] -> [...b, m, n]`
 * with equal batch dims and equal dtypes. NumPy's broadcasting and 1-d operands are handled by
 * `np.matmul`. Concrete operands may be any views (transposed, broadcast): the kernel reads
 * them by stride.
 */
export const matmulP: Primitive<Record<string, never>> = definePrimitive<Record<string, never>>({
  name: "matmul",
  outputBuffers: "fresh",
  abstractEval([a, b]) {
    const as = a!.shape;
    const bs = b!.shape;
    if (a!.dtype !== b!.dtype) throw new DTypeError(`matmul: operand dtypes differ (${a!.dtype} and ${b!.dtype})`);
    if (!NUMERIC.includes(a!.dtype)) throw new DTypeError(`matmul: does not accept dtype ${a!.dtype} (accepts ${NUMERIC.join(", ")})`);
    const ok =
      as.length >= 2 &&
      as.length === bs.length &&
      as.slice(0, -2).every((d, i) => d === bs[i]) &&
      as[as.length - 1] === bs[bs.length - 2];
    if (!ok) {
      throw new ShapeError(`matmul: shapes ${fmt(as)} and ${fmt(bs)} do not match ([...batch, m, k] x [...batch, k, n] with equal batch dims)`);
    }
    const shape = [...as.slice(0, -1), bs[bs.length - 1]!];
    return [{ shape, dtype: a!.dtype, weakType: a!.weakType && b!.weakType }];
  },
  impl([a, b]) {
    const nd = a!.ndim;
    const batchShape = a!.shape.slice(0, -2);
    const m = a!.shape[nd - 2]!;
    const k = a!.shape[nd - 1]!;
    const n = b!.shape[nd - 1]!;
    const outShape = [...batchShape, m, n];
    const weakOut = a!.weakType && b!.weakType;
    if (batchShape.length === 0 && a!.dtype === "float32" && b!.dtype === "float32" && useWasmMatmul("f32", m, k, n) && wasmMatmulAvailable()) {
      // A plain float32 product straight into its float32 output (same kernels, same bits).
      const out = allocateUninitialized("float32", m * n) as Float32Array;
      matmulWasmF32Into(
        { data: a!.data, offset: a!.offset, rowStride: a!.stride[0]!, colStride: a!.stride[1]! },
        { data: b!.data, offset: b!.offset, rowStride: b!.stride[0]!, colStride: b!.stride[1]! },
        m,
        k,
        n,
        out,
      );
      return [ConcreteTensor.fromData(out, outShape, "float32", weakOut)];
    }
    const acc = allocateTyped(Float64Array, sizeOf(outShape));
    const batches = sizeOf(batchShape);
    const idx = new Array<number>(batchShape.length).fill(0);
    for (let t = 0; t < batches; t++) {
      let oa = a!.offset;
      let ob = b!.offset;
      for (let d = 0; d < idx.length; d++) {
        oa += idx[d]! * a!.stride[d]!;
        ob += idx[d]! * b!.stride[d]!;
      }
      matmulAccumulate(
        { data: a!.data, offset: oa, rowStride: a!.stride[nd - 2]!, colStride: a!.stride[nd - 1]! },
        { data: b!.data, offset: ob, rowStride: b!.stride[nd - 2]!, colStride: b!.stride[nd - 1]! },
        m,
        k,
        n,
        acc,
        t * m * n,
      );
      for (let d = idx.length - 1; d >= 0; d--) {
        if (++idx[d]! < batchShape[d]!) break;
        idx[d] = 0;
      }
    }
    const weak = a!.weakType && b!.weakType;
    if (a!.dtype === "float64") return [ConcreteTensor.fromData(acc, outShape, "float64", weak)];
    const out = allocateUninitialized(a!.dtype, acc.length);
    out.set(acc);
    // The float64 accumulator is a local temporary: its memory serves the next product.
    recycleTyped(acc);
    return [ConcreteTensor.fromData(out, outShape, a!.dtype, weak)];
  },
  jvp([a, b], [ta, tb]) {
    const out = bind1(matmulP, [a!, b!]);
    const fromA = ta ? bind1(matmulP, [ta, b!]) : null;
    const fromB = tb ? bind1(matmulP, [a!, tb]) : null;
    return [[out], [addTangents(fromA, fromB)]];
  },
  vjp([ct], [a, b], _outs, _params, needsGrad) {
    if (!ct) return [null, null];
    return [
      needsGrad[0] ? bind1(matmulP, [ct, swapLastTwo(b!)]) : null,
      needsGrad[1] ? bind1(matmulP, [swapLastTwo(a!), ct]) : null,
    ];
  },
  batch([a, b], [da, db]) {
    return batchMatmul(a!, b!, da ?? null, db ?? null);
  },
});

/**
 * vmap of matmul. When only one operand is batched and the per-example product is a plain
 * 2-d one, the batch axis is folded into `m` (or `n`) so the result is one large 2-d product
 * against the shared operand (a per-example network forward under vmap becomes a batched
 * forward). Otherwise batch axes go first, broadcasting the unbatched operand.
 */
function batchMatmul(a: Tensor, b: Tensor, da: BatchDim, db: BatchDim): [Tensor[], BatchDim[]] {
  if (db === null && da !== null && a.ndim === 3) {
    const [size, m, k] = [a.shape[da]!, ...a.shape.filter((_, i) => i !== da)] as [number, number, number];
    const flat = bind1(reshapeP, [moveAxis(a, da, 0)], { newShape: [size * m, k] });
    const prod = bind1(matmulP, [flat, b]);
    return [[bind1(reshapeP, [prod], { newShape: [size, m, b.shape[1]!] })], [0]];
  }
  if (da === null && db !== null && b.ndim === 3) {
    const [size, k, n] = [b.shape[db]!, ...b.shape.filter((_, i) => i !== db)] as [number, number, number];
    const flat = bind1(reshapeP, [moveAxis(b, db, 1)], { newShape: [k, size * n] });
    const prod = bind1(matmulP, [a, flat]);
    return [[bind1(reshapeP, [prod], { newShape: [a.shape[0]!, size, n] })], [1]];
  }
  const size = da !== null ? a.shape[da]! : b.shape[db!]!;
  return [[bind1(matmulP, [batchFirst(a, da, size), batchFirst(b, db, size)])], [0]];
}
