/**
 * Gradient clipping: elementwise (`clip`) and by the global norm of all updates together
 * (`clipByGlobalNorm`, Pascanu et al., 2012).
 */
import { np } from "@connex/core";
import { globalNorm } from "./global_norm.js";
import { castTo, mapLeaves } from "./leafwise.js";
import type { EmptyState, GradientTransformation } from "./transform.js";
import { requireNonNegative, requirePositive } from "./validation.js";

/**
 * Clip every update element to `[-maxDelta, maxDelta]`.
 *
 * @example
 * clip(1).update({ w: np.array([-3, 0.5]) }, {})[0]; // { w: [-1, 0.5] }
 */
export function clip(maxDelta: number): GradientTransformation<EmptyState> {
  requireNonNegative("clip", "maxDelta", maxDelta);
  return {
    init: () => ({}),
    update: (updates, state) => [
      mapLeaves("clip", (g) => (g === null ? null : np.clip(g, -maxDelta, maxDelta)), updates) as typeof updates,
      state,
    ],
  };
}

/**
 * Rescale all updates by `maxNorm / globalNorm(updates)` when their global norm exceeds
 * `maxNorm`; leave them as they are otherwise.
 *
 * @example
 * const opt = chain(clipByGlobalNorm(1), adam(1e-3));
 */
export function clipByGlobalNorm(maxNorm: number): GradientTransformation<EmptyState> {
  requirePositive("clipByGlobalNorm", "maxNorm", maxNorm);
  return {
    init: () => ({}),
    update(updates, state) {
      const norm = globalNorm(updates);
      const withinBound = np.less(norm, maxNorm);
      const clipped = mapLeaves(
        "clipByGlobalNorm",
        (g) => (g === null ? null : np.where(withinBound, g, np.multiply(np.divide(g, castTo(norm, g.dtype)), maxNorm))),
        updates,
      );
      return [clipped as typeof updates, state];
    },
  };
}
