/**
 * Layered networks for the MNIST examples, built as Connex graphs: LeNet-300-100
 * (784-300-100-10, ReLU; 266,200 edges) and the same layers with Erdős–Rényi sparse
 * connectivity (SET's initial topology). Neurons are numbered layer by layer: the 784 inputs
 * `0..783`, then each hidden layer, then the 10 outputs, so a neuron's layer is known from its
 * id alone, whatever plasticity later does to the topological batches.
 */
import { nn, random, ValueError, type Tensor } from "@connex/core";
import * as cnx from "connex";

/** LeNet-300-100's layer sizes. */
export const LENET_300_100 = [784, 300, 100, 10] as const;

/** Where each layer's neurons start: `starts[l]` is the id of layer `l`'s first neuron. */
export function layerStarts(sizes: readonly number[]): number[] {
  const starts: number[] = [];
  let total = 0;
  for (const s of sizes) {
    starts.push(total);
    total += s;
  }
  return starts;
}

/**
 * The weight layer (0 = inputs to first hidden layer) an edge into neuron `to` belongs to.
 *
 * @example
 * weightLayerOf(784, LENET_300_100); // 0
 */
export function weightLayerOf(to: number, sizes: readonly number[]): number {
  const starts = layerStarts(sizes);
  for (let l = sizes.length - 1; l >= 1; l--) if (to >= starts[l]!) return l - 1;
  throw new ValueError(`weightLayerOf: neuron ${to} is an input neuron (ids below ${sizes[0]}), no weight layer ends there`);
}

/** Options of `layeredNetwork`. */
export interface LayeredNetworkOptions {
  /** Key for the initial weights (drawn as NeuralNetwork's default, N(0, 0.1²)). */
  key?: Tensor;
  /**
   * Per weight layer, the probability that each possible edge is present (default 1: every
   * layer fully connected). Values of 1 or more give a fully connected layer.
   */
  density?: readonly number[];
  /** Key for drawing the sparse edges (default `random.key(1)`). */
  edgeKey?: Tensor;
}

/**
 * A layered network with ReLU hidden neurons and identity outputs (logits): layer `l` feeds
 * layer `l + 1`, fully or with each edge present with probability `density[l]`.
 *
 * @example
 * layeredNetwork(LENET_300_100).numEdges; // 266200
 */
export function layeredNetwork(sizes: readonly number[], options: LayeredNetworkOptions = {}): cnx.NeuralNetwork {
  if (sizes.length < 2 || !sizes.every((s) => Number.isInteger(s) && s > 0)) throw new ValueError(`layeredNetwork: sizes must be at least two positive integers, got [${sizes.join(", ")}]`);
  const density = options.density ?? sizes.slice(1).map(() => 1);
  if (density.length !== sizes.length - 1) throw new ValueError(`layeredNetwork: density needs one value per weight layer (${sizes.length - 1}), got ${density.length}`);
  const starts = layerStarts(sizes);
  const total = starts[starts.length - 1]! + sizes[sizes.length - 1]!;
  const edgeKey = options.edgeKey ?? random.key(1);
  const edges: cnx.Edge[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const [nIn, nOut, p] = [sizes[l]!, sizes[l + 1]!, density[l]!];
    if (!(p > 0)) throw new ValueError(`layeredNetwork: density[${l}] must be positive, got ${p}`);
    const present = p >= 1 ? null : random.bernoulli(random.foldIn(edgeKey, l), p, [nIn, nOut]).toTypedArray();
    for (let i = 0; i < nIn; i++) {
      for (let j = 0; j < nOut; j++) if (present === null || present[i * nOut + j]) edges.push([starts[l]! + i, starts[l + 1]! + j]);
    }
  }
  const ids = Array.from({ length: total }, (_, i) => i);
  return new cnx.NeuralNetwork({
    graph: edges,
    neurons: ids,
    inputNeurons: ids.slice(0, sizes[0]),
    outputNeurons: ids.slice(total - sizes[sizes.length - 1]!),
    topoSort: ids,
    hiddenActivation: nn.relu,
    ...(options.key !== undefined ? { key: options.key } : {}),
  });
}

/**
 * SET's Erdős–Rényi density of a weight layer: ε (n_in + n_out) / (n_in · n_out), at most 1.
 *
 * @example
 * erdosRenyiDensity(784, 300, 20); // 0.0922
 */
export function erdosRenyiDensity(nIn: number, nOut: number, epsilon: number): number {
  return Math.min(1, (epsilon * (nIn + nOut)) / (nIn * nOut));
}

/**
 * Each weight layer's edges of `network` (by the layer of the edge's target), with weights.
 *
 * @example
 * edgesByLayer(net, LENET_300_100)[2]!.length; // 1000 for the dense LeNet
 */
export function edgesByLayer(network: cnx.NeuralNetwork, sizes: readonly number[]): { from: number; to: number; weight: number }[][] {
  const out: { from: number; to: number; weight: number }[][] = sizes.slice(1).map(() => []);
  for (const e of network.toWeightedGraph().edges) out[weightLayerOf(e.to as number, sizes)]!.push(e as { from: number; to: number; weight: number });
  return out;
}
