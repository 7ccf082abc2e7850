/**
 * The one place the research helpers read and write a batch's weights, so a change of the
 * weight storage (`weight_storage.ts`) is a change here only.
 */
import type { NeuralNetwork } from "../network.js";
import { floatData, type FloatData } from "../plasticity/parameter_draws.js";
import { isEdgeWeights, storedWeights, weightBlock } from "../weight_storage.js";
import type { Tensor } from "@connex/core";

export { floatData, type FloatData };

/**
 * Batch `b`'s weights as `[size · width]` block data, zero off the mask (read it, never write
 * it: it may be the stored tensor's own buffer).
 *
 * @example
 * readWeightBlock(net, 1)[row * width + col]; // the weight of that edge
 */
export function readWeightBlock(net: NeuralNetwork, b: number): FloatData {
  return weightBlock(net.structure.topology.batches[b]!, net.batchParameters[b]!.weights);
}

/**
 * Weights to store for batch `b` of `net` from block data (taken over: never write it again),
 * in the storage the batch has now (per edge or block).
 *
 * @example
 * const weights = weightsFromBlock(net, 1, block);
 */
export function weightsFromBlock(net: NeuralNetwork, b: number, block: FloatData): Tensor {
  const current = net.batchParameters[b]!.weights;
  return storedWeights(net.structure.topology.batches[b]!, block, net.structure.dtype, isEdgeWeights(current));
}
