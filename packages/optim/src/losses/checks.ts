/**
 * Argument checks shared by the losses: float predictions, equal shapes, a class axis.
 */
import { AxisError, DTypeError, ShapeError, np, type ArrayLike, type Tensor } from "@connex/core";

const fmt = (shape: readonly number[]) => `[${shape.join(", ")}]`;

/**
 * `x` as a tensor of a float dtype (float32 or float64), or a `DTypeError` naming `what`.
 * Losses are only defined on floats (Optax asserts the same): an integer `logits` array is
 * almost always labels passed in the wrong position.
 *
 * @example
 * floatInput(np.array([0.5]), "softmaxCrossEntropy", "logits"); // the tensor
 */
export function floatInput(x: ArrayLike, op: string, what: string): Tensor {
  const t = np.asTensor(x, op);
  if (t.dtype !== "float32" && t.dtype !== "float64") {
    throw new DTypeError(`${op}: ${what} must be float32 or float64, got ${t.dtype} (shape ${fmt(t.shape)})`);
  }
  return t;
}

/**
 * A `ShapeError` unless `a` and `b` have the same shape (the losses do not broadcast, as Optax
 * asserts equal shapes: a broadcast here silently averages the wrong pairs).
 *
 * @example
 * sameShape(predictions, targets, "squaredError", "predictions", "targets");
 */
export function sameShape(a: Tensor, b: Tensor, op: string, nameA: string, nameB: string, hint = ""): void {
  if (a.ndim !== b.ndim || a.shape.some((n, i) => n !== b.shape[i])) {
    throw new ShapeError(`${op}: ${nameA} and ${nameB} must have the same shape, got ${fmt(a.shape)} and ${fmt(b.shape)}${hint}`);
  }
}

/**
 * The class axis of `logits`, normalised, or a `ShapeError` for 0-d logits / an `AxisError`
 * out of range.
 *
 * @example
 * classAxis(logits, -1, "softmaxCrossEntropy"); // logits.ndim - 1
 */
export function classAxis(logits: Tensor, axis: number, op: string): number {
  if (logits.ndim === 0) throw new ShapeError(`${op}: logits must have a class axis, got a 0-d array`);
  if (typeof axis !== "number" || !Number.isInteger(axis) || axis < -logits.ndim || axis >= logits.ndim) {
    throw new AxisError(`${op}: axis ${String(axis)} is out of bounds for logits of shape ${fmt(logits.shape)}`);
  }
  return axis < 0 ? axis + logits.ndim : axis;
}
