/**
 * Test support: fully connected layered networks (an MLP with any layer sizes, like
 * LeNet-300-100's 784-300-100-10), with neurons numbered layer by layer.
 */
import { nn, random, tree, Tensor, np } from "@connex/core";
import type { Edge } from "../../src/graph.js";
import { NeuralNetwork } from "../../src/network.js";
import type { NeuralNetworkSpec } from "../../src/options.js";

/**
 * A layered network with every edge between consecutive layers.
 *
 * @example
 * layered([2, 3, 1]).numEdges; // 9
 */
export function layered(sizes: readonly number[], options: Partial<NeuralNetworkSpec> = {}): NeuralNetwork {
  const starts: number[] = [];
  let total = 0;
  for (const s of sizes) {
    starts.push(total);
    total += s;
  }
  const edges: Edge[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    for (let i = 0; i < sizes[l]!; i++) for (let j = 0; j < sizes[l + 1]!; j++) edges.push([starts[l]! + i, starts[l + 1]! + j]);
  }
  const range = (l: number) => Array.from({ length: sizes[l]! }, (_, i) => starts[l]! + i);
  return new NeuralNetwork({
    graph: edges,
    inputNeurons: range(0),
    outputNeurons: range(sizes.length - 1),
    hiddenActivation: nn.relu,
    dtype: "float64",
    key: random.key(11),
    ...options,
  });
}

/**
 * `net` with every float parameter scaled by `factor` (a stand-in for training: every value
 * changes, masks and zeros off the mask stay as they are).
 *
 * @example
 * const trained = scaled(net, 1.5);
 */
export function scaled(net: NeuralNetwork, factor: number): NeuralNetwork {
  return tree.map((x: unknown) => (x instanceof Tensor && (x.dtype === "float32" || x.dtype === "float64") ? np.multiply(x, factor) : x), net);
}
