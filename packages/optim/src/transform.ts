/**
 * The one abstraction of this package, as in Optax: a gradient transformation is a pair of
 * pure functions. `init(params)` builds a state (a pytree of tensors, so it can be saved,
 * jitted and vmapped); `update(updates, state, params?)` maps gradients (or the updates of a
 * previous transformation) to new updates and a new state. Optimisers are `chain`s of small
 * transformations, e.g. `adam = chain(scaleByAdam(), scaleByLearningRate(lr))`.
 */
import { OptimError } from "./errors.js";

/**
 * A `{ init, update }` pair, else an `OptimError` naming `where` and the argument.
 *
 * @example
 * requireTransformation("chain", "transformation 0", adam(1e-3)); // ok
 */
export function requireTransformation(where: string, name: string, t: unknown): GradientTransformation<unknown> {
  const o = t as Partial<GradientTransformation<unknown>> | null;
  if (typeof o !== "object" || o === null || typeof o.init !== "function" || typeof o.update !== "function") {
    throw new OptimError(`${where}: ${name} must be a gradient transformation { init, update }, got ${o === null ? "null" : typeof o}`);
  }
  return o as GradientTransformation<unknown>;
}

/**
 * `{ init, update }`: see the module comment. `update` never mutates its arguments and returns
 * updates with the same structure as its input updates; `null` update leaves pass through.
 *
 * @example
 * const opt: GradientTransformation = chain(clipByGlobalNorm(1), adam(1e-3));
 */
export interface GradientTransformation<S = unknown> {
  /** The initial state for parameters `params` (a pytree; `null` leaves get `null` state). */
  init(params: unknown): S;
  /** `[newUpdates, newState]`; `params` is needed only by some transformations (weight decay). */
  update<U>(updates: U, state: S, params?: unknown): [U, S];
}

/** The state of a transformation that keeps none (Optax's `EmptyState`): an empty object. */
export type EmptyState = Record<string, never>;

/**
 * The transformation that returns its updates unchanged.
 *
 * @example
 * identity().update(grads, {}); // [grads, {}]
 */
export function identity(): GradientTransformation<EmptyState> {
  return {
    init: () => ({}),
    update: (updates, state) => [updates, state],
  };
}

/**
 * Transformations applied one after the other: each one's output updates are the next one's
 * input. The state is the array of the inner states, in order.
 *
 * @example
 * const opt = chain(clipByGlobalNorm(1), scaleByAdam(), scaleByLearningRate(1e-3));
 */
export function chain(...transforms: GradientTransformation[]): GradientTransformation<unknown[]> {
  transforms.forEach((t, i) => requireTransformation("chain", `transformation ${i}`, t));
  return {
    init: (params) => transforms.map((t) => t.init(params)),
    update<U>(updates: U, state: unknown[], params?: unknown): [U, unknown[]] {
      if (!Array.isArray(state) || state.length !== transforms.length) {
        throw new OptimError(
          `chain: expected a state array of length ${transforms.length} (from this chain's init), got ${Array.isArray(state) ? `length ${state.length}` : typeof state}`,
        );
      }
      let current = updates;
      const newState: unknown[] = [];
      transforms.forEach((t, i) => {
        const [next, s] = t.update(current, state[i], params);
        current = next;
        newState.push(s);
      });
      return [current, newState];
    },
  };
}
