/**
 * Test support: the README network of Python Connex (inputs [0], outputs [3, 11]), in float64.
 */
import { np, random, type Tensor } from "@connex/core";
import { NeuralNetwork } from "../../../src/network.js";
import type { NeuralNetworkSpec } from "../../../src/options.js";

/**
 * The 12-neuron README DAG; its batches are [1, 2], [4, 5], [6, 7], [8, 9, 10], [3, 11].
 *
 * @example
 * readmeNetwork({ useTopoNorm: true }).numEdges; // 14
 */
export function readmeNetwork(options: Partial<NeuralNetworkSpec> = {}): NeuralNetwork {
  return new NeuralNetwork({
    graph: { 0: [1, 2, 3], 1: [4], 2: [4, 5], 4: [6], 5: [7], 6: [8, 9], 7: [10], 8: [11], 9: [11], 10: [11] },
    inputNeurons: [0],
    outputNeurons: [3, 11],
    dtype: "float64",
    key: random.key(7),
    ...options,
  });
}

/**
 * The network's outputs at `x` (no dropout), as numbers.
 *
 * @example
 * run(net, [0.5]); // [y3, y11]
 */
export function run(net: NeuralNetwork, x: readonly number[]): number[] {
  const y: Tensor = net.forward(np.array(x, { dtype: "float64" }), { inference: true });
  return Array.from(y.toTypedArray() as Float64Array);
}
