/**
 * `removeConnections`: remove edges; the neurons stay.
 */
import type { GraphInput } from "../graph.js";
import type { NeuralNetwork } from "../network.js";
import { random } from "@connex/core";
import { applyEdit, unchangedCopy } from "./apply_edit.js";
import { connectionList } from "./connections.js";
import { withoutEdges } from "./graph_edit.js";
import { assertKnown } from "./neuron_list.js";

const OP = "removeConnections";

/**
 * A new network without the given connections. Connections that do not exist (between
 * existing neurons) are ignored; unknown neurons throw `UnknownNeuronError`. Every remaining
 * parameter keeps its value, the batch partition is kept (removing edges never forces a
 * neuron to move), and batches whose inputs did not change keep their records (`===`). A
 * hidden neuron left without inputs still fires: `activation(bias)`.
 *
 * @example
 * const pruned = removeConnections(net, { 0: [3] });
 */
export function removeConnections(network: NeuralNetwork, connections: GraphInput): NeuralNetwork {
  const edges = connectionList(connections, OP);
  const { graph, topology } = network.structure;
  assertKnown(graph, edges.flat(), OP);
  const { graph: edited, removed } = withoutEdges(graph, edges);
  if (removed.length === 0) return unchangedCopy(network);
  return applyEdit(network, {
    graph: edited,
    inputNeurons: topology.inputNeurons,
    outputNeurons: topology.outputNeurons,
    hiddenBatches: topology.batches.slice(0, -1).map((l) => l.neurons),
    dropout: network.structure.dropout,
    rewired: new Set(removed.map(([, to]) => to)),
    // Nothing new is drawn: removing edges creates no parameter.
    key: random.key(0),
  });
}
