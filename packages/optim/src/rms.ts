/**
 * Scalings by running second moments: RMSProp's root mean square (`scaleByRms`), its centred
 * variant (`scaleByStddev`) and AdaGrad's root sum of squares (`scaleByRss`).
 */
import { np, Tensor } from "@connex/core";
import { castTo, fullLike, mapLeaves, requireState } from "./leafwise.js";
import { biasCorrection, castLike, safeInt32Increment, updateMoment, zeroCount } from "./numerics.js";
import type { GradientTransformation } from "./transform.js";
import { requireDecayRate, requireNonNegative, requireOptions } from "./validation.js";

/** Options of `scaleByRms` and `scaleByStddev` (and of `rmsprop`). */
export interface ScaleByRmsOptions {
  /** Decay of the moving average of squared gradients, in [0, 1). Default 0.9. */
  decay?: number;
  /** Stabilising term. Default 1e-8. */
  eps?: number;
  /** Initial value of the second moment. Default 0. */
  initialScale?: number;
  /** `g / sqrt(v + eps)` when true (default, as TensorFlow), `g / (sqrt(v) + eps)` when false. */
  epsInSqrt?: boolean;
  /** Bias-correct the moving averages as Adam does (adds a `count` to the state). Default false. */
  biasCorrection?: boolean;
}

/** State of `scaleByRms`/`scaleByStddev`: `count` only with `biasCorrection`; `mu` only for stddev. */
export interface ScaleByRmsState {
  /** The number of updates so far (int32); present only with `biasCorrection`. */
  count?: Tensor;
  /** The moving average of the gradients; present only for `scaleByStddev`. */
  mu?: unknown;
  /** The moving average of the squared gradients, shaped like the parameters. */
  nu: unknown;
}

/** Checks RMSProp's hyperparameters, naming `where` in errors. */
export function validateRmsOptions(where: string, options: ScaleByRmsOptions): void {
  requireDecayRate(where, "decay", options.decay ?? 0.9);
  requireNonNegative(where, "eps", options.eps ?? 1e-8);
  requireNonNegative(where, "initialScale", options.initialScale ?? 0);
}

/** `g / sqrt(variance + eps)` or `g / (sqrt(variance) + eps)`, in `g`'s dtype. */
function scaleByRoot(g: Tensor, variance: Tensor, eps: number, epsInSqrt: boolean): Tensor {
  const root = epsInSqrt ? np.sqrt(np.add(variance, eps)) : np.add(np.sqrt(variance), eps);
  return castTo(np.divide(g, root), g.dtype);
}

function makeRmsScaling(where: string, options: ScaleByRmsOptions, centred: boolean): GradientTransformation<ScaleByRmsState> {
  validateRmsOptions(where, options);
  const { decay = 0.9, eps = 1e-8, initialScale = 0, epsInSqrt = true, biasCorrection: corrected = false } = options;
  return {
    init(params) {
      const state: ScaleByRmsState = { nu: fullLike(params, initialScale) };
      if (centred) state.mu = fullLike(params, 0);
      if (corrected) state.count = zeroCount();
      return state;
    },
    update(updates, state) {
      const nu = updateMoment(where, updates, state.nu, decay, 2);
      const mu = centred ? updateMoment(where, updates, state.mu, decay, 1) : undefined;
      const count = corrected ? safeInt32Increment(requireState(where, state.count ?? null)) : undefined;
      const correct = (x: Tensor): Tensor => (count === undefined ? x : biasCorrection(x, decay, count));
      const scaled = mapLeaves(
        where,
        (g, v, m) => {
          if (g === null) return null;
          let variance = correct(requireState(where, v));
          if (centred) variance = np.subtract(variance, np.square(correct(requireState(where, m))));
          return scaleByRoot(g, variance, eps, epsInSqrt);
        },
        updates,
        nu,
        ...(centred ? [mu] : []),
      );
      const newState: ScaleByRmsState = { nu: castLike(where, nu, state.nu) };
      if (centred) newState.mu = castLike(where, mu, state.mu);
      if (count !== undefined) newState.count = count;
      return [scaled as typeof updates, newState];
    },
  };
}

/**
 * RMSProp's scaling (Hinton's lecture 6e): `g / sqrt(v + eps)` with `v` the moving average of
 * `g²` (decay `decay`).
 *
 * @example
 * const opt = chain(scaleByRms({ decay: 0.9 }), scaleByLearningRate(1e-3));
 */
export function scaleByRms(options: ScaleByRmsOptions = {}): GradientTransformation<ScaleByRmsState> {
  requireOptions("scaleByRms", options, ["decay", "eps", "initialScale", "epsInSqrt", "biasCorrection"]);
  return makeRmsScaling("scaleByRms", options, false);
}

/**
 * Centred RMSProp's scaling (Graves, 2013): `g / sqrt(v - m² + eps)` with `m`, `v` the moving
 * averages of `g` and `g²`.
 *
 * @example
 * const opt = chain(scaleByStddev(), scaleByLearningRate(1e-3));
 */
export function scaleByStddev(options: ScaleByRmsOptions = {}): GradientTransformation<ScaleByRmsState> {
  requireOptions("scaleByStddev", options, ["decay", "eps", "initialScale", "epsInSqrt", "biasCorrection"]);
  return makeRmsScaling("scaleByStddev", options, true);
}

/** Options of `scaleByRss` (and of `adagrad`). */
export interface ScaleByRssOptions {
  /** Initial value of the sum of squares. Default 0.1. */
  initialAccumulatorValue?: number;
  /** Added inside the square root. Default 1e-7. */
  eps?: number;
}

/** State of `scaleByRss`: the running sum of squared gradients. */
export interface ScaleByRssState {
  /** The running sum of squared gradients, shaped like the parameters. */
  sumOfSquares: unknown;
}

/** Checks AdaGrad's hyperparameters, naming `where` in errors. */
export function validateRssOptions(where: string, options: ScaleByRssOptions): void {
  requireNonNegative(where, "initialAccumulatorValue", options.initialAccumulatorValue ?? 0.1);
  requireNonNegative(where, "eps", options.eps ?? 1e-7);
}

/**
 * AdaGrad's scaling (Duchi et al., 2011): `g / sqrt(s + eps)` with `s` the sum of all squared
 * gradients so far (0 where `s` is 0).
 *
 * @example
 * const opt = chain(scaleByRss(), scaleByLearningRate(0.1));
 */
export function scaleByRss(options: ScaleByRssOptions = {}): GradientTransformation<ScaleByRssState> {
  requireOptions("scaleByRss", options, ["initialAccumulatorValue", "eps"]);
  const where = "scaleByRss";
  validateRssOptions(where, options);
  const { initialAccumulatorValue = 0.1, eps = 1e-7 } = options;
  return {
    init: (params) => ({ sumOfSquares: fullLike(params, initialAccumulatorValue) }),
    update(updates, state) {
      const sumOfSquares = mapLeaves(
        where,
        (g, s) => (g === null ? s : np.add(np.square(g), requireState(where, s))),
        updates,
        state.sumOfSquares,
      );
      const scaled = mapLeaves(
        where,
        (g, s) => {
          if (g === null) return null;
          const total = requireState(where, s);
          const scaledG = np.divide(g, np.sqrt(np.add(total, eps)));
          return castTo(np.where(np.greater(total, 0), scaledG, 0), g.dtype);
        },
        updates,
        sumOfSquares,
      );
      return [scaled as typeof updates, { sumOfSquares: castLike(where, sumOfSquares, state.sumOfSquares) }];
    },
  };
}
