/**
 * The one place the research helpers read and write a batch's weights: reads go through the
 * batch's `BatchWeightLayout` (`weight_layout.ts`), so a change of storage is a change there.
 */
import type { NeuralNetwork } from "../network.js";
import { floatData, type FloatData } from "../parameter_data.js";
import { readWeightBlock } from "../weight_layout.js";
import type { Tensor } from "@connex/core";

export { floatData, readWeightBlock, type FloatData };

/**
 * Weights to store for batch `b` of `net` from block data (taken over: never write it again),
 * in the storage the batch's layout has now (per edge or block).
 *
 * @example
 * const weights = weightsFromBlock(net, 1, block);
 */
export function weightsFromBlock(net: NeuralNetwork, b: number, block: FloatData): Tensor {
  return net.structure.weightLayouts[b]!.fromBlock(block, net.structure.dtype);
}
