import { np } from "@connex/core";
import { NETWORK_OPTION_NAMES } from "./options.js";
import { checkOptions } from "./arguments.js";
import { InvalidGraphError } from "./errors.js";
import type { WeightInitializer } from "./init.js";
import { NeuralNetwork, type WeightedGraph } from "./network.js";
import type { NeuronId } from "./neuron_id.js";
import type { NetworkOptions } from "./options.js";

/** Options of `fromWeightedGraph`: every network option except what the weighted graph gives. */
export type FromWeightedGraphOptions = Omit<NetworkOptions, "graph" | "inputNeurons" | "outputNeurons" | "neurons" | "init">;

const edgeKey = (from: NeuronId, to: NeuronId) => `${typeof from}:${String(from)}->${typeof to}:${String(to)}`;

/**
 * Build a network from a weighted graph (e.g. one exported with `toWeightedGraph()`, possibly
 * edited or analysed elsewhere): its neurons, edges, input/output neurons, edge weights and
 * biases. The other options (activation, output transformation, features, dtype, key for the
 * feature parameters) come from `options`; with the same options as the exported network the
 * forward outputs are the same.
 *
 * @example
 * const copy = cnx.fromWeightedGraph(net.toWeightedGraph(), { hiddenActivation: nn.relu });
 * copy.forward(x); // equals net.forward(x)
 */
export function fromWeightedGraph(wg: WeightedGraph, options: FromWeightedGraphOptions = {}): NeuralNetwork {
  const fields = ["nodes", "edges", "inputNeurons", "outputNeurons", "biases"] as const;
  const missing = typeof wg === "object" && wg !== null ? fields.find((f) => !Array.isArray(wg[f])) : "nodes";
  if (missing !== undefined) {
    throw new InvalidGraphError(`fromWeightedGraph: expected a weighted graph { ${fields.join(", ")} } (arrays), ${typeof wg === "object" && wg !== null ? `but ${missing} is not an array` : `got ${typeof wg}`}`);
  }
  checkOptions("fromWeightedGraph", options, NETWORK_OPTION_NAMES.filter((n) => n !== "init"));
  const weights = new Map<string, number>();
  for (const e of wg.edges) {
    if (!Number.isFinite(e.weight)) {
      throw new InvalidGraphError(`fromWeightedGraph: edge ${String(e.from)} -> ${String(e.to)} has a non-finite weight ${e.weight}`, [e.from, e.to]);
    }
    weights.set(edgeKey(e.from, e.to), e.weight);
  }
  const biases = new Map<NeuronId, number>();
  for (const { neuron, bias } of wg.biases ?? []) biases.set(neuron, bias);
  const init: WeightInitializer = (_key, [rows, cols], context) => {
    const block = new Float64Array(rows * cols);
    context.neurons.forEach((to, r) => {
      context.columns.forEach((from, c) => {
        block[r * cols + c] = weights.get(edgeKey(from, to)) ?? 0;
      });
      block[r * cols + cols - 1] = biases.get(to) ?? 0;
    });
    return np.reshape(np.array(block, { dtype: context.dtype }), [rows, cols]);
  };
  return new NeuralNetwork({
    ...options,
    graph: wg.edges.map((e) => [e.from, e.to] as [NeuronId, NeuronId]),
    neurons: wg.nodes,
    inputNeurons: wg.inputNeurons,
    outputNeurons: wg.outputNeurons,
    init,
  });
}
