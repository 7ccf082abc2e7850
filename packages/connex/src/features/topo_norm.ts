/**
 * Topological norm: a layer norm over one batch's collective inputs (Ba et al., 2016).
 */
import { nn, np, type Tensor } from "@connex/core";
import type { TopoNormParameters } from "../parameters.js";

/**
 * `standardize(vals) * gamma + beta`: zero mean and unit variance over the batch's `width`
 * inputs (epsilon 1e-5, as `jax.nn.standardize`), then a learnable elementwise affine.
 *
 * @example
 * topoNorm({ gamma, beta }, np.array([1, 2, 3])); // standardize([1, 2, 3]) * gamma + beta
 */
export function topoNorm(params: TopoNormParameters, vals: Tensor): Tensor {
  return np.add(np.multiply(nn.standardize(vals), params.gamma), params.beta);
}
