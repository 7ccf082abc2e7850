/**
 * Losses with Optax's names and semantics: per example (or per element), unreduced,
 * numerically stable; reduce them with `np.mean` / `np.sum`.
 */
export { softmaxCrossEntropy, softmaxCrossEntropyWithIntegerLabels, type SoftmaxCrossEntropyOptions } from "./softmax_cross_entropy.js";
export { sigmoidBinaryCrossEntropy } from "./sigmoid_binary_cross_entropy.js";
export { squaredError, l2Loss } from "./squared_error.js";
