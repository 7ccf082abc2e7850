/**
 * Topological order, topological batches and the index tables the forward pass reads.
 *
 * Positions: every neuron has a position in the network's value vector. Inputs come first (in
 * `inputNeurons` order), then hidden neurons batch by batch, then the output neurons (in
 * `outputNeurons` order) as the last batch. The values are kept as a list of chunks, one per
 * batch (chunk 0 holds the inputs), so a batch's position range maps to chunk slices.
 *
 * Batches: hidden neurons are grouped greedily along the hidden order (a neuron opens a new
 * batch when one of its inputs is in the current batch). With the default order (hidden
 * neurons by Kahn level: 1 + the deepest of their inputs, inputs being level 0) this gives
 * exactly the Kahn levels; with a user `topoSort` it follows that order, as Python Connex does.
 * All output neurons fire together in one final batch: they feed nothing, so waiting for the
 * last hidden batch costs nothing, and it keeps them contiguous at the end.
 */
import type { DirectedGraph } from "./graph.js";
import type { NeuronId } from "./neuron_id.js";

/** A slice `[from, to)` of one value chunk (chunk 0 = inputs, chunk k = batch k - 1). */
export interface InputSegment {
  readonly chunk: number;
  readonly from: number;
  readonly to: number;
}

/** Static layout of one topological batch: which neurons fire and what they read. */
export interface BatchLayout {
  /** `"hidden"` batches apply the hidden activation; the `"output"` batch is affine only. */
  readonly kind: "hidden" | "output";
  /** The batch's neurons, in position order. */
  readonly neurons: readonly NeuronId[];
  /** Position of the batch's first neuron in the value vector. */
  readonly start: number;
  /** First position the batch reads: the smallest position among its neurons' inputs. */
  readonly inputStart: number;
  /** One past the last position read; `inputEnd - inputStart` is the weight block's width. */
  readonly inputEnd: number;
  /** The chunk slices that, concatenated, give positions `[inputStart, inputEnd)`. */
  readonly segments: readonly InputSegment[];
  /** For each neuron, the columns (`position - inputStart`) of its inputs, ascending. */
  readonly inputColumns: readonly (readonly number[])[];
}

/** The whole network's order and batches. */
export interface NetworkTopology {
  /** Every neuron by position: inputs, hidden neurons batch by batch, outputs. */
  readonly order: readonly NeuronId[];
  readonly position: ReadonlyMap<NeuronId, number>;
  readonly inputNeurons: readonly NeuronId[];
  readonly outputNeurons: readonly NeuronId[];
  /** Hidden neurons in position order. */
  readonly hiddenNeurons: readonly NeuronId[];
  /** The firing batches in order; the last is the output batch. */
  readonly batches: readonly BatchLayout[];
}

/**
 * Hidden neurons sorted by Kahn level (ties in graph order). Level of an input = 0; of any
 * other neuron = 1 + the largest level among its inputs (1 when it has none).
 *
 * @example
 * hiddenByLevel(parseGraph({ 0: [1, 2], 1: [2], 2: [3] }), new Set([0]), new Set([3])); // [1, 2]
 */
export function hiddenByLevel(graph: DirectedGraph, inputs: ReadonlySet<NeuronId>, outputs: ReadonlySet<NeuronId>): NeuronId[] {
  const level = new Map<NeuronId, number>();
  const pending = new Map<NeuronId, number>();
  const ready: NeuronId[] = [];
  for (const n of graph.neurons) {
    const k = graph.predecessors.get(n)!.length;
    pending.set(n, k);
    if (k === 0) ready.push(n);
  }
  for (let i = 0; i < ready.length; i++) {
    const n = ready[i]!;
    let l = inputs.has(n) ? 0 : 1;
    for (const p of graph.predecessors.get(n)!) l = Math.max(l, level.get(p)! + 1);
    level.set(n, l);
    for (const s of graph.successors.get(n)!) {
      const left = pending.get(s)! - 1;
      pending.set(s, left);
      if (left === 0) ready.push(s);
    }
  }
  const graphIndex = new Map(graph.neurons.map((n, i) => [n, i]));
  return graph.neurons
    .filter((n) => !inputs.has(n) && !outputs.has(n))
    .sort((a, b) => level.get(a)! - level.get(b)! || graphIndex.get(a)! - graphIndex.get(b)!);
}

/**
 * Group hidden neurons, in the given (topological) order, into batches: a neuron opens a new
 * batch when one of its inputs is in the current batch.
 *
 * @example
 * greedyBatches(parseGraph({ 0: [1, 2], 1: [3] }), [1, 2, 3]); // [[1, 2], [3]]
 */
export function greedyBatches(graph: DirectedGraph, hiddenOrder: readonly NeuronId[]): NeuronId[][] {
  const batches: NeuronId[][] = [];
  let current: NeuronId[] = [];
  let inCurrent = new Set<NeuronId>();
  for (const n of hiddenOrder) {
    if (graph.predecessors.get(n)!.some((p) => inCurrent.has(p))) {
      batches.push(current);
      current = [];
      inCurrent = new Set();
    }
    current.push(n);
    inCurrent.add(n);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * The chunk slices covering positions `[lo, hi)`, given each chunk's start position
 * (`chunkStarts[k]`) and the total length `end`.
 *
 * @example
 * segmentsFor(1, 5, [0, 2, 4], 6); // [{chunk 0, 1..2}, {chunk 1, 0..2}, {chunk 2, 0..1}]
 */
export function segmentsFor(lo: number, hi: number, chunkStarts: readonly number[], end: number): InputSegment[] {
  const out: InputSegment[] = [];
  for (let c = 0; c < chunkStarts.length && lo < hi; c++) {
    const cs = chunkStarts[c]!;
    const ce = c + 1 < chunkStarts.length ? chunkStarts[c + 1]! : end;
    const from = Math.max(lo, cs);
    const to = Math.min(hi, ce);
    if (from < to) out.push(Object.freeze({ chunk: c, from: from - cs, to: to - cs }));
  }
  return out;
}

/**
 * Lay out the network: positions, batches and every batch's input range, segments and columns.
 * `hiddenOrder` is a topological order of the hidden neurons (from `hiddenByLevel` or a
 * validated `topoSort`).
 *
 * @example
 * computeTopology(parseGraph({ 0: [1], 1: [2] }), [0], [2], [1]).batches.map((b) => b.neurons); // [[1], [2]]
 */
export function computeTopology(
  graph: DirectedGraph,
  inputNeurons: readonly NeuronId[],
  outputNeurons: readonly NeuronId[],
  hiddenOrder: readonly NeuronId[],
): NetworkTopology {
  return topologyFromBatches(graph, inputNeurons, outputNeurons, greedyBatches(graph, hiddenOrder));
}

/** A group of neurons that fire together, before positions are known. */
export interface BatchGroup {
  readonly kind: "hidden" | "output";
  readonly neurons: readonly NeuronId[];
}

/**
 * The firing groups of a partition of the hidden neurons: the hidden batches in order, then
 * the output batch.
 *
 * @example
 * batchGroups([[1, 2], [4]], [3]).map((g) => g.kind); // ["hidden", "hidden", "output"]
 */
export function batchGroups(hiddenBatches: readonly (readonly NeuronId[])[], outputNeurons: readonly NeuronId[]): BatchGroup[] {
  const groups: BatchGroup[] = hiddenBatches.map((neurons) => ({ kind: "hidden", neurons }));
  groups.push({ kind: "output", neurons: outputNeurons });
  return groups;
}

/** Every neuron's position: inputs first, then each group's neurons in order. */
export interface FiringOrder {
  /** The neuron at each position. */
  readonly order: NeuronId[];
  readonly position: Map<NeuronId, number>;
  /** Start position of each value chunk: `chunkStarts[0] = 0` (inputs), `chunkStarts[b + 1]` the start of batch `b`. */
  readonly chunkStarts: number[];
}

/**
 * Positions of the inputs and of the groups' neurons, and where each chunk starts.
 *
 * @example
 * firingOrder([0], batchGroups([[1, 2]], [3])).chunkStarts; // [0, 1, 3]
 */
export function firingOrder(inputNeurons: readonly NeuronId[], groups: readonly BatchGroup[]): FiringOrder {
  const order: NeuronId[] = [...inputNeurons];
  const chunkStarts = [0];
  for (const g of groups) {
    chunkStarts.push(order.length);
    for (const n of g.neurons) order.push(n);
  }
  const position = new Map<NeuronId, number>();
  for (let i = 0; i < order.length; i++) position.set(order[i]!, i);
  return { order, position, chunkStarts };
}

/**
 * The positions of a neuron's inputs, ascending.
 *
 * @example
 * inputPositions(graph, position, 4); // [0, 2]
 */
export function inputPositions(graph: DirectedGraph, position: ReadonlyMap<NeuronId, number>, neuron: NeuronId): number[] {
  return graph.predecessors.get(neuron)!.map((p) => position.get(p)!).sort((x, y) => x - y);
}

/**
 * The layout of batch `b` (of `kind`, starting at position `start`) whose neurons read the
 * columns `inputColumns` of the positions `[inputStart, inputEnd)`; the chunk segments are
 * derived from `chunkStarts`. Arrays are frozen, not copied: the caller hands them over.
 *
 * @example
 * batchLayout("hidden", [1, 2], 1, 0, 1, [[0], [0]], [0, 1], 0).segments; // [{ chunk: 0, from: 0, to: 1 }]
 */
export function batchLayout(
  kind: "hidden" | "output",
  neurons: readonly NeuronId[],
  start: number,
  inputStart: number,
  inputEnd: number,
  inputColumns: readonly (readonly number[])[],
  chunkStarts: readonly number[],
  b: number,
): BatchLayout {
  return Object.freeze({
    kind,
    neurons: Object.freeze(neurons),
    start,
    inputStart,
    inputEnd,
    segments: Object.freeze(segmentsFor(inputStart, inputEnd, chunkStarts.slice(0, b + 1), start)),
    inputColumns: Object.freeze(inputColumns),
  });
}

/**
 * The layout of batch `b` whose neurons' input positions (each ascending) are `rows`: the
 * input range spans them (empty at `start` when nothing is read) and columns are relative to it.
 *
 * @example
 * layoutFromInputPositions("output", [3], 3, [[0, 2]], [0, 1, 3], 1).inputColumns; // [[0, 2]]
 */
export function layoutFromInputPositions(
  kind: "hidden" | "output",
  neurons: readonly NeuronId[],
  start: number,
  rows: readonly (readonly number[])[],
  chunkStarts: readonly number[],
  b: number,
): BatchLayout {
  let lo = Infinity;
  let hi = -Infinity;
  for (const ps of rows) {
    if (ps.length === 0) continue;
    if (ps[0]! < lo) lo = ps[0]!;
    if (ps[ps.length - 1]! + 1 > hi) hi = ps[ps.length - 1]! + 1;
  }
  if (lo === Infinity) lo = hi = start;
  const columns = rows.map((ps) => Object.freeze(ps.map((p) => p - lo)));
  return batchLayout(kind, neurons, start, lo, hi, columns, chunkStarts, b);
}

/**
 * The topology of a firing order and its batch layouts.
 *
 * @example
 * assembleTopology(firing, [0], [3], layouts).hiddenNeurons; // [1, 2]
 */
export function assembleTopology(firing: FiringOrder, inputNeurons: readonly NeuronId[], outputNeurons: readonly NeuronId[], batches: readonly BatchLayout[]): NetworkTopology {
  const { order } = firing;
  return Object.freeze({
    order: Object.freeze(order),
    position: firing.position,
    inputNeurons: Object.freeze(inputNeurons.slice()),
    outputNeurons: Object.freeze(outputNeurons.slice()),
    hiddenNeurons: Object.freeze(order.slice(inputNeurons.length, order.length - outputNeurons.length)),
    batches: Object.freeze(batches.slice()),
  });
}

/**
 * Lay out the network from an explicit partition of the hidden neurons into batches (in firing
 * order; no edge inside a batch, every edge into a later batch), plus the output batch. This is
 * the from-scratch layout; plasticity derives the same layout incrementally
 * (`plasticity/edited_layout.ts`) and must agree with it.
 *
 * @example
 * topologyFromBatches(parseGraph({ 0: [1, 2], 1: [3], 2: [3] }), [0], [3], [[1], [2]]).batches.length; // 3
 */
export function topologyFromBatches(
  graph: DirectedGraph,
  inputNeurons: readonly NeuronId[],
  outputNeurons: readonly NeuronId[],
  hiddenBatches: readonly (readonly NeuronId[])[],
): NetworkTopology {
  const groups = batchGroups(hiddenBatches, outputNeurons);
  const firing = firingOrder(inputNeurons, groups);
  const batches = groups.map((g, b) => {
    const rows = g.neurons.map((n) => inputPositions(graph, firing.position, n));
    return layoutFromInputPositions(g.kind, g.neurons.slice(), firing.chunkStarts[b + 1]!, rows, firing.chunkStarts, b);
  });
  return assembleTopology(firing, inputNeurons, outputNeurons, batches);
}
