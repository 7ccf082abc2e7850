/**
 * Ready-made architectures as Connex graphs: `MLP` (each layer feeds the next) and `DenseMLP`
 * (each layer feeds every later layer, as DenseNet). Neurons are numbered layer by layer:
 * inputs `0..inputSize-1`, then each hidden layer, then the outputs.
 */
import { nn as activations } from "@connex/core";
import { InvalidOptionError } from "./errors.js";
import type { Edge } from "./graph.js";
import { NeuralNetwork } from "./network.js";
import { NETWORK_OPTION_NAMES, type NetworkOptions } from "./options.js";
import { checkOptions, type CoversAll } from "./arguments.js";

/** Sizes of an MLP, plus every `NeuralNetwork` option. */
export interface MLPOptions extends Omit<NetworkOptions, "topoSort"> {
  inputSize: number;
  outputSize: number;
  /** Neurons per hidden layer. */
  width: number;
  /** Number of hidden layers (0: inputs feed outputs directly). */
  depth: number;
}

const MLP_OPTION_NAMES = ["inputSize", "outputSize", "width", "depth", ...NETWORK_OPTION_NAMES.filter((n) => n !== "topoSort")];
const mlpOptionsCovered: CoversAll<MLPOptions, ["inputSize", "outputSize", "width", "depth", ...typeof NETWORK_OPTION_NAMES]> = true;
void mlpOptionsCovered;

function checkSize(value: unknown, name: string, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new InvalidOptionError(`${name}: expected an integer >= ${min}, got ${typeof value === "number" ? value : typeof value}`);
  }
  return value;
}

/** Layer sizes `[inputSize, width x depth, outputSize]` and each layer's first neuron id. */
function layers(options: MLPOptions): { sizes: number[]; starts: number[]; total: number } {
  const inputSize = checkSize(options.inputSize, "inputSize", 1);
  const outputSize = checkSize(options.outputSize, "outputSize", 1);
  const depth = checkSize(options.depth, "depth", 0);
  const width = checkSize(options.width, "width", depth > 0 ? 1 : 0);
  const sizes = [inputSize, ...new Array<number>(depth).fill(width), outputSize];
  const starts: number[] = [];
  let total = 0;
  for (const s of sizes) {
    starts.push(total);
    total += s;
  }
  return { sizes, starts, total };
}

const range = (start: number, n: number) => Array.from({ length: n }, (_, i) => start + i);

function build(options: MLPOptions, edges: Edge[], l: ReturnType<typeof layers>): NeuralNetwork {
  const { inputSize, outputSize, width, depth, ...networkOptions } = options;
  void width;
  void depth;
  return new NeuralNetwork({
    hiddenActivation: activations.silu,
    ...networkOptions,
    graph: edges,
    neurons: range(0, l.total),
    inputNeurons: range(0, inputSize),
    outputNeurons: range(l.total - outputSize, outputSize),
    topoSort: range(0, l.total),
  });
}

/** Callable with or without `new`. */
export interface NetworkFactory<O> {
  (options: O): NeuralNetwork;
  new (options: O): NeuralNetwork;
}

/**
 * A multi-layer perceptron: every neuron of a layer feeds every neuron of the next layer.
 * Default hidden activation `nn.silu` (as Connex's MLP). Callable with or without `new`.
 *
 * @example
 * const mlp = nn.MLP({ inputSize: 2, outputSize: 1, width: 16, depth: 2 }); // 2*16 + 16*16 + 16 edges
 */
export const MLP = function MLP(options: MLPOptions): NeuralNetwork {
  checkOptions("nn.MLP", options, MLP_OPTION_NAMES);
  const l = layers(options);
  const edges: Edge[] = [];
  for (let k = 0; k + 1 < l.sizes.length; k++) {
    for (const from of range(l.starts[k]!, l.sizes[k]!)) for (const to of range(l.starts[k + 1]!, l.sizes[k + 1]!)) edges.push([from, to]);
  }
  return build(options, edges, l);
} as NetworkFactory<MLPOptions>;

/**
 * A dense MLP: every neuron feeds every neuron of all later layers (DenseNet-style). With
 * `inputSize` 1, `outputSize` 2, `width` 128, `depth` 4 it has 99,842 edges. Default hidden
 * activation `nn.silu`. Callable with or without `new`.
 *
 * @example
 * nn.DenseMLP({ inputSize: 1, outputSize: 2, width: 128, depth: 4 }).numEdges; // 99842
 */
export const DenseMLP = function DenseMLP(options: MLPOptions): NeuralNetwork {
  checkOptions("nn.DenseMLP", options, MLP_OPTION_NAMES);
  const l = layers(options);
  const edges: Edge[] = [];
  for (let k = 0; k + 1 < l.sizes.length; k++) {
    const laterStart = l.starts[k + 1]!;
    for (const from of range(l.starts[k]!, l.sizes[k]!)) for (let to = laterStart; to < l.total; to++) edges.push([from, to]);
  }
  return build(options, edges, l);
} as NetworkFactory<MLPOptions>;
