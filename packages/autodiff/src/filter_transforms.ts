import { combine, isInexactArray, partition, type Tensor } from "@connex/core";
import { valueAndGrad } from "./grad.js";

/** Options of `filterGrad` and `filterValueAndGrad`. */
export interface FilterGradOptions {
  /** `f` returns `[value, aux]`. */
  hasAux?: boolean;
}

/**
 * Equinox's `filter_value_and_grad`: differentiate with respect to the floating-point array
 * leaves of the first argument (a `Module` or any pytree); every other leaf is held static.
 * Gradients come back in the first argument's structure with `null` for static leaves, ready
 * for `@connex/optim` and `applyUpdates`.
 *
 * @example
 * const [loss, grads] = filterValueAndGrad((model, x, y) => mse(model.forward(x), y))(model, x, y);
 */
export function filterValueAndGrad(f: (first: any, ...rest: any[]) => unknown, options: FilterGradOptions = {}) {
  const vg = valueAndGrad((diff: unknown, statics: unknown, ...rest: unknown[]) => f(combine(diff, statics), ...rest), {
    argnums: 0,
    hasAux: options.hasAux ?? false,
  });
  return (first: unknown, ...rest: unknown[]): [any, any] => {
    const [diff, statics] = partition(first, isInexactArray);
    return vg(diff, statics, ...rest);
  };
}

/**
 * Equinox's `filter_grad`: the gradient part of `filterValueAndGrad`.
 *
 * @example
 * const grads = filterGrad((model) => loss(model))(model); // null where a leaf is not a float array
 */
export function filterGrad(f: (first: any, ...rest: any[]) => unknown, options: FilterGradOptions = {}) {
  const vg = filterValueAndGrad(f, options);
  return (first: unknown, ...rest: unknown[]): any => {
    const [value, grads] = vg(first, ...rest);
    return options.hasAux ? [grads, (value as [Tensor, unknown])[1]] : grads;
  };
}
