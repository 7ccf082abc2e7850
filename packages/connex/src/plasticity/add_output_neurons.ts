/**
 * `addOutputNeurons`: new isolated output neurons, after the existing ones.
 */
import { validateActivation } from "../activation.js";
import { checkOptions } from "../arguments.js";
import type { NeuralNetwork } from "../network.js";
import type { NeuronId } from "../neuron_id.js";
import { applyEdit, unchangedCopy } from "./apply_edit.js";
import { editKey, type EditOptions } from "./edit_options.js";
import { withNeurons } from "./graph_edit.js";
import { newNeuronIds } from "./neuron_list.js";

const OP = "addOutputNeurons";

/**
 * A new network with new output neurons after the existing ones (so `forward` returns more
 * values, the new ones last) and no connections yet: until connected, a new output is its
 * bias, drawn from `key` (default `random.key(0)`). Only the output batch's record changes;
 * hidden batches keep theirs (`===`). Ids must be new (`DuplicateNeuronError`), and the
 * output transformation must accept the longer output (`ActivationShapeError`).
 *
 * @example
 * addOutputNeurons(net, ["extra"]).outputNeurons; // [...net.outputNeurons, "extra"]
 */
export function addOutputNeurons(network: NeuralNetwork, ids: readonly NeuronId[], options?: EditOptions): NeuralNetwork {
  checkOptions("addOutputNeurons", options, ["key"]);
  const key = editKey(options, OP);
  const { graph, topology, dropout, dtype } = network.structure;
  const added = newNeuronIds(graph, ids, OP);
  if (added.length === 0) return unchangedCopy(network);
  const outputNeurons = [...topology.outputNeurons, ...added];
  validateActivation(network.outputTransformation, `${OP}: outputTransformation`, [outputNeurons.length], dtype);
  const newDropout = new Map(dropout);
  for (const n of added) newDropout.set(n, 0);
  return applyEdit(network, {
    graph: withNeurons(graph, added),
    inputNeurons: topology.inputNeurons,
    outputNeurons,
    hiddenBatches: topology.batches.slice(0, -1).map((l) => l.neurons),
    dropout: newDropout,
    rewired: new Set(),
    key,
  });
}
