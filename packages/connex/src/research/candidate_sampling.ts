/**
 * Sampling the default candidates of `regrowConnections` without listing every pair. A pair
 * space numbers the pairs `p -> q` target by target, `q` taking the sources `[0, limit(q))`:
 * with valid roles (`within: "acyclic"`), every position but the outputs' (they come last) into
 * every position but the inputs' (they come first), the pair `q -> q` included and rejected;
 * into a later batch (`within: "forward"`), every position before `q`'s batch. Each draw is a
 * uniform number among them, rejected when the pair is `q -> q`, present, already grown, or
 * would close a cycle (`IncrementalTopologicalOrder`). Rejection from a fixed superset leaves
 * each accepted pair uniform among the pairs still valid, which is the distribution
 * `regrowConnections` promises. When present pairs make most draws fail, the absent pairs are
 * listed instead and drawn from the list, dropping each one found invalid (it stays invalid:
 * edges are only added).
 */
import { random, type Tensor } from "@connex/core";
import type { NetworkTopology } from "../topology.js";
import { batchByPosition } from "../plasticity/batch_order.js";
import type { IncrementalTopologicalOrder } from "./incremental_order.js";

/** Uniform float64 numbers in [0, 1), drawn in chunks from one key (chunk `i` from `foldIn(key, i)`). */
export class UniformStream {
  private buffer: Float64Array = new Float64Array(0);
  private next = 0;
  private chunk = 0;
  constructor(
    private readonly key: Tensor,
    private readonly chunkSize: number,
  ) {}
  draw(): number {
    if (this.next === this.buffer.length) {
      this.buffer = random.uniform(random.foldIn(this.key, this.chunk++), [this.chunkSize], { dtype: "float64" }).toTypedArray() as Float64Array;
      this.next = 0;
    }
    return this.buffer[this.next++]!;
  }

  /** A uniform integer in `[0, n)` (to the 2^-52 resolution of the draws). */
  below(n: number): number {
    return Math.min(n - 1, Math.floor(this.draw() * n));
  }
}

/** The pairs a default draw chooses among, numbered target by target. */
export interface PairSpace {
  /** Number of positions. */
  readonly n: number;
  /** `cumulative[q]`: how many pairs have a target before position `q` (length n + 1); `q` takes sources `[0, cumulative[q + 1] - cumulative[q])`. */
  readonly cumulative: Float64Array;
  /** Pairs numbered: `cumulative[n]`, the `q -> q` ones included. */
  readonly size: number;
  /** How many pairs `p !== q` are absent (every present edge is one of the pairs). */
  readonly absent: number;
  /** How many absent ones can be added together, whichever are chosen. */
  readonly addable: number;
}

/**
 * Every pair with valid roles: sources are all positions before the outputs, targets all
 * positions after the inputs. A DAG that cannot take one more edge has every input feeding
 * every hidden and output neuron, every hidden neuron feeding every output, and one edge
 * between each pair of hidden neurons, whichever edges were chosen, so `addable` is that count
 * less the `numEdges` present.
 *
 * @example
 * rolePairs(topology, 266200).addable; // 400·399/2 + 784·400 + 400·10 + 784·10 - 266200 for LeNet-300-100
 */
export function rolePairs(topology: NetworkTopology, numEdges: number): PairSpace {
  const n = topology.order.length;
  const i = topology.inputNeurons.length;
  const o = topology.outputNeurons.length;
  const h = n - i - o;
  const cumulative = new Float64Array(n + 1);
  for (let q = 0; q < n; q++) cumulative[q + 1] = cumulative[q]! + (q < i ? 0 : n - o);
  const size = cumulative[n]!;
  return { n, cumulative, size, absent: size - h - numEdges, addable: (h * (h - 1)) / 2 + i * h + h * o + i * o - numEdges };
}

/**
 * Every pair into a later topological batch: the neuron at position `q` of batch `b` may receive
 * an edge from every position before `batches[b].start` (inputs receive none; outputs, all in
 * the last batch, feed none). None closes a cycle, so all absent ones can be added.
 *
 * @example
 * forwardPairs(topology, 266200).size; // 784·300 + 1084·100 + 1184·10 for LeNet-300-100
 */
export function forwardPairs(topology: NetworkTopology, numEdges: number): PairSpace {
  const n = topology.order.length;
  const limit = new Float64Array(n);
  for (const layout of topology.batches) limit.fill(layout.start, layout.start, layout.start + layout.neurons.length);
  const cumulative = new Float64Array(n + 1);
  for (let q = 0; q < n; q++) cumulative[q + 1] = cumulative[q]! + limit[q]!;
  const size = cumulative[n]!;
  return { n, cumulative, size, absent: size - numEdges, addable: size - numEdges };
}

/** The pair numbered `r`: `[source, target]` positions. */
function pairAt(cumulative: Float64Array, r: number): [number, number] {
  let lo = 0;
  let hi = cumulative.length - 2;
  // the last q with cumulative[q] <= r, then past targets without sources (equal cumulative values)
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (cumulative[mid]! <= r) lo = mid;
    else hi = mid - 1;
  }
  let q = lo;
  while (cumulative[q + 1]! <= r) q++;
  return [r - cumulative[q]!, q];
}

/** Whether the topology has an edge from position `p` into position `q` (binary search of the row's columns). */
export function presentIn(topology: NetworkTopology): (p: number, q: number) => boolean {
  const batchAt = batchByPosition(topology);
  return (p, q) => {
    const layout = topology.batches[batchAt[q]!];
    if (layout === undefined) return false;
    const c = p - layout.inputStart;
    if (c < 0 || c >= layout.inputEnd - layout.inputStart) return false;
    const cols = layout.inputColumns[q - layout.start]!;
    let lo = 0;
    let hi = cols.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = cols[mid]!;
      if (v === c) return true;
      if (v < c) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  };
}

/** The sources of position `q`'s present edges. */
function presentSources(topology: NetworkTopology, batchAt: Int32Array, q: number): number[] {
  const layout = topology.batches[batchAt[q]!];
  if (layout === undefined) return [];
  return layout.inputColumns[q - layout.start]!.map((c) => c + layout.inputStart);
}

/**
 * How many rejected draws to allow before listing the absent pairs: none when fewer than a
 * quarter of the pairs are absent (listing them is then cheaper than drawing), else a
 * sixteenth of the pairs, so drawing never costs much more than listing would have.
 *
 * @example
 * defaultRejectionBudget(rolePairs(topology, net.numEdges)); // 30,394 for LeNet-300-100
 */
export function defaultRejectionBudget(pairs: PairSpace): number {
  return pairs.absent >= pairs.size / 4 ? 64 + Math.floor(pairs.size / 16) : -1;
}

/**
 * Up to `count` new edges `[source, target]` (positions), each uniform among the role-valid
 * pairs that are absent from `topology`, not yet chosen, and would not close a cycle with the
 * edges chosen before it; each accepted edge is added to `order` (fresh for `topology`).
 * Deterministic per `key`. Draws from all pairs until `rejectionBudget` draws have failed,
 * then from the list of absent pairs. Returns fewer only when `count` exceeds
 * `pairs.addable`, which the caller checks first.
 *
 * @example
 * sampleAbsentEdges(topology, rolePairs(topology, net.numEdges), 100, new IncrementalTopologicalOrder(topology), key);
 */
export function sampleAbsentEdges(
  topology: NetworkTopology,
  pairs: PairSpace,
  count: number,
  order: IncrementalTopologicalOrder,
  key: Tensor,
  rejectionBudget = defaultRejectionBudget(pairs),
): [number, number][] {
  const { n, cumulative, size, absent } = pairs;
  const present = presentIn(topology);
  const stream = new UniformStream(key, Math.min(1 << 16, Math.max(64, 2 * count)));
  const out: [number, number][] = [];
  const chosen = new Set<number>();
  let rejected = 0;
  while (out.length < count && rejected <= rejectionBudget) {
    const [p, q] = pairAt(cumulative, stream.below(size));
    const id = p * n + q;
    if (p === q || chosen.has(id) || present(p, q) || !order.tryAdd(p, q)) {
      rejected++;
      continue;
    }
    chosen.add(id);
    out.push([p, q]);
  }
  if (out.length === count) return out;
  // Listing: every absent pair not chosen yet (ids p·n + q), drawn with removal.
  const batchAt = batchByPosition(topology);
  const list = new Float64Array(absent - out.length);
  const taken = new Int32Array(n).fill(-1);
  let live = 0;
  for (let q = 0; q < n; q++) {
    const sources = cumulative[q + 1]! - cumulative[q]!;
    if (sources === 0) continue;
    taken[q] = q;
    for (const p of presentSources(topology, batchAt, q)) taken[p] = q;
    for (const p of order.addedSources(q)) taken[p] = q;
    for (let p = 0; p < sources; p++) if (taken[p] !== q) list[live++] = p * n + q;
  }
  while (out.length < count && live > 0) {
    const i = stream.below(live);
    const id = list[i]!;
    list[i] = list[--live]!;
    const p = Math.floor(id / n);
    const q = id - p * n;
    if (order.tryAdd(p, q)) out.push([p, q]);
  }
  return out;
}
