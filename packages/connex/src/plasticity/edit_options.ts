/**
 * Options shared by the plasticity functions that create parameters.
 */
import { random, Tensor } from "@connex/core";
import { InvalidOptionError } from "../errors.js";

/** Options of `addConnections`, `addInputNeurons`, `addHiddenNeurons`, `addOutputNeurons`. */
export interface EditOptions {
  /** Key for the new parameters (default `random.key(0)`). */
  key?: Tensor;
}

/**
 * The key of `options` (default `random.key(0)`), checked to be a tensor.
 *
 * @example
 * editKey({}, "addConnections"); // random.key(0)
 */
export function editKey(options: EditOptions | undefined, op: string): Tensor {
  if (options === undefined) return random.key(0);
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionError(`${op}: options must be an object like { key }, got ${options === null ? "null" : typeof options}`);
  }
  if (options.key === undefined) return random.key(0);
  if (!(options.key instanceof Tensor)) throw new InvalidOptionError(`${op}: key: expected a key tensor from random.key, got ${typeof options.key}`);
  return options.key;
}
