/**
 * Validation of the neuron lists plasticity functions take: new ids (must not exist yet) and
 * existing ids (must exist), each a list of distinct valid ids.
 */
import { DuplicateNeuronError, InvalidGraphError, UnknownNeuronError } from "../errors.js";
import type { DirectedGraph } from "../graph.js";
import { formatNeuron, formatNeurons, isNeuronId, type NeuronId } from "../neuron_id.js";

function distinctIds(ids: unknown, op: string): NeuronId[] {
  if (!Array.isArray(ids)) throw new InvalidGraphError(`${op}: expected an array of neuron ids, got ${ids === null ? "null" : typeof ids}`);
  const seen = new Set<NeuronId>();
  for (const id of ids as unknown[]) {
    if (!isNeuronId(id)) throw new InvalidGraphError(`${op}: a neuron id must be a finite number or a string, got ${typeof id} ${String(id)}`);
    if (seen.has(id)) throw new DuplicateNeuronError(`${op}: neuron ${formatNeuron(id)} is listed twice`, [id]);
    seen.add(id);
  }
  return ids as NeuronId[];
}

/**
 * `ids` checked to be distinct valid ids none of which is in `graph`; throws
 * `DuplicateNeuronError` naming the ones that already exist.
 *
 * @example
 * newNeuronIds(graph, [7, 8], "addHiddenNeurons"); // [7, 8]
 */
export function newNeuronIds(graph: DirectedGraph, ids: readonly NeuronId[], op: string): NeuronId[] {
  const list = distinctIds(ids, op);
  const existing = list.filter((n) => graph.successors.has(n));
  if (existing.length > 0) {
    throw new DuplicateNeuronError(
      `${op}: ${existing.length === 1 ? "neuron" : "neurons"} ${formatNeurons(existing)} ${existing.length === 1 ? "is" : "are"} already in the network; new neurons need new ids`,
      existing,
    );
  }
  return list;
}

/**
 * `ids` checked to be distinct ids of neurons in `graph`; throws `UnknownNeuronError` naming
 * the missing ones.
 *
 * @example
 * existingNeuronIds(graph, [3], "removeNeurons"); // [3]
 */
export function existingNeuronIds(graph: DirectedGraph, ids: readonly NeuronId[], op: string): NeuronId[] {
  const list = distinctIds(ids, op);
  assertKnown(graph, list, op);
  return list;
}

/**
 * Throw `UnknownNeuronError` naming every neuron of `ids` that is not in `graph`.
 *
 * @example
 * assertKnown(graph, [1, 99], "addConnections"); // throws: neuron [99] is not in the network
 */
export function assertKnown(graph: DirectedGraph, ids: Iterable<NeuronId>, op: string): void {
  const unknown: NeuronId[] = [];
  for (const n of ids) if (!graph.successors.has(n) && !unknown.includes(n)) unknown.push(n);
  if (unknown.length > 0) {
    throw new UnknownNeuronError(`${op}: ${unknown.length === 1 ? "neuron" : "neurons"} ${formatNeurons(unknown)} ${unknown.length === 1 ? "is" : "are"} not in the network`, unknown);
  }
}
