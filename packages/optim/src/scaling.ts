/**
 * Multiplying updates by a constant or a scheduled factor, and the learning-rate step that
 * ends every optimiser chain (it flips the sign, so updates are added to parameters).
 */
import { np, Tensor } from "@connex/core";
import { OptimError } from "./errors.js";
import { castTo, mapLeaves } from "./leafwise.js";
import { safeInt32Increment, zeroCount } from "./numerics.js";
import type { ScalarOrSchedule, ScheduleFn } from "./schedules.js";
import type { EmptyState, GradientTransformation } from "./transform.js";
import { requireFinite, requireLearningRate, requireOptions } from "./validation.js";

/**
 * Multiply every update by `stepSize` (any sign).
 *
 * @example
 * scale(0.5).update({ w: np.array([2]) }, {})[0]; // { w: [1] }
 */
export function scale(stepSize: number): GradientTransformation<EmptyState> {
  requireFinite("scale", "stepSize", stepSize);
  return {
    init: () => ({}),
    update: (updates, state) => [
      mapLeaves("scale", (g) => (g === null ? null : np.multiply(stepSize, g)), updates) as typeof updates,
      state,
    ],
  };
}

/** State of `scaleBySchedule`: the number of updates done so far. */
export interface ScaleByScheduleState {
  /** The number of updates so far (int32): the step the schedule is evaluated at. */
  count: Tensor;
}

/**
 * Multiply the updates of step `count` (0 for the first update) by `stepSizeFn(count)`, cast
 * to each update's dtype.
 *
 * @example
 * scaleBySchedule(exponentialDecay({ initValue: 1, transitionSteps: 100, decayRate: 0.5 }));
 */
export function scaleBySchedule(stepSizeFn: ScheduleFn): GradientTransformation<ScaleByScheduleState> {
  if (typeof stepSizeFn !== "function") {
    throw new OptimError(`scaleBySchedule: expected a schedule function, got ${typeof stepSizeFn}`);
  }
  return {
    init: () => ({ count: zeroCount() }),
    update(updates, state) {
      const stepSize = stepSizeFn(state.count);
      const scaled = mapLeaves(
        "scaleBySchedule",
        (g) => (g === null ? null : np.multiply(typeof stepSize === "number" ? stepSize : castTo(stepSize, g.dtype), g)),
        updates,
      );
      return [scaled as typeof updates, { count: safeInt32Increment(state.count) }];
    },
  };
}

/** Options of `scaleByLearningRate`. */
export interface ScaleByLearningRateOptions {
  /** Negate the updates (gradient descent). Default true. */
  flipSign?: boolean;
}

/**
 * Multiply updates by `-learningRate` (or `+learningRate` with `flipSign: false`); the learning
 * rate is a number `>= 0` or a schedule of the step count.
 *
 * @example
 * const opt = chain(scaleByAdam(), scaleByLearningRate(1e-3));
 */
export function scaleByLearningRate(
  learningRate: ScalarOrSchedule,
  options: ScaleByLearningRateOptions = {},
): GradientTransformation<EmptyState | ScaleByScheduleState> {
  requireLearningRate("scaleByLearningRate", learningRate);
  requireOptions("scaleByLearningRate", options, ["flipSign"]);
  const sign = (options.flipSign ?? true) ? -1 : 1;
  if (typeof learningRate === "number") return scale(sign * learningRate);
  return scaleBySchedule((count) => {
    const lr = learningRate(count);
    return typeof lr === "number" ? sign * lr : np.multiply(sign, lr);
  });
}

/**
 * Replace every update by zeros (a frozen parameter group, with `multiTransform`).
 *
 * @example
 * setToZero().update({ w: np.array([2]) }, {})[0]; // { w: [0] }
 */
export function setToZero(): GradientTransformation<EmptyState> {
  return {
    init: () => ({}),
    update: (updates, state) => [
      mapLeaves("setToZero", (g) => (g === null ? null : np.zerosLike(g)), updates) as typeof updates,
      state,
    ],
  };
}
