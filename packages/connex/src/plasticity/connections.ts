/**
 * The `connections` argument of `addConnections` / `removeConnections`: an edge list, an
 * adjacency object (keys that spell integers mean numbers, as in a network's `graph`) or a
 * `Map` neuron -> successors, normalised to a list of distinct edges in the order given.
 */
import { InvalidGraphError } from "../errors.js";
import type { Edge, GraphInput } from "../graph.js";
import { formatNeuron, isNeuronId, neuronIdFromKey, type NeuronId } from "../neuron_id.js";

function describe(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "an array";
  if (typeof x === "object") return `a ${(Object.getPrototypeOf(x) as { constructor?: { name?: string } } | null)?.constructor?.name ?? "object"}`;
  return `${typeof x} ${String(x)}`;
}

function checkId(x: unknown, op: string): NeuronId {
  if (!isNeuronId(x)) throw new InvalidGraphError(`${op}: a neuron id must be a finite number or a string, got ${describe(x)}`);
  return x;
}

/**
 * The distinct edges described by `connections` (a repeated edge is kept once), in order.
 * Throws `InvalidGraphError` naming `op` for malformed data.
 *
 * @example
 * connectionList({ 0: [1, 2] }, "addConnections"); // [[0, 1], [0, 2]]
 */
export function connectionList(connections: GraphInput, op: string): Edge[] {
  const edges: Edge[] = [];
  const seen = new Map<NeuronId, Set<NeuronId>>();
  const push = (from: NeuronId, to: NeuronId) => {
    let tos = seen.get(from);
    if (!tos) seen.set(from, (tos = new Set()));
    if (tos.has(to)) return;
    tos.add(to);
    edges.push([from, to]);
  };
  const successors = (from: NeuronId, succ: unknown) => {
    if (!Array.isArray(succ)) {
      throw new InvalidGraphError(`${op}: the new successors of neuron ${formatNeuron(from)} must be an array, got ${describe(succ)}`);
    }
    for (const to of succ) push(from, checkId(to, op));
  };
  if (Array.isArray(connections)) {
    connections.forEach((e: unknown, i) => {
      if (!Array.isArray(e) || e.length !== 2) {
        throw new InvalidGraphError(`${op}: connection ${i} must be a [from, to] pair, got ${describe(e)}${Array.isArray(e) ? ` of length ${e.length}` : ""}`);
      }
      push(checkId(e[0], op), checkId(e[1], op));
    });
  } else if (connections instanceof Map) {
    for (const [from, succ] of connections) successors(checkId(from, op), succ);
  } else if (
    typeof connections === "object" &&
    connections !== null &&
    (Object.getPrototypeOf(connections) === Object.prototype || Object.getPrototypeOf(connections) === null)
  ) {
    for (const key of Object.keys(connections)) successors(neuronIdFromKey(key), (connections as Record<string, unknown>)[key]);
  } else {
    throw new InvalidGraphError(`${op}: connections must be an edge list, an adjacency object or a Map, got ${describe(connections)}`);
  }
  return edges;
}
