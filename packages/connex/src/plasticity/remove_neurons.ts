/**
 * `removeNeurons`: remove neurons of any kind, with all their connections.
 */
import { random } from "@connex/core";
import { validateActivation } from "../activation.js";
import { EmptyNeuronListError } from "../errors.js";
import type { NeuralNetwork } from "../network.js";
import { formatNeurons, type NeuronId } from "../neuron_id.js";
import { applyEdit, unchangedCopy } from "./apply_edit.js";
import { withoutNeurons } from "./graph_edit.js";
import { existingNeuronIds } from "./neuron_list.js";

const OP = "removeNeurons";

/**
 * A new network without the given neurons (input, hidden or output) and their connections.
 * Removed inputs drop out of `x`, removed outputs out of the result. Every parameter of the
 * remaining neurons and edges keeps its value; a hidden batch that loses all its neurons
 * disappears, and batches that neither lose neurons nor read a removed one keep their records
 * (`===`). A hidden neuron left without inputs still fires (`activation(bias)`). Throws
 * `UnknownNeuronError` for neurons not in the network and `EmptyNeuronListError` when no input
 * or no output neuron would remain.
 *
 * @example
 * removeNeurons(net, [4]).neurons.includes(4); // false
 */
export function removeNeurons(network: NeuralNetwork, ids: readonly NeuronId[]): NeuralNetwork {
  const { graph, topology, dropout, dtype } = network.structure;
  const removed = new Set(existingNeuronIds(graph, ids, OP));
  if (removed.size === 0) return unchangedCopy(network);
  const inputNeurons = topology.inputNeurons.filter((n) => !removed.has(n));
  const outputNeurons = topology.outputNeurons.filter((n) => !removed.has(n));
  if (inputNeurons.length === 0) {
    throw new EmptyNeuronListError(`${OP}: removing ${formatNeurons(topology.inputNeurons)} would leave no input neuron; a network needs at least one`, topology.inputNeurons);
  }
  if (outputNeurons.length === 0) {
    throw new EmptyNeuronListError(`${OP}: removing ${formatNeurons(topology.outputNeurons)} would leave no output neuron; a network needs at least one`, topology.outputNeurons);
  }
  if (outputNeurons.length !== topology.outputNeurons.length) {
    validateActivation(network.outputTransformation, `${OP}: outputTransformation`, [outputNeurons.length], dtype);
  }
  const newDropout = new Map(dropout);
  for (const n of removed) newDropout.delete(n);
  return applyEdit(network, {
    graph: withoutNeurons(graph, removed),
    inputNeurons,
    outputNeurons,
    hiddenBatches: topology.batches
      .slice(0, -1)
      .map((l) => (l.neurons.some((n) => removed.has(n)) ? l.neurons.filter((n) => !removed.has(n)) : l.neurons))
      .filter((neurons) => neurons.length > 0),
    dropout: newDropout,
    // Losing a removed input is handled by the position map; no edge between survivors changes.
    rewired: new Set(),
    // Nothing new is drawn: removing neurons creates no parameter.
    key: random.key(0),
  });
}
