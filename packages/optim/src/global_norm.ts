import { np, Tensor } from "@connex/core";
import { tensorLeaves } from "./leafwise.js";

/**
 * The L2 norm of all the tensors of a pytree taken together, `sqrt(sum of squares)`; `null`
 * leaves count as absent. A tree without tensors has norm 0.
 *
 * @example
 * globalNorm({ a: np.array([3]), b: np.array([4]), c: null }).item(); // 5
 */
export function globalNorm(updates: unknown): Tensor {
  const squares = tensorLeaves(updates).map((x) => np.sum(np.square(x)));
  const total = squares.reduce((acc, s) => np.add(acc, s), np.array(0, { dtype: "float32" }) as Tensor);
  return np.sqrt(total);
}
