/**
 * The usual optimisers, each a `chain` of building blocks exactly as in Optax, with Optax's
 * defaults. Learning rates are numbers `>= 0` or schedules of the step count. Invalid
 * hyperparameters throw an `OptimError` naming the optimiser, e.g. "adam: b1 must be in [0, 1)".
 */
import type { DType } from "@connex/core";
import { scaleByAdam, validateAdamOptions, type ScaleByAdamOptions } from "./adam.js";
import { scaleByLion, validateLionOptions, type ScaleByLionOptions } from "./lion.js";
import type { Mask } from "./masking.js";
import { scaleByRms, scaleByRss, scaleByStddev, validateRmsOptions, validateRssOptions, type ScaleByRmsOptions, type ScaleByRssOptions } from "./rms.js";
import { scaleByLearningRate } from "./scaling.js";
import type { ScalarOrSchedule } from "./schedules.js";
import { trace } from "./trace.js";
import { chain, identity, type GradientTransformation } from "./transform.js";
import { addDecayedWeights } from "./weight_decay.js";
import { requireDecayRate, requireLearningRate, requireNonNegative, requireOptions } from "./validation.js";

/** Options of `sgd`: momentum, Nesterov and the momentum buffer's dtype. */
export interface SgdOptions {
  /** Momentum coefficient in [0, 1) (Optax's `trace` form); none by default. */
  momentum?: number | null;
  /** Nesterov momentum. Default false. */
  nesterov?: boolean;
  /** Storage dtype of the momentum buffer; default: each parameter's dtype. */
  accumulatorDtype?: DType;
}

/**
 * Stochastic gradient descent, with optional (Nesterov) momentum:
 * `t <- g + momentum * t; p <- p - lr * t`.
 *
 * @example
 * const opt = sgd(0.1, { momentum: 0.9 });
 */
export function sgd(learningRate: ScalarOrSchedule, options: SgdOptions = {}): GradientTransformation {
  requireOptions("sgd", options, ["momentum", "nesterov", "accumulatorDtype"]);
  requireLearningRate("sgd", learningRate);
  const { momentum = null, nesterov = false, accumulatorDtype } = options;
  if (momentum !== null) requireDecayRate("sgd", "momentum", momentum);
  return chain(
    momentum === null ? identity() : trace({ decay: momentum, nesterov, accumulatorDtype }),
    scaleByLearningRate(learningRate),
  );
}

/**
 * Adam (Kingma & Ba, 2014): `p <- p - lr * mHat / (sqrt(vHat + epsRoot) + eps)`.
 *
 * @example
 * const opt = adam(1e-3, { b1: 0.9, b2: 0.999 });
 */
export function adam(learningRate: ScalarOrSchedule, options: ScaleByAdamOptions = {}): GradientTransformation {
  requireOptions("adam", options, ["b1", "b2", "eps", "epsRoot", "muDtype", "nesterov"]);
  requireLearningRate("adam", learningRate);
  validateAdamOptions("adam", options);
  return chain(scaleByAdam(options), scaleByLearningRate(learningRate));
}

/** Options of `adamw`: Adam's options plus the decoupled weight decay and its mask. */
export interface AdamwOptions extends ScaleByAdamOptions {
  /** Decoupled weight decay coefficient. Default 1e-4. */
  weightDecay?: number;
  /** Which parameters decay (tree of booleans or a function of the parameters). Default: all. */
  mask?: Mask;
}

/**
 * AdamW (Loshchilov & Hutter, 2019): Adam plus decoupled weight decay,
 * `p <- p - lr * (mHat / (sqrt(vHat) + eps) + weightDecay * p)`. Needs `params` in `update`.
 *
 * @example
 * const opt = adamw(1e-3, { weightDecay: 1e-2 });
 */
export function adamw(learningRate: ScalarOrSchedule, options: AdamwOptions = {}): GradientTransformation {
  requireOptions("adamw", options, ["b1", "b2", "eps", "epsRoot", "muDtype", "nesterov", "weightDecay", "mask"]);
  requireLearningRate("adamw", learningRate);
  validateAdamOptions("adamw", options);
  const { weightDecay = 1e-4, mask, ...adamOptions } = options;
  requireNonNegative("adamw", "weightDecay", weightDecay);
  return chain(scaleByAdam(adamOptions), addDecayedWeights({ weightDecay, mask }), scaleByLearningRate(learningRate));
}

/** Options of `rmsprop`: `scaleByRms`'s options plus centring and momentum. */
export interface RmspropOptions extends ScaleByRmsOptions {
  /** Centred RMSProp (divide by an estimate of the standard deviation). Default false. */
  centered?: boolean;
  /** Momentum applied after the learning rate (Optax's order); none by default. */
  momentum?: number | null;
  /** Nesterov momentum. Default false. */
  nesterov?: boolean;
}

/**
 * RMSProp: `p <- p - lr * g / sqrt(v + eps)` with `v` the moving average of `g²`; optionally
 * centred and with momentum.
 *
 * @example
 * const opt = rmsprop(1e-3, { decay: 0.9 });
 */
export function rmsprop(learningRate: ScalarOrSchedule, options: RmspropOptions = {}): GradientTransformation {
  requireOptions("rmsprop", options, ["decay", "eps", "initialScale", "epsInSqrt", "biasCorrection", "centered", "momentum", "nesterov"]);
  requireLearningRate("rmsprop", learningRate);
  validateRmsOptions("rmsprop", options);
  const { centered = false, momentum = null, nesterov = false, ...rmsOptions } = options;
  if (momentum !== null) requireDecayRate("rmsprop", "momentum", momentum);
  return chain(
    centered ? scaleByStddev(rmsOptions) : scaleByRms(rmsOptions),
    scaleByLearningRate(learningRate),
    momentum === null ? identity() : trace({ decay: momentum, nesterov }),
  );
}

/**
 * AdaGrad (Duchi et al., 2011): `s <- s + g²; p <- p - lr * g / sqrt(s + eps)`, `s` starting
 * at `initialAccumulatorValue` (default 0.1; eps default 1e-7).
 *
 * @example
 * const opt = adagrad(0.1);
 */
export function adagrad(learningRate: ScalarOrSchedule, options: ScaleByRssOptions = {}): GradientTransformation {
  requireOptions("adagrad", options, ["initialAccumulatorValue", "eps"]);
  requireLearningRate("adagrad", learningRate);
  validateRssOptions("adagrad", options);
  return chain(scaleByRss(options), scaleByLearningRate(learningRate));
}

/** Options of `lion`: Lion's options plus the decoupled weight decay and its mask. */
export interface LionOptions extends ScaleByLionOptions {
  /** Decoupled weight decay coefficient. Default 1e-3. */
  weightDecay?: number;
  /** Which parameters decay. Default: all. */
  mask?: Mask;
}

/**
 * Lion (Chen et al., 2023): `p <- p - lr * (sign((1 - b1) g + b1 m) + weightDecay * p)`,
 * `m <- (1 - b2) g + b2 m`. Needs `params` in `update` (for the weight decay).
 *
 * @example
 * const opt = lion(1e-4, { b1: 0.9, b2: 0.99 });
 */
export function lion(learningRate: ScalarOrSchedule, options: LionOptions = {}): GradientTransformation {
  requireOptions("lion", options, ["b1", "b2", "muDtype", "weightDecay", "mask"]);
  requireLearningRate("lion", learningRate);
  validateLionOptions("lion", options);
  const { weightDecay = 1e-3, mask, ...lionOptions } = options;
  requireNonNegative("lion", "weightDecay", weightDecay);
  return chain(scaleByLion(lionOptions), addDecayedWeights({ weightDecay, mask }), scaleByLearningRate(learningRate));
}
