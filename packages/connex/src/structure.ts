/**
 * `NetworkStructure`: everything about a network that is not a parameter — the graph, the
 * topological layout, the dropout probabilities, the feature switches, the dtype and the
 * weight-layout rule with each batch's weight layout. It is a
 * static field of `NeuralNetwork` (part of the treedef, compared by identity), so
 * transformations never look inside it and rebuilding a network after an update reuses it.
 */
import type { DType } from "@connex/core";
import type { DirectedGraph } from "./graph.js";
import type { NeuronId } from "./neuron_id.js";
import type { NetworkFeatures } from "./options.js";
import type { NetworkTopology } from "./topology.js";
import { batchWeightLayouts, WeightLayoutRule, type BatchWeightLayout, type WeightLayoutOption } from "./weight_layout.js";

/** The immutable, non-trainable description of a network. */
export class NetworkStructure {
  readonly graph: DirectedGraph;
  readonly topology: NetworkTopology;
  /** Dropout probability of every neuron. */
  readonly dropout: ReadonlyMap<NeuronId, number>;
  readonly features: NetworkFeatures;
  /** Dtype of the parameters. */
  readonly dtype: DType;
  /** Dropout probability by position (in `topology.order`). */
  readonly dropoutByPosition: Float64Array;
  /** Whether any neuron has a nonzero dropout probability. */
  readonly hasDropout: boolean;
  /** The rule that lays out every batch's weights (the network's `weightLayout` option). */
  readonly weightLayout: WeightLayoutRule;
  /** Each batch's weight layout under `weightLayout` (parallel to `topology.batches`). */
  readonly weightLayouts: readonly BatchWeightLayout[];

  /**
   * @example
   * new NetworkStructure(graph, topology, dropout, features, "float32", "auto");
   */
  constructor(
    graph: DirectedGraph,
    topology: NetworkTopology,
    dropout: ReadonlyMap<NeuronId, number>,
    features: NetworkFeatures,
    dtype: DType,
    weightLayout: WeightLayoutRule | WeightLayoutOption = "auto",
  ) {
    this.graph = graph;
    this.topology = topology;
    this.dropout = dropout;
    this.features = features;
    this.dtype = dtype;
    const { byPosition, hasDropout } = dropoutByPosition(topology, dropout);
    this.dropoutByPosition = byPosition;
    this.hasDropout = hasDropout;
    this.weightLayout = WeightLayoutRule.resolve(weightLayout);
    this.weightLayouts = batchWeightLayouts(topology, this.weightLayout, features);
    Object.freeze(this);
  }

  /**
   * The same structure with other dropout probabilities (every other part shared).
   *
   * @example
   * net.structure.withDropout(new Map([[4, 0.5]])).topology === net.structure.topology; // true
   */
  withDropout(dropout: ReadonlyMap<NeuronId, number>): NetworkStructure {
    // Every other field, the batches' weight layouts included, is shared as it is.
    const copy = Object.create(NetworkStructure.prototype) as NetworkStructure;
    const { byPosition, hasDropout } = dropoutByPosition(this.topology, dropout);
    Object.assign(copy, { ...this, dropout, dropoutByPosition: byPosition, hasDropout });
    return Object.freeze(copy);
  }
}

/** Dropout probability by position, and whether any is nonzero. */
function dropoutByPosition(topology: NetworkTopology, dropout: ReadonlyMap<NeuronId, number>): { byPosition: Float64Array; hasDropout: boolean } {
  // Plain loops: `Float64Array.from` with a map function and `some` go through iterators.
  const byPosition = new Float64Array(topology.order.length);
  let hasDropout = false;
  for (let i = 0; i < byPosition.length; i++) {
    const p = dropout.get(topology.order[i]!) ?? 0;
    byPosition[i] = p;
    if (p > 0) hasDropout = true;
  }
  return { byPosition, hasDropout };
}
