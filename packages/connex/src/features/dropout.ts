/**
 * Per-neuron dropout (inverted, as Equinox's `Dropout`): a kept neuron's value is divided by
 * its keep probability `1 - p`, so expectations match inference, where dropout is off.
 */
import { np, random, type Tensor } from "@connex/core";
import type { NetworkStructure } from "../structure.js";

/**
 * The dropout multipliers of every neuron by position: `keep / (1 - p)` where
 * `keep = random.bernoulli(key, 1 - p, [numNeurons])` (p, and the uniform draw, in the
 * network's dtype), and 0 for neurons with `p = 1`. With JAX:
 * `jnp.where(jax.random.bernoulli(key, 1 - p), 1 / (1 - p), 0)` over positions.
 *
 * @example
 * dropoutMultipliers(structure, random.key(1)).shape; // [numNeurons]
 */
export function dropoutMultipliers(structure: NetworkStructure, key: Tensor): Tensor {
  const p = structure.dropoutByPosition;
  const dtype = structure.dtype;
  const keepProb = np.array(Float64Array.from(p, (x) => 1 - x), { dtype });
  const scale = np.array(Float64Array.from(p, (x) => (x < 1 ? 1 / (1 - x) : 0)), { dtype });
  const keep = random.bernoulli(key, keepProb, [p.length]);
  return np.where(keep, scale, 0);
}

/**
 * Whether any neuron in positions `[start, end)` has a nonzero dropout probability.
 *
 * @example
 * anyDropout(structure, 0, 3); // false for a network without dropout
 */
export function anyDropout(structure: NetworkStructure, start: number, end: number): boolean {
  const p = structure.dropoutByPosition;
  for (let i = start; i < end; i++) if (p[i]! > 0) return true;
  return false;
}
