/**
 * The NumPy-style surface (`np`). Every function accepts tensors, tracers and plain JS numbers,
 * follows NumPy broadcasting and JAX type promotion, and applies primitives through `bind`.
 */
import "./methods.js";

export { array, asTensor, astype, type ArrayData, type ArrayOptions } from "./asarray.js";
export { broadcastShapes, broadcastTo, resultType } from "./broadcast.js";
export * from "./arithmetic.js";
export * from "./comparison.js";
export * from "./logic.js";
export * from "./creation.js";
export * from "./reductions.js";
export * from "./shape.js";
export * from "./linalg.js";
export * from "./indexing.js";
export * from "./sparse.js";
