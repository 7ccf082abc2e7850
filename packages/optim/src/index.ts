/**
 * @connex/optim: Optax-style gradient transformations. An optimiser is a
 * `GradientTransformation` `{ init, update }`, built by `chain`ing small pieces:
 *
 * ```ts
 * const opt = optim.adam(1e-3);
 * let state = opt.init(params);
 * const [updates, newState] = opt.update(grads, state, params);
 * params = optim.applyUpdates(params, updates);
 * ```
 *
 * States are pytrees of tensors (jit/vmap/save them); `update` is pure; `null` leaves (filtered
 * out by Equinox-style partitioning) pass through every transformation.
 *
 * @packageDocumentation
 * @module \@connex/optim
 */
export { applyUpdates } from "@connex/core";
export { OptimError } from "./errors.js";
export { chain, identity, type EmptyState, type GradientTransformation } from "./transform.js";
export { globalNorm } from "./global_norm.js";
export { safeInt32Increment } from "./numerics.js";
export {
  scale,
  scaleByLearningRate,
  scaleBySchedule,
  setToZero,
  type ScaleByLearningRateOptions,
  type ScaleByScheduleState,
} from "./scaling.js";
export { scaleByAdam, type ScaleByAdamOptions, type ScaleByAdamState } from "./adam.js";
export { trace, type TraceOptions, type TraceState } from "./trace.js";
export {
  scaleByRms,
  scaleByStddev,
  scaleByRss,
  type ScaleByRmsOptions,
  type ScaleByRmsState,
  type ScaleByRssOptions,
  type ScaleByRssState,
} from "./rms.js";
export { scaleByLion, type ScaleByLionOptions, type ScaleByLionState } from "./lion.js";
export { clip, clipByGlobalNorm } from "./clipping.js";
export { addDecayedWeights, type AddDecayedWeightsOptions } from "./weight_decay.js";
export {
  maskedTransform,
  masked,
  multiTransform,
  type Mask,
  type Labels,
  type MaskedState,
  type MultiTransformState,
} from "./masking.js";
export { applyIfFinite, type ApplyIfFiniteState } from "./apply_if_finite.js";
export {
  constantSchedule,
  polynomialSchedule,
  linearSchedule,
  exponentialDecay,
  cosineDecaySchedule,
  warmupCosineDecaySchedule,
  piecewiseConstantSchedule,
  joinSchedules,
  type Schedule,
  type ScheduleFn,
  type ScalarOrSchedule,
  type PolynomialScheduleOptions,
  type LinearScheduleOptions,
  type ExponentialDecayOptions,
  type CosineDecayScheduleOptions,
  type WarmupCosineDecayScheduleOptions,
  type PiecewiseConstantScheduleOptions,
} from "./schedules.js";
export {
  sgd,
  adam,
  adamw,
  rmsprop,
  adagrad,
  lion,
  type SgdOptions,
  type AdamwOptions,
  type RmspropOptions,
  type LionOptions,
} from "./aliases.js";
export * from "./losses/index.js";
