/**
 * Adam's scaling (Kingma & Ba, 2014): updates divided by the root of a moving average of
 * squared gradients, after a moving average of the gradients, both bias-corrected.
 */
import { np, Tensor, type DType } from "@connex/core";
import { castTo, fullLike, mapLeaves, requireState } from "./leafwise.js";
import { biasCorrection, castLike, safeInt32Increment, updateMoment, zeroCount } from "./numerics.js";
import type { GradientTransformation } from "./transform.js";
import { requireDecayRate, requireNonNegative, requireOptions } from "./validation.js";

/** Options of `scaleByAdam` (and of `adam`/`adamw`): the moment decays, epsilons and moment dtype. */
export interface ScaleByAdamOptions {
  /** Decay of the first moment, in [0, 1). Default 0.9. */
  b1?: number;
  /** Decay of the second moment, in [0, 1). Default 0.999. */
  b2?: number;
  /** Added to the root of the second moment (outside the square root). Default 1e-8. */
  eps?: number;
  /** Added to the second moment inside the square root (for differentiating through Adam). Default 0. */
  epsRoot?: number;
  /** Storage dtype of the first moment; default: each parameter's dtype. */
  muDtype?: DType;
  /** Nesterov momentum (NAdam, Dozat 2016). Default false. */
  nesterov?: boolean;
}

/** State of `scaleByAdam`: the step count and the two moments, shaped like the parameters. */
export interface ScaleByAdamState {
  /** The number of updates so far (int32, for the bias correction). */
  count: Tensor;
  /** The first moment (moving average of the gradients), shaped like the parameters. */
  mu: unknown;
  /** The second moment (moving average of the squared gradients), shaped like the parameters. */
  nu: unknown;
}

/** Checks Adam's hyperparameters, naming `where` (the alias or `scaleByAdam`) in errors. */
export function validateAdamOptions(where: string, options: ScaleByAdamOptions): void {
  requireDecayRate(where, "b1", options.b1 ?? 0.9);
  requireDecayRate(where, "b2", options.b2 ?? 0.999);
  requireNonNegative(where, "eps", options.eps ?? 1e-8);
  requireNonNegative(where, "epsRoot", options.epsRoot ?? 0);
}

/**
 * `mHat / (sqrt(vHat + epsRoot) + eps)` with `m`, `v` the moving averages of `g` and `g²`
 * (decays `b1`, `b2`) and `mHat`, `vHat` their bias-corrected values.
 *
 * @example
 * const opt = chain(scaleByAdam({ b1: 0.9, b2: 0.999 }), scaleByLearningRate(1e-3));
 */
export function scaleByAdam(options: ScaleByAdamOptions = {}): GradientTransformation<ScaleByAdamState> {
  const where = "scaleByAdam";
  requireOptions(where, options, ["b1", "b2", "eps", "epsRoot", "muDtype", "nesterov"]);
  validateAdamOptions(where, options);
  const { b1 = 0.9, b2 = 0.999, eps = 1e-8, epsRoot = 0, muDtype, nesterov = false } = options;
  return {
    init: (params) => ({ count: zeroCount(), mu: fullLike(params, 0, muDtype), nu: fullLike(params, 0) }),
    update(updates, state) {
      const mu = updateMoment(where, updates, state.mu, b1, 1);
      const nu = updateMoment(where, updates, state.nu, b2, 2);
      const count = safeInt32Increment(state.count);
      const scaled = mapLeaves(
        where,
        (g, m, v) => {
          if (g === null) return null;
          const mu_ = requireState(where, m);
          const muHat = nesterov
            ? np.add(
                np.multiply(b1, biasCorrection(mu_, b1, safeInt32Increment(count))),
                np.multiply(1 - b1, biasCorrection(g, b1, count)),
              )
            : biasCorrection(mu_, b1, count);
          const nuHat = biasCorrection(requireState(where, v), b2, count);
          return castTo(np.divide(muHat, np.add(np.sqrt(np.add(nuHat, epsRoot)), eps)), g.dtype);
        },
        updates,
        mu,
        nu,
      );
      return [scaled as typeof updates, { count, mu: castLike(where, mu, state.mu), nu: castLike(where, nu, state.nu) }];
    },
  };
}
