/**
 * Decoupled weight decay (Loshchilov & Hutter, 2019): `g + weightDecay * p`, added after the
 * adaptive scaling and before the learning rate, so the step is `-lr * (adam(g) + wd * p)`.
 */
import { np } from "@connex/core";
import { OptimError } from "./errors.js";
import { castTo, mapLeaves } from "./leafwise.js";
import { maskedTransform, type Mask } from "./masking.js";
import type { EmptyState, GradientTransformation } from "./transform.js";
import { requireNonNegative, requireOptions } from "./validation.js";

/** Options of `addDecayedWeights`. */
export interface AddDecayedWeightsOptions {
  /** The decay coefficient, >= 0. Default 0. */
  weightDecay?: number;
  /** Which parameters decay (a tree of booleans, or a function of the parameters returning one). */
  mask?: Mask;
}

/**
 * Add `weightDecay * params` to the updates (where `mask` allows). Needs `params` in `update`.
 *
 * @example
 * const opt = chain(scaleByAdam(), addDecayedWeights({ weightDecay: 1e-4 }), scaleByLearningRate(1e-3));
 */
export function addDecayedWeights(options: AddDecayedWeightsOptions = {}): GradientTransformation {
  requireOptions("addDecayedWeights", options, ["weightDecay", "mask"]);
  const where = "addDecayedWeights";
  const weightDecay = requireNonNegative(where, "weightDecay", options.weightDecay ?? 0);
  const decay: GradientTransformation<EmptyState> = {
    init: () => ({}),
    update(updates, state, params) {
      if (params === undefined) {
        throw new OptimError(`${where}: needs the current parameters: call update(updates, state, params)`);
      }
      const decayed = mapLeaves(
        where,
        (g, p) => {
          if (g === null) return null;
          if (p === null) throw new OptimError(`${where}: an update has no matching parameter tensor (params has null there)`);
          return np.add(g, castTo(np.multiply(weightDecay, p), g.dtype));
        },
        updates,
        params,
      );
      return [decayed as typeof updates, state];
    },
  };
  return options.mask === undefined ? decay : maskedTransform(decay, options.mask);
}
