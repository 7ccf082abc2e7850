/**
 * `addConnections`: new edges between existing neurons.
 */
import { InputNeuronEdgeError, OutputNeuronEdgeError } from "../errors.js";
import { checkOptions } from "../arguments.js";
import type { Edge, GraphInput } from "../graph.js";
import type { NeuralNetwork } from "../network.js";
import { formatNeuron, formatNeurons, type NeuronId } from "../neuron_id.js";
import { applyEdit, unchangedCopy } from "./apply_edit.js";
import { hiddenBatchesAfterAdding } from "./batch_order.js";
import { connectionList } from "./connections.js";
import { editKey, type EditOptions } from "./edit_options.js";
import { withEdges } from "./graph_edit.js";
import { assertKnown } from "./neuron_list.js";

const OP = "addConnections";

/** Group edges by one endpoint: endpoint -> the other endpoints. */
function groupBy(edges: readonly Edge[], end: 0 | 1): Map<NeuronId, NeuronId[]> {
  const out = new Map<NeuronId, NeuronId[]>();
  for (const e of edges) {
    const k = e[end];
    if (!out.has(k)) out.set(k, []);
    out.get(k)!.push(e[1 - end]!);
  }
  return out;
}

/**
 * A new network with the given connections added. Connections that already exist are ignored.
 * New weights are drawn from `key` (default `random.key(0)`); every other parameter keeps its
 * value, and batches the new edges do not reach keep their parameter records (`===`).
 * Throws `UnknownNeuronError` for neurons not in the network, `InputNeuronEdgeError` for a
 * connection into an input neuron, `OutputNeuronEdgeError` for one out of an output neuron,
 * and `CycleError` (showing the cycle) when the connections would close a cycle.
 *
 * @example
 * const wider = addConnections(net, [[0, 3]], { key: random.key(1) });
 */
export function addConnections(network: NeuralNetwork, connections: GraphInput, options?: EditOptions): NeuralNetwork {
  checkOptions("addConnections", options, ["key"]);
  const key = editKey(options, OP);
  const edges = connectionList(connections, OP);
  const { graph, topology } = network.structure;
  assertKnown(graph, edges.flat(), OP);
  const inputs = new Set(topology.inputNeurons);
  const outputs = new Set(topology.outputNeurons);
  for (const [to, froms] of groupBy(edges.filter(([, to]) => inputs.has(to)), 1)) {
    throw new InputNeuronEdgeError(`${OP}: input neuron ${formatNeuron(to)} cannot receive connections (from ${formatNeurons(froms)}); input neurons only receive the network's input`, [to, ...froms]);
  }
  for (const [from, tos] of groupBy(edges.filter(([from]) => outputs.has(from)), 0)) {
    throw new OutputNeuronEdgeError(`${OP}: output neuron ${formatNeuron(from)} cannot feed other neurons (to ${formatNeurons(tos)}); output neurons feed nothing`, [from, ...tos]);
  }
  const { graph: edited, added } = withEdges(graph, edges);
  if (added.length === 0) return unchangedCopy(network);
  return applyEdit(network, {
    graph: edited,
    inputNeurons: topology.inputNeurons,
    outputNeurons: topology.outputNeurons,
    hiddenBatches: hiddenBatchesAfterAdding(topology, edited, added, OP),
    dropout: network.structure.dropout,
    rewired: new Set(added.map(([, to]) => to)),
    key,
  });
}
