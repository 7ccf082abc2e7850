/**
 * `addInputNeurons`: new isolated input neurons, placed before the existing ones.
 */
import type { NeuralNetwork } from "../network.js";
import { checkOptions } from "../arguments.js";
import type { NeuronId } from "../neuron_id.js";
import { applyEdit, unchangedCopy } from "./apply_edit.js";
import { editKey, type EditOptions } from "./edit_options.js";
import { withNeurons } from "./graph_edit.js";
import { newNeuronIds } from "./neuron_list.js";

const OP = "addInputNeurons";

/**
 * A new network with new input neurons (no connections yet: add them with `addConnections`).
 * They come *before* the existing inputs, as in Python Connex: inputs `[0, 1]` plus `[2, 3]`
 * become `[2, 3, 0, 1]`, so `x` gains leading entries. Ids must be new (`DuplicateNeuronError`
 * otherwise). Nothing reads the new inputs yet, so every parameter record is shared (`===`).
 * `options.key` is accepted for symmetry with the other additions (nothing is drawn).
 *
 * @example
 * addInputNeurons(net, ["bias"]).inputNeurons; // ["bias", ...net.inputNeurons]
 */
export function addInputNeurons(network: NeuralNetwork, ids: readonly NeuronId[], options?: EditOptions): NeuralNetwork {
  checkOptions("addInputNeurons", options, ["key"]);
  const key = editKey(options, OP);
  const { graph, topology, dropout } = network.structure;
  const added = newNeuronIds(graph, ids, OP);
  if (added.length === 0) return unchangedCopy(network);
  const newDropout = new Map(dropout);
  for (const n of added) newDropout.set(n, 0);
  return applyEdit(network, {
    graph: withNeurons(graph, added),
    inputNeurons: [...added, ...topology.inputNeurons],
    outputNeurons: topology.outputNeurons,
    hiddenBatches: topology.batches.slice(0, -1).map((l) => l.neurons),
    dropout: newDropout,
    rewired: new Set(),
    key,
  });
}
