/**
 * `data`: feeding arrays to training loops — shuffled minibatches of any pytree
 * (`batches`) and the IDX file format of MNIST (`readIdx`). Browser-safe: no Node built-ins.
 */
export { batches, type Batches, type BatchesOptions } from "./batches.js";
export { readIdx, type ReadIdxOptions } from "./read_idx.js";
