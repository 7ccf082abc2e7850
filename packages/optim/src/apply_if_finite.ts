/**
 * Skipping steps whose updates contain NaN or infinity (Optax's `apply_if_finite`): such a
 * step leaves the inner state alone and returns zero updates, unless it is the
 * `maxConsecutiveErrors + 1`-th bad step in a row, which is applied anyway (so a run that only
 * produces bad gradients does not silently stop).
 *
 * Both outcomes are computed and one is selected with `np.where`, leaf by leaf, so the
 * transformation works on traced values (no host-side branch on a tensor).
 */
import { np, Tensor } from "@connex/core";
import { mapLeaves, tensorLeaves } from "./leafwise.js";
import { safeInt32Increment } from "./numerics.js";
import type { GradientTransformation } from "./transform.js";
import { requireNonNegativeInteger } from "./validation.js";

/** State of `applyIfFinite`. */
export interface ApplyIfFiniteState {
  /** Bad steps in a row (0 after a finite step). */
  notfiniteCount: Tensor;
  /** Whether the last step's updates were all finite. */
  lastFinite: Tensor;
  /** Bad steps over the whole run. */
  totalNotfinite: Tensor;
  /** The state of the wrapped transformation (left unchanged by skipped steps). */
  innerState: unknown;
}

/** A bool scalar: true when every element of every tensor of `updates` is finite. */
function allFinite(updates: unknown): Tensor {
  const badCounts = tensorLeaves(updates).map((x) => np.sum(np.logicalNot(np.isfinite(x))));
  const bad = badCounts.reduce((acc, n) => np.add(acc, n), np.array(0, { dtype: "int32" }) as Tensor);
  return np.equal(bad, 0);
}

/** `onTrue` where `condition` (a bool scalar), else `onFalse`, leaf by leaf over equal structures. */
function selectTree(where: string, condition: Tensor, onTrue: unknown, onFalse: unknown): unknown {
  return mapLeaves(where, (t, f) => (t === null || f === null ? t : np.where(condition, t, f)), onTrue, onFalse);
}

/**
 * Wrap `inner` so that steps with non-finite updates are skipped (zero updates, inner state
 * kept), up to `maxConsecutiveErrors` in a row.
 *
 * @example
 * const opt = applyIfFinite(adam(1e-3), 5);
 */
export function applyIfFinite(
  inner: GradientTransformation,
  maxConsecutiveErrors: number,
): GradientTransformation<ApplyIfFiniteState> {
  const where = "applyIfFinite";
  requireNonNegativeInteger(where, "maxConsecutiveErrors", maxConsecutiveErrors);
  return {
    init: (params) => ({
      notfiniteCount: np.array(0, { dtype: "int32" }),
      lastFinite: np.array(true, { dtype: "bool" }),
      totalNotfinite: np.array(0, { dtype: "int32" }),
      innerState: inner.init(params),
    }),
    update(updates, state, params) {
      const finite = allFinite(updates);
      const notfiniteCount = np.where(finite, 0, safeInt32Increment(state.notfiniteCount));
      const apply = np.logicalOr(finite, np.greater(notfiniteCount, maxConsecutiveErrors));
      const [innerUpdates, innerState] = inner.update(updates, state.innerState, params);
      const zeros = mapLeaves(where, (g) => (g === null ? null : np.zerosLike(g)), updates);
      return [
        selectTree(where, apply, innerUpdates, zeros) as typeof updates,
        {
          notfiniteCount,
          lastFinite: finite,
          totalNotfinite: np.where(finite, state.totalNotfinite, safeInt32Increment(state.totalNotfinite)),
          innerState: selectTree(where, apply, innerState, state.innerState),
        },
      ];
    },
  };
}
