import { bind1 } from "../trace.js";
import type { Tensor } from "../tensor.js";
import type { BatchDim } from "../primitive.js";
import { broadcastInDimP, transposeP } from "./shape.js";

/** Move axis `from` of `x` to position `to` (a transpose; free on concrete tensors). */
export function moveAxis(x: Tensor, from: number, to: number): Tensor {
  if (from === to) return x;
  const perm: number[] = [];
  for (let i = 0; i < x.ndim; i++) if (i !== from) perm.push(i);
  perm.splice(to, 0, from);
  return bind1(transposeP, [x], { permutation: perm });
}

/** The batch size shared by batched operands. */
export function batchSizeOf(args: readonly Tensor[], dims: readonly BatchDim[]): number {
  for (let i = 0; i < args.length; i++) {
    const d = dims[i];
    if (d !== null && d !== undefined) return args[i]!.shape[d]!;
  }
  throw new Error("batch rule called with no batched operand");
}

/** Put the batch axis of `x` first, adding a broadcast one of `size` when `x` is not batched. */
export function batchFirst(x: Tensor, dim: BatchDim, size: number): Tensor {
  if (dim === null) {
    const shape = [size, ...x.shape];
    return bind1(broadcastInDimP, [x], { shape, broadcastDimensions: x.shape.map((_, i) => i + 1) });
  }
  return moveAxis(x, dim, 0);
}

/**
 * The batch rule of every elementwise primitive: bring all operands' batch axes to the front
 * (broadcasting unbatched operands, since elementwise primitives take equal shapes) and apply
 * the primitive once.
 */
export function batchElementwise(
  apply: (args: Tensor[]) => Tensor[],
  args: readonly Tensor[],
  dims: readonly BatchDim[],
): [Tensor[], BatchDim[]] {
  const size = batchSizeOf(args, dims);
  const moved = args.map((a, i) => batchFirst(a, dims[i] ?? null, size));
  const outs = apply(moved);
  return [outs, outs.map(() => 0)];
}
