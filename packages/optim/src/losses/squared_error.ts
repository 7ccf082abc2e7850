/**
 * Squared error and the L2 loss, as Optax's `squared_error` and `l2_loss`.
 */
import { np, type ArrayLike, type Tensor } from "@connex/core";
import { floatInput, sameShape } from "./checks.js";

function difference(predictions: ArrayLike, targets: ArrayLike | undefined, op: string): Tensor {
  const p = floatInput(predictions, op, "predictions");
  if (targets === undefined) return p;
  const t = np.asTensor(targets, op);
  sameShape(p, t, op, "predictions", "targets");
  return np.subtract(p, t);
}

/**
 * Per-element `(predictions - targets)²` (or `predictions²` without targets), unreduced.
 * Throws `DTypeError` for non-float predictions and `ShapeError` when the shapes differ.
 *
 * @example
 * squaredError(np.array([1, 2.5]), np.array([0, 0.5])); // [1, 4]
 */
export function squaredError(predictions: ArrayLike, targets?: ArrayLike): Tensor {
  return np.square(difference(predictions, targets, "squaredError"));
}

/**
 * Per-element `0.5 · (predictions - targets)²` (or `0.5 · predictions²`), unreduced, as Optax's
 * `l2_loss` (the 0.5 makes its gradient the plain difference).
 *
 * @example
 * l2Loss(np.array([1, 2.5]), np.array([0, 0.5])); // [0.5, 2]
 */
export function l2Loss(predictions: ArrayLike, targets?: ArrayLike): Tensor {
  return np.multiply(np.square(difference(predictions, targets, "l2Loss")), 0.5);
}
