/**
 * Sigmoid binary cross-entropy, as Optax's `sigmoid_binary_cross_entropy`.
 */
import { nn, np, type ArrayLike, type Tensor } from "@connex/core";
import { floatInput, sameShape } from "./checks.js";

/**
 * Per-element binary cross-entropy of `sigmoid(logits)` against `labels` in `[0, 1]` (hard or
 * soft): `-labels · log σ(logits) - (1 - labels) · log(1 - σ(logits))`, computed as
 * `labels · softplus(-logits) + (1 - labels) · softplus(logits)`, which neither overflows nor
 * loses precision for logits of ±1e4. Unreduced: same shape as `logits`. Throws `DTypeError`
 * for non-float logits and `ShapeError` when the shapes differ.
 *
 * @example
 * sigmoidBinaryCrossEntropy(np.array([0, 3]), np.array([1, 0], { dtype: "float32" })); // [0.6931472, 3.0485873]
 */
export function sigmoidBinaryCrossEntropy(logits: ArrayLike, labels: ArrayLike): Tensor {
  const op = "sigmoidBinaryCrossEntropy";
  const z = floatInput(logits, op, "logits");
  const y = np.asTensor(labels, op);
  sameShape(z, y, op, "logits", "labels");
  // -log σ(z) = softplus(-z); -log(1 - σ(z)) = softplus(z).
  return np.add(np.multiply(y, nn.softplus(np.negative(z))), np.multiply(np.subtract(1, y), nn.softplus(z)));
}
