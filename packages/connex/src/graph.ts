/**
 * The network's graph as data: parsing of the three accepted forms (edge list, adjacency
 * object, `Map`) into one normalised `DirectedGraph`, and cycle finding.
 */
import { CycleError, DuplicateNeuronError, InvalidGraphError } from "./errors.js";
import { formatNeuron, isNeuronId, neuronIdFromKey, type NeuronId } from "./neuron_id.js";

/** An edge `[from, to]`: `from` feeds `to`. */
export type Edge = readonly [from: NeuronId, to: NeuronId];

/**
 * A graph as users write it: an edge list, an adjacency object (neuron -> successors; keys
 * that spell integers mean numbers) or a `Map` (neuron -> successors).
 */
export type GraphInput =
  | readonly Edge[]
  | Readonly<Record<string, readonly NeuronId[]>>
  | ReadonlyMap<NeuronId, readonly NeuronId[]>;

/**
 * A directed graph with both adjacency directions. Every neuron has an entry (possibly empty)
 * in both maps; successor and predecessor lists are in the order the edges were given.
 */
export interface DirectedGraph {
  /** Every neuron, in order of first appearance. */
  readonly neurons: readonly NeuronId[];
  readonly successors: ReadonlyMap<NeuronId, readonly NeuronId[]>;
  readonly predecessors: ReadonlyMap<NeuronId, readonly NeuronId[]>;
  readonly numEdges: number;
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "an array";
  if (typeof x === "object") return `a ${(Object.getPrototypeOf(x) as { constructor?: { name?: string } } | null)?.constructor?.name ?? "object"}`;
  return `${typeof x} ${String(x)}`;
}

function checkId(x: unknown, where: string): NeuronId {
  if (!isNeuronId(x)) throw new InvalidGraphError(`${where}: a neuron id must be a finite number or a string, got ${describe(x)}`);
  return x;
}

/** The edges a `GraphInput` describes, in order, with neurons that appear without edges. */
function edgesOf(input: GraphInput): { edges: Edge[]; keys: NeuronId[] } {
  const edges: Edge[] = [];
  const keys: NeuronId[] = [];
  const successorList = (from: NeuronId, succ: unknown, where: string) => {
    if (!Array.isArray(succ)) {
      throw new InvalidGraphError(`${where}: the successors of neuron ${formatNeuron(from)} must be an array, got ${describe(succ)}`);
    }
    keys.push(from);
    for (const to of succ) edges.push([from, checkId(to, where)]);
  };
  if (Array.isArray(input)) {
    input.forEach((e: unknown, i) => {
      if (!Array.isArray(e) || e.length !== 2) {
        throw new InvalidGraphError(`graph: edge ${i} must be a [from, to] pair, got ${describe(e)}${Array.isArray(e) ? ` of length ${e.length}` : ""}`);
      }
      edges.push([checkId(e[0], "graph"), checkId(e[1], "graph")]);
    });
  } else if (input instanceof Map) {
    for (const [from, succ] of input) successorList(checkId(from, "graph"), succ, "graph");
  } else if (typeof input === "object" && input !== null && (Object.getPrototypeOf(input) === Object.prototype || Object.getPrototypeOf(input) === null)) {
    for (const key of Object.keys(input)) successorList(neuronIdFromKey(key), (input as Record<string, unknown>)[key], "graph");
  } else {
    throw new InvalidGraphError(`graph: expected an edge list, an adjacency object or a Map, got ${describe(input)}`);
  }
  return { edges, keys };
}

/**
 * Normalise a user's graph, plus `extraNeurons` that may have no edges, into a `DirectedGraph`.
 * Throws `InvalidGraphError` on malformed data and `DuplicateNeuronError` on a repeated edge
 * or a repeated extra neuron. Cycles are not checked here (see `findCycle`).
 *
 * @example
 * parseGraph({ 0: [1, 2], 1: [2] }).predecessors.get(2); // [0, 1]
 */
export function parseGraph(input: GraphInput, extraNeurons: readonly NeuronId[] = []): DirectedGraph {
  const { edges, keys } = edgesOf(input);
  const successors = new Map<NeuronId, NeuronId[]>();
  const predecessors = new Map<NeuronId, NeuronId[]>();
  const neurons: NeuronId[] = [];
  const add = (id: NeuronId) => {
    if (!successors.has(id)) {
      successors.set(id, []);
      predecessors.set(id, []);
      neurons.push(id);
    }
  };
  const seenEdges = new Map<NeuronId, Set<NeuronId>>();
  for (const k of keys) add(k);
  for (const [from, to] of edges) {
    add(from);
    add(to);
    let tos = seenEdges.get(from);
    if (!tos) seenEdges.set(from, (tos = new Set()));
    if (tos.has(to)) {
      throw new DuplicateNeuronError(`graph: the edge ${formatNeuron(from)} -> ${formatNeuron(to)} is given twice`, [from, to]);
    }
    tos.add(to);
    successors.get(from)!.push(to);
    predecessors.get(to)!.push(from);
  }
  const extraSeen = new Set<NeuronId>();
  for (const id of extraNeurons) {
    checkId(id, "neurons");
    if (extraSeen.has(id)) throw new DuplicateNeuronError(`neurons: neuron ${formatNeuron(id)} is listed twice`, [id]);
    extraSeen.add(id);
    add(id);
  }
  return { neurons, successors, predecessors, numEdges: edges.length };
}

/**
 * One directed cycle of the graph, as a path whose last neuron repeats the first
 * (`[1, 2, 3, 1]`), or `null` when the graph is acyclic. Iterative depth-first search, so
 * deep graphs do not overflow the stack.
 *
 * @example
 * findCycle(parseGraph({ 0: [1], 1: [2], 2: [1] })); // [1, 2, 1]
 */
export function findCycle(graph: DirectedGraph): NeuronId[] | null {
  const WHITE = 0;
  const GREY = 1;
  const BLACK = 2;
  const colour = new Map<NeuronId, number>();
  for (const n of graph.neurons) colour.set(n, WHITE);
  for (const root of graph.neurons) {
    if (colour.get(root) !== WHITE) continue;
    // The path from `root` to the current neuron, with the next successor to visit for each.
    const path: NeuronId[] = [root];
    const nextChild: number[] = [0];
    colour.set(root, GREY);
    while (path.length > 0) {
      const top = path.length - 1;
      const node = path[top]!;
      const succ = graph.successors.get(node)!;
      if (nextChild[top]! < succ.length) {
        const child = succ[nextChild[top]!]!;
        nextChild[top]!++;
        const c = colour.get(child);
        if (c === GREY) return [...path.slice(path.indexOf(child)), child];
        if (c === WHITE) {
          colour.set(child, GREY);
          path.push(child);
          nextChild.push(0);
        }
      } else {
        colour.set(node, BLACK);
        path.pop();
        nextChild.pop();
      }
    }
  }
  return null;
}

/**
 * Throw `CycleError` showing one cycle if the graph has any.
 *
 * @example
 * assertAcyclic(parseGraph([[0, 1], [1, 0]])); // throws CycleError "... 0 -> 1 -> 0"
 */
export function assertAcyclic(graph: DirectedGraph): void {
  const cycle = findCycle(graph);
  if (cycle) {
    throw new CycleError(`graph: the graph must be acyclic, but it has the cycle ${cycle.map(formatNeuron).join(" -> ")}`, cycle);
  }
}

/**
 * Every edge of the graph, grouped by source neuron in the order of `neurons`.
 *
 * @example
 * graphEdges(parseGraph({ 0: [1, 2] })); // [[0, 1], [0, 2]]
 */
export function graphEdges(graph: DirectedGraph, neurons: readonly NeuronId[] = graph.neurons): Edge[] {
  const out: Edge[] = [];
  for (const from of neurons) for (const to of graph.successors.get(from)!) out.push([from, to]);
  return out;
}
