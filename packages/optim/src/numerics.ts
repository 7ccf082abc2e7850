/**
 * Small numeric pieces shared by the transformations: the step counter, exponential moving
 * averages of gradient moments, and Adam-style bias correction. All are written with `np`
 * calls so they work on traced values (under `jit`/`vmap`) as well as on concrete ones.
 */
import { np, Tensor } from "@connex/core";
import { castTo, mapLeaves, requireState } from "./leafwise.js";

const INT32_MAX = 2147483647;

/**
 * A fresh step counter: an int32 scalar 0, as Optax's `count` fields.
 *
 * @example
 * zeroCount().item(); // 0
 */
export function zeroCount(): Tensor {
  return np.array(0, { dtype: "int32" });
}

/**
 * `count + 1`, saturating at the largest int32 instead of wrapping (Optax's
 * `safe_int32_increment`), so a very long run keeps a positive count.
 *
 * @example
 * safeInt32Increment(np.array(2, { dtype: "int32" })).item(); // 3
 */
export function safeInt32Increment(count: Tensor): Tensor {
  return np.where(np.less(count, INT32_MAX), np.add(count, 1), INT32_MAX);
}

/**
 * The moving averages `(1 - decay) * g**order + decay * m` leaf by leaf (order 1 or 2), in
 * the dtype the gradients and moments promote to. A `null` gradient keeps its moment as is.
 */
export function updateMoment(where: string, updates: unknown, moments: unknown, decay: number, order: 1 | 2): unknown {
  return mapLeaves(
    where,
    (g, m) => {
      if (g === null) return m;
      const power = order === 1 ? g : np.square(g);
      return np.add(np.multiply(1 - decay, power), np.multiply(decay, requireState(where, m)));
    },
    updates,
    moments,
  );
}

/**
 * `moment / (1 - decay**count)`, the bias correction of a moving average started at zero;
 * computed in the moment's dtype.
 */
export function biasCorrection(moment: Tensor, decay: number, count: Tensor): Tensor {
  const correction = np.subtract(1, np.power(decay, castTo(count, moment.dtype)));
  return np.divide(moment, correction);
}

/** Cast every tensor of `moments` to the dtype of the matching tensor in `like` (state dtypes stay fixed). */
export function castLike(where: string, moments: unknown, like: unknown): unknown {
  return mapLeaves(where, (m, l) => (m === null || l === null ? m : castTo(m, l.dtype)), moments, like);
}
