/**
 * @connex/core: immutable tensors, NumPy-style ops built from a closed set of primitives,
 * `nn` activations, JAX-compatible `random` keys, pytrees and the `Module` system; and, as
 * `jax.extend` does, what defining a primitive or a transformation needs (`definePrimitive`,
 * `bind`, `Trace`, `Tracer`). The backend (allocator, kernels, fuser, jit executor) is not
 * exported: `@connex/autodiff` reaches it through `@connex/core/internal`.
 *
 * @packageDocumentation
 * @module \@connex/core
 */
export * as np from "./np/index.js";
export { Tensor, ConcreteTensor, type ArrayLike, type NestedArray, type ReduceOptions } from "./tensor.js";
export * from "./dtype.js";
export * from "./errors.js";
export { definePrimitive, allPrimitives, type Primitive, type AbstractArray, type BatchDim, type OutputBuffers } from "./primitive.js";
export { bind, bind1, Trace, Tracer, concretizationError } from "./trace.js";
export * as tree from "./tree/index.js";
export { Module, type ModuleOptions } from "./tree/module.js";
export { isArray, isInexactArray, filter, partition, combine, type FilterSpec, type FilterOptions } from "./tree/filters.js";
export { treeAt, type TreeAtOptions } from "./tree/tree_at.js";
export { applyUpdates } from "./tree/apply_updates.js";
export { TreeStructureError } from "./tree/structure_error.js";
export * as random from "./random/index.js";
export * as nn from "./nn/index.js";
export { SerialisationError, CorruptFileError } from "./tree/serialisation_error.js";
export * as data from "./data/index.js";
export { setNumThreads, numThreads } from "./backend/threads/config.js";
