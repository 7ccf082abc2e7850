/**
 * `addHiddenNeurons`: new isolated hidden neurons.
 */
import type { NeuralNetwork } from "../network.js";
import { checkOptions } from "../arguments.js";
import type { NeuronId } from "../neuron_id.js";
import { applyEdit, unchangedCopy } from "./apply_edit.js";
import { editKey, type EditOptions } from "./edit_options.js";
import { withNeurons } from "./graph_edit.js";
import { newNeuronIds } from "./neuron_list.js";

const OP = "addHiddenNeurons";

/**
 * A new network with new hidden neurons and no connections yet (add them with
 * `addConnections`). As in Python Connex they fire in the last hidden batch (a new batch when
 * there is none), right before the outputs, so connections into them from any earlier neuron
 * and out of them into outputs need no reordering. Until connected, a new neuron fires
 * `activation(bias)`. Their biases (and adaptive-activation/attention parameters) are drawn
 * from `key` (default `random.key(0)`); every other batch's record is shared (`===`). Ids must
 * be new (`DuplicateNeuronError` otherwise).
 *
 * @example
 * addHiddenNeurons(net, [100, 101], { key: random.key(3) }).hiddenNeurons; // [..., 100, 101]
 */
export function addHiddenNeurons(network: NeuralNetwork, ids: readonly NeuronId[], options?: EditOptions): NeuralNetwork {
  checkOptions("addHiddenNeurons", options, ["key"]);
  const key = editKey(options, OP);
  const { graph, topology, dropout } = network.structure;
  const added = newNeuronIds(graph, ids, OP);
  if (added.length === 0) return unchangedCopy(network);
  const hiddenBatches = topology.batches.slice(0, -1).map((l) => l.neurons);
  if (hiddenBatches.length === 0) hiddenBatches.push(added);
  else hiddenBatches[hiddenBatches.length - 1] = [...hiddenBatches[hiddenBatches.length - 1]!, ...added];
  const newDropout = new Map(dropout);
  for (const n of added) newDropout.set(n, 0);
  return applyEdit(network, {
    graph: withNeurons(graph, added),
    inputNeurons: topology.inputNeurons,
    outputNeurons: topology.outputNeurons,
    hiddenBatches,
    dropout: newDropout,
    rewired: new Set(),
    key,
  });
}
