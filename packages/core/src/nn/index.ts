/**
 * Neural-network functions (`nn` of `@connex/core`), as `jax.nn`: activations, softmax-type
 * normalisations and `standardize`.
 */
export { relu, gelu, sigmoid, tanh, softplus, silu, identity, type GeluOptions } from "./activations.js";
export { softmax, logSoftmax, logsumexp, type AxisOptions, type LogsumexpOptions } from "./softmax.js";
export { standardize, type StandardizeOptions } from "./standardize.js";
export { oneHot, type OneHotOptions } from "./one_hot.js";
