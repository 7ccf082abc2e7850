/**
 * Incremental batch bookkeeping for added edges. The hidden neurons of a network are
 * partitioned into batches that fire in order, with every edge pointing into a later batch;
 * that order is a certificate of acyclicity. A new edge `u -> v` that already points forward
 * needs nothing. A *backward* one (`batch(u) >= batch(v)`) needs
 *  1. a cycle check, by reachability from its head `v`: a cycle must use a backward edge, and
 *     a neuron in a batch after the last backward edge's tail can never come back, so the
 *     search stays among batches up to that one;
 *  2. a repair: `v` and the descendants that must follow it move to the earliest later batch
 *     that respects every edge (a longest-path relaxation over the affected descendants only),
 *     appending new batches at the end when needed. Neurons that need not move stay.
 */
import { CycleError } from "../errors.js";
import type { DirectedGraph, Edge } from "../graph.js";
import { formatNeuron, type NeuronId } from "../neuron_id.js";
import type { NetworkTopology } from "../topology.js";

/**
 * Batch index of the neuron at each position: inputs -1, hidden neurons their batch, outputs
 * the output batch. One native fill per batch, so it costs far less than a map by neuron.
 *
 * @example
 * batchByPosition(net.structure.topology)[net.structure.topology.position.get(5)!]; // 1 if 5 fires in batch 1
 */
export function batchByPosition(topology: NetworkTopology): Int32Array {
  const out = new Int32Array(topology.order.length).fill(-1);
  topology.batches.forEach((layout, b) => out.fill(b, layout.start, layout.start + layout.neurons.length));
  return out;
}

/**
 * Batch index of each neuron: inputs -1, hidden neurons their batch, outputs the output batch.
 *
 * @example
 * batchIndexOf(net.structure.topology).get(0); // -1 for an input
 */
export function batchIndexOf(topology: NetworkTopology): Map<NeuronId, number> {
  const out = new Map<NeuronId, number>();
  for (const n of topology.inputNeurons) out.set(n, -1);
  topology.batches.forEach((layout, b) => layout.neurons.forEach((n) => out.set(n, b)));
  return out;
}

/**
 * One cycle through the heads of the backward edges, searching only neurons whose batch is at
 * most `maxBatch`; `null` if there is none. Iterative depth-first search.
 *
 * @example
 * cycleFrom(graph, [2], batchIndex, 1); // [2, 3, 2] if 2 -> 3 -> 2
 */
export function cycleFrom(graph: DirectedGraph, heads: readonly NeuronId[], batchIndex: ReadonlyMap<NeuronId, number>, maxBatch: number): NeuronId[] | null {
  const GREY = 1;
  const BLACK = 2;
  const colour = new Map<NeuronId, number>();
  for (const root of heads) {
    if (colour.has(root)) continue;
    const path: NeuronId[] = [root];
    const next: number[] = [0];
    colour.set(root, GREY);
    while (path.length > 0) {
      const top = path.length - 1;
      const node = path[top]!;
      const succ = graph.successors.get(node)!;
      if (next[top]! < succ.length) {
        const child = succ[next[top]!++]!;
        if (batchIndex.get(child)! > maxBatch) continue;
        const c = colour.get(child);
        if (c === GREY) return [...path.slice(path.indexOf(child)), child];
        if (c === undefined) {
          colour.set(child, GREY);
          path.push(child);
          next.push(0);
        }
      } else {
        colour.set(node, BLACK);
        path.pop();
        next.pop();
      }
    }
  }
  return null;
}

/**
 * The hidden batches after adding `added` (already in `graph`). Returns the old batches when
 * every new edge points forward. Throws `CycleError` (showing the cycle) when an edge closes one.
 *
 * @example
 * hiddenBatchesAfterAdding(topology, graph, [[1, 2]], "addConnections"); // [[1], [2, 3]] when 1 and 2 shared a batch
 */
export function hiddenBatchesAfterAdding(topology: NetworkTopology, graph: DirectedGraph, added: readonly Edge[], op: string): (readonly NeuronId[])[] {
  const outputBatch = topology.batches.length - 1;
  const hiddenBatches = topology.batches.slice(0, outputBatch).map((l) => l.neurons);
  const byPosition = batchByPosition(topology);
  const batchOf = (n: NeuronId) => byPosition[topology.position.get(n)!]!;
  const backward = added.filter(([u, v]) => batchOf(u) >= batchOf(v));
  if (backward.length === 0) return hiddenBatches;
  // Only backward edges need the search and the repair below, which read batches by neuron.
  const batchIndex = batchIndexOf(topology);

  const heads = [...new Set(backward.map(([, v]) => v))];
  const maxTail = Math.max(...backward.map(([u]) => batchIndex.get(u)!));
  const cycle = cycleFrom(graph, heads, batchIndex, maxTail);
  if (cycle) {
    throw new CycleError(`${op}: the new connections would create the cycle ${cycle.map(formatNeuron).join(" -> ")}`, cycle);
  }

  // Hidden descendants of the heads, then a longest-path relaxation over them in topological order.
  const region = new Set<NeuronId>(heads);
  const stack = heads.slice();
  while (stack.length > 0) {
    for (const s of graph.successors.get(stack.pop()!)!) {
      if (batchIndex.get(s)! < outputBatch && !region.has(s)) {
        region.add(s);
        stack.push(s);
      }
    }
  }
  const pending = new Map<NeuronId, number>();
  for (const n of region) pending.set(n, graph.predecessors.get(n)!.filter((p) => region.has(p)).length);
  const ready = [...region].filter((n) => pending.get(n) === 0);
  const newBatch = new Map<NeuronId, number>();
  for (let i = 0; i < ready.length; i++) {
    const n = ready[i]!;
    let b = batchIndex.get(n)!;
    for (const p of graph.predecessors.get(n)!) b = Math.max(b, (newBatch.get(p) ?? batchIndex.get(p)!) + 1);
    newBatch.set(n, b);
    for (const s of graph.successors.get(n)!) {
      if (!region.has(s)) continue;
      const left = pending.get(s)! - 1;
      pending.set(s, left);
      if (left === 0) ready.push(s);
    }
  }

  // Stayers keep their order; arrivals follow them in their old firing order.
  const movers = [...newBatch].filter(([n, b]) => b !== batchIndex.get(n)!).map(([n]) => n);
  if (movers.length === 0) return hiddenBatches;
  const moved = new Set(movers);
  const position = topology.position;
  movers.sort((a, b) => position.get(a)! - position.get(b)!);
  const lastBatch = Math.max(outputBatch - 1, ...movers.map((n) => newBatch.get(n)!));
  const out: NeuronId[][] = Array.from({ length: lastBatch + 1 }, (_, b) => (b < outputBatch ? hiddenBatches[b]!.filter((n) => !moved.has(n)) : []));
  for (const n of movers) out[newBatch.get(n)!]!.push(n);
  return out.filter((batch) => batch.length > 0);
}
