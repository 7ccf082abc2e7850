/**
 * `pruneByMagnitude`: magnitude pruning (Han et al. 2015; the lottery-ticket procedure of
 * Frankle & Carbin 2019), built on `removeConnections`, so it is pure and shares every batch
 * it does not touch.
 */
import { InvalidOptionError } from "../errors.js";
import type { Edge } from "../graph.js";
import type { NeuralNetwork } from "../network.js";
import { unchangedCopy } from "../plasticity/apply_edit.js";
import { removeConnections } from "../plasticity/remove_connections.js";
import { edgeWeights } from "./edge_weights.js";
import { checkedOptions, countOf } from "./options.js";

/**
 * What to prune: a `fraction` in [0, 1] of the current edges (one number, or with scope
 * `"batch"` one per topological batch), or every edge whose |weight| is below `threshold`.
 */
export type PruneCriterion = { readonly fraction: number | readonly number[] } | { readonly threshold: number };

/** Options of `pruneByMagnitude`. */
export interface PruneOptions {
  /**
   * `"global"` (default): rank every edge of the network together. `"batch"`: take the
   * fraction of each topological batch's edges separately (layer-wise pruning in a layered
   * network). A threshold applies to every edge either way.
   */
  readonly scope?: "global" | "batch";
}

const OP = "pruneByMagnitude";

function checkFraction(f: unknown, what: string): number {
  if (typeof f !== "number" || !(f >= 0 && f <= 1)) {
    throw new InvalidOptionError(`${OP}: ${what} must be a number in [0, 1], got ${typeof f === "number" ? String(f) : typeof f}`);
  }
  return f;
}

/**
 * The `k` edges of smallest |weight| among edges `lo .. hi - 1` (ties: the earlier edge first;
 * NaN weights rank last), appended to `out`.
 */
function smallest(magnitude: Float64Array, lo: number, hi: number, k: number, out: number[]): void {
  if (k <= 0) return;
  if (k >= hi - lo) {
    for (let e = lo; e < hi; e++) out.push(e);
    return;
  }
  const sorted = magnitude.slice(lo, hi).sort();
  const kth = sorted[k - 1]!;
  const below = Number.isNaN(kth) ? (m: number) => !Number.isNaN(m) : (m: number) => m < kth;
  const at = Number.isNaN(kth) ? (m: number) => Number.isNaN(m) : (m: number) => m === kth;
  let strictly = 0;
  for (let e = lo; e < hi; e++) if (below(magnitude[e]!)) strictly++;
  let ties = k - strictly;
  for (let e = lo; e < hi; e++) {
    const m = magnitude[e]!;
    if (below(m)) out.push(e);
    else if (ties > 0 && at(m)) {
      out.push(e);
      ties--;
    }
  }
}

/**
 * A new network without its edges of smallest |weight|. With `{ fraction }`, that fraction of
 * the current edges, rounded down (of the whole network with scope `"global"`, of each
 * topological batch with scope `"batch"`, where `fraction` may also be one number per batch,
 * e.g. 20 % of the hidden layers' edges and 10 % of the output layer's); ties in |weight| go to
 * the edge that comes first in `edgeWeights` order, so the result is deterministic. With
 * `{ threshold }`, every edge with |weight| < threshold. Neurons are never removed: a neuron
 * left without inputs fires `activation(bias)`, one left without outputs still computes (drop
 * either with `removeNeurons`); every surviving parameter keeps its value and untouched batches
 * are shared, as `removeConnections`. Throws `InvalidOptionError` for a fraction outside
 * [0, 1], a negative or NaN threshold, a per-batch list of the wrong length, or an unknown scope.
 *
 * @example
 * const pruned = cnx.pruneByMagnitude(net, { fraction: 0.2 });            // 20 % of all edges
 * const layerwise = cnx.pruneByMagnitude(net, { fraction: [0.2, 0.2, 0.1] }, { scope: "batch" });
 */
export function pruneByMagnitude(network: NeuralNetwork, criterion: PruneCriterion, options?: PruneOptions): NeuralNetwork {
  const crit = checkedOptions(criterion as { fraction?: unknown; threshold?: unknown }, ["fraction", "threshold"], OP, "criterion");
  const { scope } = checkedOptions(options, ["scope"], OP);
  if (scope !== undefined && scope !== "global" && scope !== "batch") {
    throw new InvalidOptionError(`${OP}: scope must be "global" or "batch", got ${JSON.stringify(scope)}`);
  }
  const hasFraction = crit.fraction !== undefined;
  const hasThreshold = crit.threshold !== undefined;
  if (hasFraction === hasThreshold) throw new InvalidOptionError(`${OP}: give exactly one of { fraction } or { threshold }`);
  const numBatches = network.structure.topology.batches.length;
  let fractions: number[] | null = null;
  if (hasFraction) {
    if (Array.isArray(crit.fraction)) {
      if (scope === "global") throw new InvalidOptionError(`${OP}: one fraction per batch needs scope "batch", got scope "global"`);
      if (crit.fraction.length !== numBatches) {
        throw new InvalidOptionError(`${OP}: fraction lists ${crit.fraction.length} values but the network has ${numBatches} topological batches`);
      }
      fractions = crit.fraction.map((f, b) => checkFraction(f, `fraction[${b}]`));
    } else {
      const f = checkFraction(crit.fraction, "fraction");
      fractions = scope === "batch" ? new Array<number>(numBatches).fill(f) : [f];
    }
  } else if (typeof crit.threshold !== "number" || !(crit.threshold >= 0)) {
    throw new InvalidOptionError(`${OP}: threshold must be a non-negative number, got ${typeof crit.threshold === "number" ? String(crit.threshold) : typeof crit.threshold}`);
  }

  const edges = edgeWeights(network);
  const n = edges.weight.length;
  const magnitude = new Float64Array(n);
  for (let e = 0; e < n; e++) magnitude[e] = Math.abs(edges.weight[e]!);
  const doomed: number[] = [];
  if (fractions === null) {
    const t = crit.threshold as number;
    for (let e = 0; e < n; e++) if (magnitude[e]! < t) doomed.push(e);
  } else if (fractions.length === 1 && scope !== "batch") {
    smallest(magnitude, 0, n, countOf(fractions[0]!, n), doomed);
  } else {
    // Edges are grouped by batch in edgeWeights order: each batch is one contiguous range.
    let lo = 0;
    for (let b = 0; b < numBatches; b++) {
      let hi = lo;
      while (hi < n && edges.batch[hi] === b) hi++;
      smallest(magnitude, lo, hi, countOf(fractions[b]!, hi - lo), doomed);
      lo = hi;
    }
  }
  if (doomed.length === 0) return unchangedCopy(network);
  const order = network.structure.topology.order;
  const removed: Edge[] = doomed.map((e) => [order[edges.fromPosition[e]!]!, order[edges.toPosition[e]!]!]);
  return removeConnections(network, removed);
}
