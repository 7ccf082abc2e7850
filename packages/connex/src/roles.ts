/**
 * Validation of the neurons' roles: input and output lists, and a user-given `topoSort`.
 */
import {
  DuplicateNeuronError,
  EmptyNeuronListError,
  InputNeuronEdgeError,
  InputOutputOverlapError,
  InvalidGraphError,
  InvalidTopoSortError,
  OutputNeuronEdgeError,
  UnknownNeuronError,
} from "./errors.js";
import type { DirectedGraph } from "./graph.js";
import { formatNeuron, formatNeurons, isNeuronId, type NeuronId } from "./neuron_id.js";

function checkList(list: unknown, what: string, graph: DirectedGraph, allowEmpty = false): NeuronId[] {
  if (!Array.isArray(list)) throw new InvalidGraphError(`${what}: expected an array of neuron ids, got ${list === null ? "null" : typeof list}`);
  if (list.length === 0 && !allowEmpty) throw new EmptyNeuronListError(`${what}: a network needs at least one ${what === "inputNeurons" ? "input" : "output"} neuron`);
  const seen = new Set<NeuronId>();
  const unknown: NeuronId[] = [];
  for (const id of list as unknown[]) {
    if (!isNeuronId(id)) throw new InvalidGraphError(`${what}: a neuron id must be a finite number or a string, got ${typeof id}`);
    if (seen.has(id)) throw new DuplicateNeuronError(`${what}: neuron ${formatNeuron(id)} is listed twice`, [id]);
    seen.add(id);
    if (!graph.successors.has(id)) unknown.push(id);
  }
  if (unknown.length > 0) {
    throw new UnknownNeuronError(`${what}: ${unknown.length === 1 ? "neuron" : "neurons"} ${formatNeurons(unknown)} ${unknown.length === 1 ? "is" : "are"} not in the graph (declare isolated neurons with \`neurons\`)`, unknown);
  }
  return list as NeuronId[];
}

/**
 * Check the input and output neuron lists against the graph: non-empty, no repeats, known
 * neurons, no neuron in both, no edge into an input, no edge out of an output.
 *
 * @example
 * validateRoles(parseGraph({ 0: [1] }), [0], [1]); // ok; validateRoles(g, [0], [0]) throws InputOutputOverlapError
 */
export function validateRoles(graph: DirectedGraph, inputNeurons: readonly NeuronId[], outputNeurons: readonly NeuronId[]): void {
  checkList(inputNeurons, "inputNeurons", graph);
  checkList(outputNeurons, "outputNeurons", graph);
  const inputs = new Set(inputNeurons);
  const both = outputNeurons.filter((n) => inputs.has(n));
  if (both.length > 0) {
    throw new InputOutputOverlapError(`neurons ${formatNeurons(both)} are both input and output neurons`, both);
  }
  for (const n of inputNeurons) {
    const preds = graph.predecessors.get(n)!;
    if (preds.length > 0) {
      throw new InputNeuronEdgeError(`input neuron ${formatNeuron(n)} has incoming edges from ${formatNeurons(preds)}; input neurons only receive the network's input`, [n, ...preds]);
    }
  }
  for (const n of outputNeurons) {
    const succ = graph.successors.get(n)!;
    if (succ.length > 0) {
      throw new OutputNeuronEdgeError(`output neuron ${formatNeuron(n)} has outgoing edges to ${formatNeurons(succ)}; output neurons feed nothing`, [n, ...succ]);
    }
  }
}

/**
 * Check that `topoSort` lists every neuron of the graph exactly once with every edge pointing
 * forward. Assumes the graph is acyclic (checked before).
 *
 * @example
 * validateTopoSort(parseGraph({ 0: [1] }), [1, 0]); // throws InvalidTopoSortError naming the edge 0 -> 1
 */
export function validateTopoSort(graph: DirectedGraph, topoSort: readonly NeuronId[]): void {
  if (!Array.isArray(topoSort)) throw new InvalidTopoSortError(`topoSort: expected an array of neuron ids, got ${topoSort === null ? "null" : typeof topoSort}`);
  const index = new Map<NeuronId, number>();
  topoSort.forEach((id, i) => {
    if (!graph.successors.has(id)) throw new InvalidTopoSortError(`topoSort: neuron ${formatNeuron(id)} is not in the graph`, [id]);
    if (index.has(id)) throw new InvalidTopoSortError(`topoSort: neuron ${formatNeuron(id)} is listed twice`, [id]);
    index.set(id, i);
  });
  const missing = graph.neurons.filter((n) => !index.has(n));
  if (missing.length > 0) throw new InvalidTopoSortError(`topoSort: neurons ${formatNeurons(missing)} of the graph are missing`, missing);
  for (const from of topoSort) {
    for (const to of graph.successors.get(from)!) {
      if (index.get(to)! < index.get(from)!) {
        throw new InvalidTopoSortError(`topoSort: the edge ${formatNeuron(from)} -> ${formatNeuron(to)} points backwards (${formatNeuron(to)} comes before ${formatNeuron(from)})`, [from, to]);
      }
    }
  }
}
