/**
 * Lion's scaling (Chen et al., 2023, "Symbolic Discovery of Optimization Algorithms"): the
 * sign of an interpolation between the gradient and a momentum.
 */
import { np, Tensor, type DType } from "@connex/core";
import { castTo, fullLike, mapLeaves, requireState } from "./leafwise.js";
import { castLike, safeInt32Increment, updateMoment, zeroCount } from "./numerics.js";
import type { GradientTransformation } from "./transform.js";
import { requireDecayRate, requireOptions } from "./validation.js";

/** Options of `scaleByLion` (and of `lion`). */
export interface ScaleByLionOptions {
  /** Interpolation weight of the momentum in the update, in [0, 1). Default 0.9. */
  b1?: number;
  /** Decay of the momentum, in [0, 1). Default 0.99. */
  b2?: number;
  /** Storage dtype of the momentum; default: each parameter's dtype. */
  muDtype?: DType;
}

/** State of `scaleByLion`: the step count and the momentum. */
export interface ScaleByLionState {
  /** The number of updates so far (int32). */
  count: Tensor;
  /** The momentum, shaped like the parameters. */
  mu: unknown;
}

/** Checks Lion's hyperparameters, naming `where` in errors. */
export function validateLionOptions(where: string, options: ScaleByLionOptions): void {
  requireDecayRate(where, "b1", options.b1 ?? 0.9);
  requireDecayRate(where, "b2", options.b2 ?? 0.99);
}

/**
 * `sign((1 - b1) * g + b1 * m)`, then `m <- (1 - b2) * g + b2 * m`.
 *
 * @example
 * const opt = chain(scaleByLion(), scaleByLearningRate(1e-4));
 */
export function scaleByLion(options: ScaleByLionOptions = {}): GradientTransformation<ScaleByLionState> {
  requireOptions("scaleByLion", options, ["b1", "b2", "muDtype"]);
  const where = "scaleByLion";
  validateLionOptions(where, options);
  const { b1 = 0.9, b2 = 0.99, muDtype } = options;
  return {
    init: (params) => ({ count: zeroCount(), mu: fullLike(params, 0, muDtype) }),
    update(updates, state) {
      const scaled = mapLeaves(
        where,
        (g, m) =>
          g === null
            ? null
            : castTo(np.sign(np.add(np.multiply(1 - b1, g), np.multiply(b1, requireState(where, m)))), g.dtype),
        updates,
        state.mu,
      );
      const mu = updateMoment(where, updates, state.mu, b2, 1);
      return [scaled as typeof updates, { count: safeInt32Increment(state.count), mu: castLike(where, mu, state.mu) }];
    },
  };
}
