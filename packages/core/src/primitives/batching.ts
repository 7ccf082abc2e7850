import { bind1 } from "../trace.js";
import type { Tensor } from "../tensor.js";
import type { BatchDim } from "../primitive.js";
import { broadcastInDimP, moveAxis } from "./shape.js";

// moveAxis lives with transpose (shape.ts), whose rules use it; batch rules find it here.
export { moveAxis };

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
  return batchAt(x, dim, size, 0);
}

/** Put the batch axis of `x` at position `to`, adding a broadcast one of `size` when `x` is not batched. */
export function batchAt(x: Tensor, dim: BatchDim, size: number, to: number): Tensor {
  if (dim !== null) return moveAxis(x, dim, to);
  const shape = x.shape.slice();
  shape.splice(to, 0, size);
  return bind1(broadcastInDimP, [x], { shape, broadcastDimensions: x.shape.map((_, i) => (i < to ? i : i + 1)) });
}

/**
 * Where the batch axis of operands that must share it goes: where all batched operands already
 * have it (no data moves), else where the largest batched operand has it (the others, moved,
 * are the cheaper copies). Operands have equal ranks.
 */
export function sharedBatchDim(args: readonly Tensor[], dims: readonly BatchDim[]): number {
  let best = -1;
  let bestSize = -1;
  for (let i = 0; i < args.length; i++) {
    const d = dims[i];
    if (d === null || d === undefined) continue;
    const n = args[i]!.shape.reduce((a, b) => a * b, 1);
    if (n > bestSize) {
      best = d;
      bestSize = n;
    }
  }
  if (best < 0) throw new Error("batch rule called with no batched operand");
  return best;
}

/**
 * The batch rule of every elementwise primitive: bring all operands' batch axes to one place
 * (where they already are when they agree, see {@link sharedBatchDim}; unbatched operands are
 * broadcast, since elementwise primitives take equal shapes) and apply the primitive once.
 * Keeping the batch axis where it is keeps a features-major layout (e.g. a network's values
 * after a sparse product under `vmap`) contiguous through the elementwise chain.
 */
export function batchElementwise(
  apply: (args: Tensor[]) => Tensor[],
  args: readonly Tensor[],
  dims: readonly BatchDim[],
): [Tensor[], BatchDim[]] {
  const size = batchSizeOf(args, dims);
  const to = sharedBatchDim(args, dims);
  const moved = args.map((a, i) => batchAt(a, dims[i] ?? null, size, to));
  const outs = apply(moved);
  return [outs, outs.map(() => to)];
}
