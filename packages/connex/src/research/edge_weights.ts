/**
 * `edgeWeights`: every edge of a network with its weight, as flat arrays, for analysis
 * (magnitude histograms, pruning criteria, plots) at the scale of LeNet-300-100's 266,200 edges.
 */
import type { NeuralNetwork } from "../network.js";
import type { NeuronId } from "../neuron_id.js";
import { floatData, readWeightBlock, type FloatData } from "./weights_access.js";

/** A network's edges and weights as parallel arrays (edge `e` is `from[e] -> to[e]`). */
export interface EdgeWeights {
  /** Source neuron of each edge (built on first read, then kept). */
  readonly from: NeuronId[];
  /** Target neuron of each edge (built on first read, then kept). */
  readonly to: NeuronId[];
  /** Position of each source in `net.neurons` (topological order). */
  readonly fromPosition: Int32Array;
  /** Position of each target in `net.neurons`. */
  readonly toPosition: Int32Array;
  /** Topological batch of each edge's target (index into `net.topoBatches`). */
  readonly batch: Int32Array;
  /** The weight of each edge, in the network's dtype (a fresh copy). */
  readonly weight: FloatData;
}

/**
 * Every edge of `net` with its weight, ordered by target (batch by batch, each batch's neurons
 * in order) and, for each target, by source position. Typed arrays, built in one pass over the
 * weight blocks: on LeNet-300-100 it is tens of times faster than `toWeightedGraph()` (see
 * docs/NETWORK.md for the figure).
 *
 * @example
 * const { from, to, weight } = cnx.edgeWeights(net);
 * const small = weight.filter((w) => Math.abs(w) < 0.01).length;
 */
export function edgeWeights(net: NeuralNetwork): EdgeWeights {
  const { topology } = net.structure;
  const total = net.numEdges;
  const fromPosition = new Int32Array(total);
  const toPosition = new Int32Array(total);
  const batch = new Int32Array(total);
  const weight = floatData(net.structure.dtype, total);
  let e = 0;
  topology.batches.forEach((layout, b) => {
    const block = readWeightBlock(net, b);
    const width = layout.inputEnd - layout.inputStart;
    const start = e;
    for (let j = 0; j < layout.neurons.length; j++) {
      const cols = layout.inputColumns[j]!;
      const row = j * width;
      const position = layout.start + j;
      for (let i = 0; i < cols.length; i++, e++) {
        const c = cols[i]!;
        fromPosition[e] = layout.inputStart + c;
        toPosition[e] = position;
        weight[e] = block[row + c]!;
      }
    }
    batch.fill(b, start, e);
  });
  // The ids are built on first read: analyses of the weights alone never pay for 2 × E ids.
  const order = topology.order;
  const ids = (positions: Int32Array) => {
    const out = new Array<NeuronId>(positions.length);
    for (let k = 0; k < positions.length; k++) out[k] = order[positions[k]!]!;
    return out;
  };
  let from: NeuronId[] | null = null;
  let to: NeuronId[] | null = null;
  return {
    get from() {
      return (from ??= ids(fromPosition));
    },
    get to() {
      return (to ??= ids(toPosition));
    },
    fromPosition,
    toPosition,
    batch,
    weight,
  };
}
