/**
 * Sampling absent edges for `regrowConnections` without listing every pair: the default
 * candidates are the absent edges into a later topological batch, i.e. for the neuron at
 * position `q`, one edge from each position before its batch's start. Pairs are numbered
 * target by target; a uniform number picks a pair through the prefix sums, and pairs that are
 * present or already picked are rejected. When few pairs are absent, they are listed instead
 * and a partial Fisher–Yates shuffle picks them.
 */
import { random, type Tensor } from "@connex/core";
import type { NetworkTopology } from "../topology.js";

/** The default candidate space of a topology: per target position, how many sources it may have. */
export interface ForwardPairs {
  /** `cumulative[q]`: the number of pairs whose target position is below `q` (length N + 1). */
  readonly cumulative: Float64Array;
  /** Every pair, present or not: `cumulative[N]`. */
  readonly total: number;
}

/**
 * The forward pairs of `topology`: the neuron at position `q` of batch `b` may receive an edge
 * from every position before `batches[b].start` (inputs receive none; outputs, all in the last
 * batch, feed none).
 *
 * @example
 * forwardPairs(topology).total; // 784·300 + 1084·100 + 1184·10 for LeNet-300-100
 */
export function forwardPairs(topology: NetworkTopology): ForwardPairs {
  const n = topology.order.length;
  const cumulative = new Float64Array(n + 1);
  const sources = new Float64Array(n);
  for (const layout of topology.batches) sources.fill(layout.start, layout.start, layout.start + layout.neurons.length);
  for (let q = 0; q < n; q++) cumulative[q + 1] = cumulative[q]! + sources[q]!;
  return { cumulative, total: cumulative[n]! };
}

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
}

/** The pair numbered `r`: `[source position, target position]`. */
function pairAt(pairs: ForwardPairs, r: number): [number, number] {
  const c = pairs.cumulative;
  let lo = 0;
  let hi = c.length - 2;
  // the last q with cumulative[q] <= r
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (c[mid]! <= r) lo = mid;
    else hi = mid - 1;
  }
  // skip targets without sources (a run of equal cumulative values)
  let q = lo;
  while (c[q + 1]! <= r) q++;
  return [r - c[q]!, q];
}

/**
 * `count` distinct absent forward pairs, uniformly at random (deterministic per `key`), as
 * `[source, target]` positions; `isPresent(p, q)` tells the pairs that already are edges, and
 * `absent` is how many are not (at least `count`).
 *
 * @example
 * samplePairs(forwardPairs(t), 100, 9000, isPresent, key); // 100 new [p, q]
 */
export function samplePairs(pairs: ForwardPairs, count: number, absent: number, isPresent: (p: number, q: number) => boolean, key: Tensor): [number, number][] {
  const n = pairs.cumulative.length - 1;
  const stream = new UniformStream(key, Math.min(1 << 16, Math.max(64, 2 * count)));
  const out: [number, number][] = [];
  if (count <= absent / 2 && absent >= pairs.total / 4) {
    // Rejection: each draw succeeds with probability >= 1/8, so this is O(count) draws.
    const picked = new Set<number>();
    while (out.length < count) {
      const [p, q] = pairAt(pairs, Math.min(pairs.total - 1, Math.floor(stream.draw() * pairs.total)));
      const id = p * n + q;
      if (picked.has(id) || isPresent(p, q)) continue;
      picked.add(id);
      out.push([p, q]);
    }
    return out;
  }
  // Listing: every absent pair, then the first `count` of a partial shuffle.
  const list = new Float64Array(absent);
  let k = 0;
  for (let q = 0; q < n; q++) {
    const sources = pairs.cumulative[q + 1]! - pairs.cumulative[q]!;
    for (let p = 0; p < sources; p++) if (!isPresent(p, q)) list[k++] = p * n + q;
  }
  for (let i = 0; i < count; i++) {
    const j = i + Math.min(absent - i - 1, Math.floor(stream.draw() * (absent - i)));
    const t = list[i]!;
    list[i] = list[j]!;
    list[j] = t;
    out.push([Math.floor(list[i]! / n), list[i]! % n]);
  }
  return out;
}
