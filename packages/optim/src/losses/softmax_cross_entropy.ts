/**
 * Softmax cross-entropy, with probability labels or integer class labels, as Optax's
 * `softmax_cross_entropy` and `softmax_cross_entropy_with_integer_labels`.
 *
 * Both shift the logits by their (gradient-stopped) maximum along the class axis before
 * exponentiating, so logits of ±1e4 give exact losses and finite gradients in float32.
 */
import { ConcreteTensor, DTypeError, IndexError, ShapeError, nn, np, type ArrayLike, type Tensor } from "@connex/core";
import { classAxis, floatInput, sameShape } from "./checks.js";

/** Options of the softmax cross-entropies. */
export interface SoftmaxCrossEntropyOptions {
  /** The class axis of `logits` (default -1, the last). */
  axis?: number;
}

const fmt = (shape: readonly number[]) => `[${shape.join(", ")}]`;

/** `logits - max(logits)` along `axis`, the maximum kept out of the gradient. */
function shifted(logits: Tensor, axis: number): Tensor {
  return np.subtract(logits, np.stopGradient(np.max(logits, { axis, keepdims: true })));
}

/**
 * Per-example cross-entropy `-Σ labels · log_softmax(logits)` along the class axis, for labels
 * that are probability vectors (one-hot or soft) of the same shape as `logits`; the result has
 * the shape of `logits` without the class axis (unreduced: take `np.mean` yourself). A class
 * with a zero label contributes nothing even where its logit is -∞ (masked classes). Throws
 * `DTypeError` for non-float logits and `ShapeError` when the shapes differ (with a hint when
 * `labels` look like integer class labels).
 *
 * @example
 * softmaxCrossEntropy(np.array([[2, 1, 0.1]]), np.array([[1, 0, 0]], { dtype: "float32" })); // [0.4170300]
 */
export function softmaxCrossEntropy(logits: ArrayLike, labels: ArrayLike, options: SoftmaxCrossEntropyOptions = {}): Tensor {
  const op = "softmaxCrossEntropy";
  const z = floatInput(logits, op, "logits");
  const y = np.asTensor(labels, op);
  const axis = classAxis(z, options.axis ?? -1, op);
  const looksInteger = y.ndim === z.ndim - 1 && y.shape.every((n, i) => n === z.shape.filter((_, d) => d !== axis)[i]);
  sameShape(z, y, op, "logits", "labels", looksInteger ? " (for integer class labels use softmaxCrossEntropyWithIntegerLabels)" : "");
  const s = shifted(z, axis);
  const logProbs = np.subtract(s, np.log(np.sum(np.exp(s), { axis, keepdims: true })));
  // A zero label on a -∞ logit (a masked class) contributes 0, not 0 · -∞ = NaN. Only there:
  // elsewhere the product stays, so the gradient in the labels is -log p even at a zero label.
  const safeLogProbs = np.where(np.logicalAnd(np.equal(y, 0), np.isinf(logProbs)), 0, logProbs);
  return np.negative(np.sum(np.multiply(y, safeLogProbs), { axis }));
}

/** The first label outside `[0, numClasses)` of concrete labels, with its multi-index. */
function firstOutOfRange(labels: ConcreteTensor, numClasses: number): { value: number; index: number[] } | null {
  const values = labels.toTypedArray();
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < 0 || v >= numClasses) {
      const index: number[] = [];
      let rest = i;
      for (let d = labels.ndim - 1; d >= 0; d--) {
        index.unshift(rest % labels.shape[d]!);
        rest = Math.floor(rest / labels.shape[d]!);
      }
      return { value: v, index };
    }
  }
  return null;
}

/**
 * Per-example cross-entropy `logsumexp(logits) - logits[label]` for integer class labels of
 * the shape of `logits` without its class axis (as Optax's
 * `softmax_cross_entropy_with_integer_labels`); the result has the labels' shape. Labels must
 * be int32 or uint32 (`DTypeError`); concrete labels outside `[0, numClasses)` throw
 * `IndexError` naming the first such label and its index (traced labels cannot be checked:
 * under `jit` an out-of-range label selects no logit, giving `logsumexp(logits)`). Gradients
 * flow to `logits` only.
 *
 * @example
 * softmaxCrossEntropyWithIntegerLabels(np.array([[2, 1, 0.1]]), np.array([0])); // [0.4170300]
 */
export function softmaxCrossEntropyWithIntegerLabels(logits: ArrayLike, labels: ArrayLike, options: SoftmaxCrossEntropyOptions = {}): Tensor {
  const op = "softmaxCrossEntropyWithIntegerLabels";
  const z = floatInput(logits, op, "logits");
  const y = np.asTensor(labels, op);
  if (y.dtype !== "int32" && y.dtype !== "uint32") {
    throw new DTypeError(`${op}: labels must be integer class indices (int32 or uint32), got ${y.dtype} (shape ${fmt(y.shape)}); for probability labels use softmaxCrossEntropy`);
  }
  const axis = classAxis(z, options.axis ?? -1, op);
  const batchShape = z.shape.filter((_, d) => d !== axis);
  if (y.ndim !== batchShape.length || y.shape.some((n, i) => n !== batchShape[i])) {
    throw new ShapeError(`${op}: labels must have the shape of logits without the class axis ${axis}, ${fmt(batchShape)}, got ${fmt(y.shape)} (logits ${fmt(z.shape)})`);
  }
  const numClasses = z.shape[axis]!;
  if (y instanceof ConcreteTensor) {
    const bad = firstOutOfRange(y, numClasses);
    if (bad) {
      throw new IndexError(`${op}: label ${bad.value} at index [${bad.index.join(", ")}] is out of range for ${numClasses} classes (labels must be in [0, ${numClasses}))`);
    }
  }
  const s = shifted(z, axis);
  // The label's logit, picked by a where over the classes (no gather: exact, and its gradient is
  // a plain mask), summed out along the class axis.
  const labelLogits = np.sum(np.where(nn.oneHot(y, numClasses, { dtype: "bool", axis }), s, 0), { axis });
  return np.subtract(np.log(np.sum(np.exp(s), { axis })), labelLogits);
}
