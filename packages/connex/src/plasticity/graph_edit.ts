/**
 * Copy-on-write edits of a `DirectedGraph`: the result shares the neuron list and every
 * adjacency list that did not change with the original (which is never modified). Cost is
 * one copy of the two adjacency maps plus the changed lists.
 */
import type { DirectedGraph, Edge } from "../graph.js";
import type { NeuronId } from "../neuron_id.js";

/** Mutable copies of the adjacency maps, with lists copied on first write. */
class GraphDraft {
  readonly successors: Map<NeuronId, readonly NeuronId[]>;
  readonly predecessors: Map<NeuronId, readonly NeuronId[]>;
  private readonly copied = new Set<readonly NeuronId[]>();

  constructor(readonly base: DirectedGraph) {
    this.successors = new Map(base.successors);
    this.predecessors = new Map(base.predecessors);
  }

  /** The writable list of `n` in `map` (copied the first time it is written). */
  list(map: Map<NeuronId, readonly NeuronId[]>, n: NeuronId): NeuronId[] {
    const current = map.get(n)!;
    if (this.copied.has(current)) return current as NeuronId[];
    const copy = current.slice();
    this.copied.add(copy);
    map.set(n, copy);
    return copy;
  }
}

/**
 * The graph with `edges` added; edges already present are skipped. Returns the graph and the
 * edges actually added. Every endpoint must be in the graph.
 *
 * @example
 * withEdges(graph, [[0, 2]]).added; // [[0, 2]] unless 0 -> 2 existed
 */
export function withEdges(graph: DirectedGraph, edges: readonly Edge[]): { graph: DirectedGraph; added: Edge[] } {
  const draft = new GraphDraft(graph);
  const successorSets = new Map<NeuronId, Set<NeuronId>>();
  const added: Edge[] = [];
  for (const [from, to] of edges) {
    let set = successorSets.get(from);
    if (!set) successorSets.set(from, (set = new Set(graph.successors.get(from)!)));
    if (set.has(to)) continue;
    set.add(to);
    draft.list(draft.successors, from).push(to);
    draft.list(draft.predecessors, to).push(from);
    added.push([from, to]);
  }
  if (added.length === 0) return { graph, added };
  return { graph: { neurons: graph.neurons, successors: draft.successors, predecessors: draft.predecessors, numEdges: graph.numEdges + added.length }, added };
}

/**
 * The graph without `edges`; edges that are not present are skipped. Returns the graph and
 * the edges actually removed.
 *
 * @example
 * withoutEdges(graph, [[0, 2]]).removed; // [[0, 2]] if 0 -> 2 existed
 */
export function withoutEdges(graph: DirectedGraph, edges: readonly Edge[]): { graph: DirectedGraph; removed: Edge[] } {
  const removedFrom = new Map<NeuronId, Set<NeuronId>>();
  const removedInto = new Map<NeuronId, Set<NeuronId>>();
  const removed: Edge[] = [];
  const successorSets = new Map<NeuronId, Set<NeuronId>>();
  for (const [from, to] of edges) {
    let set = successorSets.get(from);
    if (!set) successorSets.set(from, (set = new Set(graph.successors.get(from)!)));
    if (!set.delete(to)) continue;
    removed.push([from, to]);
    if (!removedFrom.has(from)) removedFrom.set(from, new Set());
    removedFrom.get(from)!.add(to);
    if (!removedInto.has(to)) removedInto.set(to, new Set());
    removedInto.get(to)!.add(from);
  }
  if (removed.length === 0) return { graph, removed };
  const successors = new Map(graph.successors);
  const predecessors = new Map(graph.predecessors);
  for (const [from, tos] of removedFrom) successors.set(from, graph.successors.get(from)!.filter((t) => !tos.has(t)));
  for (const [to, froms] of removedInto) predecessors.set(to, graph.predecessors.get(to)!.filter((f) => !froms.has(f)));
  return { graph: { neurons: graph.neurons, successors, predecessors, numEdges: graph.numEdges - removed.length }, removed };
}

/**
 * The graph with new isolated neurons (appended to the neuron list).
 *
 * @example
 * withNeurons(graph, [9]).neurons.at(-1); // 9
 */
export function withNeurons(graph: DirectedGraph, ids: readonly NeuronId[]): DirectedGraph {
  const successors = new Map(graph.successors);
  const predecessors = new Map(graph.predecessors);
  for (const n of ids) {
    successors.set(n, []);
    predecessors.set(n, []);
  }
  return { neurons: [...graph.neurons, ...ids], successors, predecessors, numEdges: graph.numEdges };
}

/** `list` without the members of `ids` (a copy; one `indexOf` and one native copy when one neuron goes). */
function without(list: readonly NeuronId[], ids: ReadonlySet<NeuronId>): NeuronId[] {
  if (ids.size === 1) {
    const [only] = ids;
    const i = list.indexOf(only!);
    return i >= 0 ? list.toSpliced(i, 1) : list.slice();
  }
  return list.filter((n) => !ids.has(n));
}

/**
 * The graph without the given neurons and every edge touching them.
 *
 * @example
 * withoutNeurons(graph, new Set([3])).successors.has(3); // false
 */
export function withoutNeurons(graph: DirectedGraph, ids: ReadonlySet<NeuronId>): DirectedGraph {
  const successors = new Map(graph.successors);
  const predecessors = new Map(graph.predecessors);
  let lost = 0;
  const touchedSources = new Set<NeuronId>();
  const touchedTargets = new Set<NeuronId>();
  for (const n of ids) {
    for (const s of graph.successors.get(n)!) if (!ids.has(s)) touchedTargets.add(s);
    for (const p of graph.predecessors.get(n)!) {
      if (!ids.has(p)) touchedSources.add(p);
    }
    lost += graph.successors.get(n)!.length + graph.predecessors.get(n)!.filter((p) => !ids.has(p)).length;
    successors.delete(n);
    predecessors.delete(n);
  }
  for (const p of touchedSources) successors.set(p, without(graph.successors.get(p)!, ids));
  for (const s of touchedTargets) predecessors.set(s, without(graph.predecessors.get(s)!, ids));
  return { neurons: graph.neurons.filter((n) => !ids.has(n)), successors, predecessors, numEdges: graph.numEdges - lost };
}
