/**
 * How each topological batch holds and multiplies its weights, chosen per batch from its
 * density by the network's rule: the `weightLayout` option, resolved into a `WeightLayoutRule`
 * kept in the network's `NetworkStructure` (so it is part of the treedef, saved with the
 * network and carried through every plasticity edit). Nothing here reads global state: the
 * same call always builds the same pytree.
 *
 * Per batch (`BatchWeightLayout`):
 *  - product: `"sparse"` computes `W @ vals` as `np.spmv` over the batch's edge table
 *    (`sparse_edges.ts`), `"dense"` as one masked matrix product;
 *  - storage: `"edges"` keeps one weight per edge, `[E]`, in edge order (the batch's rows in
 *    order, each row's `inputColumns` in order: the order of `sparseEdges(layout).table`);
 *    `"block"` keeps `[size, width]`, zero where the mask is false. With edge storage,
 *    gradients, optimiser states and updates are as long as the edges, not the block: a network
 *    pruned to a third of its edges has a third of the weights to update (Adam over the dense
 *    blocks of a pruned DenseMLP cost as much as the pruned products themselves), and no
 *    gather or scatter moves weights between block and edges on every step.
 *
 * A batch takes the sparse product when its density (edges / (size · width)) is at most the
 * rule's `maxSparseDensity`, and then stores its weights per edge when its block has at least
 * `minEdgeStorageEntries` entries (a small block costs microseconds to update either way and is
 * the simpler thing to read; on the sparse product its edge weights are gathered with `take`).
 * Batches with neuron self-attention (which weighs the whole block) and batches that read
 * nothing keep a dense block. Code that reads or writes weights asks the batch's layout; files
 * (`cnx.save`) always hold blocks.
 */
import { np, type DType, type Tensor } from "@connex/core";
import { InvalidOptionError } from "./errors.js";
import type { NetworkFeatures } from "./options.js";
import { floatData, readData, tensorFrom, type FloatData } from "./parameter_data.js";
import { layoutDensity, sparseEdges, type SparseEdges } from "./sparse_edges.js";
import type { BatchLayout, NetworkTopology } from "./topology.js";

/** Explicit thresholds of a weight-layout rule. */
export interface WeightLayoutThresholds {
  /** Batches at most this dense (edges / block entries, in `[0, 1]`) take the sparse product. */
  readonly maxSparseDensity: number;
  /**
   * Sparse-product batches whose block has at least this many entries (`size · width`) store
   * one weight per edge; smaller ones keep the block. A non-negative integer, default 512.
   */
  readonly minEdgeStorageEntries?: number;
}

/**
 * The `weightLayout` option of a network: how its topological batches store and multiply their
 * weights, decided per batch from its density.
 *  - `"auto"` (default): `{ maxSparseDensity: 0.5, minEdgeStorageEntries: 512 }`;
 *  - `"dense"`: every batch a masked `[size, width]` block and a dense product;
 *  - `"sparse"`: every batch the sparse product, its weights stored per edge;
 *  - `{ maxSparseDensity, minEdgeStorageEntries? }`: explicit thresholds.
 */
export type WeightLayoutOption = "auto" | "dense" | "sparse" | WeightLayoutThresholds;

/**
 * `"auto"`'s density threshold. Measured on the 2-core AMD EPYC dev machine (Node 20, float32,
 * DenseMLP(1, 2, 128, 4) on 250 samples, jitted Adam step with donation, 2 threads, each
 * network rebuilt with `fromWeightedGraph` on either product, medians of 5 interleaved rounds
 * of 30 steps, two runs, 2026-12-06 ~02:13 UTC), dense vs sparse product: density 0.84
 * (pruned at |w| < 0.02) 5.0-5.9 vs 6.0-6.6 ms, 0.62 (|w| < 0.05) 5.1-5.5 vs 5.2-5.8 ms,
 * 0.45 (|w| < 0.075) 5.1-5.6 vs 4.6-5.4 ms, 0.32 (|w| < 0.1) 5.1-5.7 vs 3.9-4.5 ms. The
 * products break even between 0.45 and 0.62. (On 2026-11-27, before the kernel memory and the
 * Wasm kernels for small products, they broke even near full density and the threshold was 0.8.)
 */
export const AUTO_MAX_SPARSE_DENSITY = 0.5;

/**
 * `"auto"`'s (and the thresholds' default) smallest block stored per edge. Measured on the
 * LeNet-300-100 step at 3.6 % of its edges (jitted Adam, batch 100, 2-core AMD EPYC,
 * 2026-12-05): its 10 × 100 output block keeps 36 edges, and stored as a block it cost a
 * gather of the edges, a scatter-add of their gradient and Adam over 1,000 entries on every
 * step (~40 µs of a ~1.2 ms step) against Adam over 36 values per edge. Blocks under 512
 * entries (the README network's batches have a few) stay blocks: simpler to read, and cheap.
 */
export const AUTO_MIN_EDGE_STORAGE_ENTRIES = 512;

const OPTION = "weightLayout";
const EXPECTED = `"auto", "dense", "sparse" or { maxSparseDensity, minEdgeStorageEntries? }`;
const THRESHOLD_KEYS: readonly string[] = ["maxSparseDensity", "minEdgeStorageEntries"];

/** A network's resolved weight-layout rule (immutable; compare presets by identity). */
export class WeightLayoutRule {
  /** The option as given (a preset name or a frozen copy of the thresholds): what `cnx.save` writes. */
  readonly option: WeightLayoutOption;
  readonly maxSparseDensity: number;
  readonly minEdgeStorageEntries: number;

  private constructor(option: WeightLayoutOption, maxSparseDensity: number, minEdgeStorageEntries: number) {
    this.option = option;
    this.maxSparseDensity = maxSparseDensity;
    this.minEdgeStorageEntries = minEdgeStorageEntries;
    Object.freeze(this);
  }

  /** The default rule. */
  static readonly auto = new WeightLayoutRule("auto", AUTO_MAX_SPARSE_DENSITY, AUTO_MIN_EDGE_STORAGE_ENTRIES);
  /** Every batch dense (no batch with inputs has density 0). */
  static readonly dense = new WeightLayoutRule("dense", 0, 0);
  /** Every batch sparse, stored per edge. */
  static readonly sparse = new WeightLayoutRule("sparse", 1, 0);

  /**
   * The rule an option asks for (`undefined` is `"auto"`; a rule is returned as it is). Throws
   * `InvalidOptionError` naming `weightLayout` (and the field) for anything else.
   *
   * @example
   * WeightLayoutRule.resolve({ maxSparseDensity: 0.5 }).minEdgeStorageEntries; // 512
   */
  static resolve(option: unknown): WeightLayoutRule {
    if (option instanceof WeightLayoutRule) return option;
    if (option === undefined || option === "auto") return WeightLayoutRule.auto;
    if (option === "dense") return WeightLayoutRule.dense;
    if (option === "sparse") return WeightLayoutRule.sparse;
    if (typeof option !== "object" || option === null || Array.isArray(option)) {
      const got = typeof option === "string" ? JSON.stringify(option) : option === null ? "null" : Array.isArray(option) ? "an array" : typeof option;
      throw new InvalidOptionError(`${OPTION}: expected ${EXPECTED}, got ${got}`);
    }
    const unknown = Object.keys(option).filter((k) => !THRESHOLD_KEYS.includes(k));
    if (unknown.length > 0) {
      throw new InvalidOptionError(`${OPTION}: unknown option ${unknown.map((k) => JSON.stringify(k)).join(", ")} (known: ${THRESHOLD_KEYS.join(", ")})`);
    }
    const { maxSparseDensity, minEdgeStorageEntries } = option as Record<string, unknown>;
    if (typeof maxSparseDensity !== "number" || !(maxSparseDensity >= 0 && maxSparseDensity <= 1)) {
      throw new InvalidOptionError(`${OPTION}.maxSparseDensity: expected a density in [0, 1], got ${describe(maxSparseDensity)}`);
    }
    if (minEdgeStorageEntries !== undefined && !(Number.isSafeInteger(minEdgeStorageEntries) && (minEdgeStorageEntries as number) >= 0)) {
      throw new InvalidOptionError(`${OPTION}.minEdgeStorageEntries: expected a non-negative integer, got ${describe(minEdgeStorageEntries)}`);
    }
    const thresholds: WeightLayoutThresholds =
      minEdgeStorageEntries === undefined ? { maxSparseDensity } : { maxSparseDensity, minEdgeStorageEntries: minEdgeStorageEntries as number };
    return new WeightLayoutRule(Object.freeze(thresholds), maxSparseDensity, (minEdgeStorageEntries as number | undefined) ?? AUTO_MIN_EDGE_STORAGE_ENTRIES);
  }

  /**
   * The layout this rule gives one batch of a network with `features`.
   *
   * @example
   * WeightLayoutRule.auto.forBatch(layout, features).storage; // "edges" for a large pruned batch
   */
  forBatch(layout: BatchLayout, features: NetworkFeatures): BatchWeightLayout {
    return this.decide(layout, features.neuronSelfAttention);
  }

  private decide(layout: BatchLayout, neuronSelfAttention: boolean): BatchWeightLayout {
    const entries = layout.neurons.length * (layout.inputEnd - layout.inputStart);
    if (entries === 0 || neuronSelfAttention) return new BatchWeightLayout(layout, "block", "dense");
    if (!(layoutDensity(layout) <= this.maxSparseDensity)) return new BatchWeightLayout(layout, "block", "dense");
    return new BatchWeightLayout(layout, entries >= this.minEdgeStorageEntries ? "edges" : "block", "sparse");
  }
}


function describe(value: unknown): string {
  return typeof value === "number" ? String(value) : value === null ? "null" : typeof value === "string" ? JSON.stringify(value) : typeof value;
}

/**
 * One batch's weight layout: which storage and which product, and how to read and write its
 * weights in either storage. The only place that knows what `weights` holds.
 */
export class BatchWeightLayout {
  /** `"edges"`: weights `[E]` in edge order; `"block"`: `[size, width]`, zero off the mask. */
  readonly storage: "block" | "edges";
  /** `"sparse"`: `np.spmv` over the edge table; `"dense"`: masked matrix product. */
  readonly product: "dense" | "sparse";
  readonly layout: BatchLayout;

  constructor(layout: BatchLayout, storage: "block" | "edges", product: "dense" | "sparse") {
    this.layout = layout;
    this.storage = storage;
    this.product = product;
    Object.freeze(this);
  }

  /** The batch's edge tables (built on first use, cached per `BatchLayout`). */
  get edges(): SparseEdges {
    return sparseEdges(this.layout);
  }

  /** Rows and columns of the weight block. */
  get blockShape(): [number, number] {
    return [this.layout.neurons.length, this.layout.inputEnd - this.layout.inputStart];
  }

  /** Whether the batch has every edge of its block (each neuron reads every column: the mask is all true). */
  isComplete(): boolean {
    return layoutDensity(this.layout) === 1;
  }

  /** The shape `weights` has: `[E]` or `[size, width]`. */
  get storedShape(): number[] {
    return this.storage === "edges" ? [this.edgeSlots().length] : this.blockShape;
  }

  /** Where each edge's weight sits in the flattened block (the tables' `flatIndex`, read without a copy). */
  private edgeSlots(): Int32Array {
    return this.edges.flatIndex.concrete().contiguousData() as Int32Array;
  }

  /**
   * The `[size · width]` block data of stored `weights` (zero off the mask). A block's own data
   * is returned as it is (read it, never write it); edge weights are spread into a new block.
   *
   * @example
   * structure.weightLayouts[1].readBlock(net.batchParameters[1].weights)[row * width + col];
   */
  readBlock(weights: Tensor): FloatData {
    const data = readData(weights) as FloatData;
    if (this.storage === "block") return data;
    const [rows, width] = this.blockShape;
    const block = floatData(weights.dtype, rows * width);
    const slots = this.edgeSlots();
    for (let e = 0; e < slots.length; e++) block[slots[e]!] = data[e]!;
    return block;
  }

  /**
   * A block copy of stored `weights` that the caller owns (to edit, then hand to `fromBlock`).
   *
   * @example
   * const block = weightLayout.writableBlock(params.weights); block[slot] = 0;
   */
  writableBlock(weights: Tensor): FloatData {
    const block = this.readBlock(weights);
    return this.storage === "block" ? (block.slice() as FloatData) : block;
  }

  /**
   * The edges' weights of stored `weights`, in edge order (`[E]`). Edge-stored data is returned
   * as it is (read it, never write it); a block's edges are gathered into a new array.
   *
   * @example
   * structure.weightLayouts[1].readEdges(net.batchParameters[1].weights).length; // the batch's edge count
   */
  readEdges(weights: Tensor): FloatData {
    const data = readData(weights) as FloatData;
    return this.storage === "edges" ? data : this.readEdgesOfBlock(data, weights.dtype);
  }

  /**
   * Weights to store from block data (`[size · width]`, zero off the mask), which it takes over
   * (never write it again): the block itself, or its edges.
   *
   * @example
   * weightLayout.fromBlock(block, "float32").shape; // [E] or [size, width]
   */
  fromBlock(block: FloatData, dtype: DType): Tensor {
    if (this.storage === "block") return tensorFrom(block, this.blockShape, dtype);
    const edges = this.readEdgesOfBlock(block, dtype);
    return tensorFrom(edges, [edges.length], dtype);
  }

  /**
   * The stored `weights` as a concrete `[size, width]` block tensor (what files hold).
   *
   * @example
   * weightLayout.toBlockTensor(params.weights).shape; // [size, width]
   */
  toBlockTensor(weights: Tensor): Tensor {
    return this.storage === "block" ? weights : tensorFrom(this.readBlock(weights), this.blockShape, weights.dtype);
  }

  /**
   * Stored weights from a concrete `[size, width]` block tensor (zero off the mask; what files
   * hold): the tensor itself, or its edges.
   *
   * @example
   * weightLayout.fromBlockTensor(loaded).shape; // [E] or [size, width]
   */
  fromBlockTensor(block: Tensor): Tensor {
    if (this.storage === "block") return block;
    const edges = this.readEdgesOfBlock(readData(block) as FloatData, block.dtype);
    return tensorFrom(edges, [edges.length], block.dtype);
  }

  /** The edges' values of block data, in edge order (a new array). */
  private readEdgesOfBlock(block: FloatData, dtype: DType): FloatData {
    const slots = this.edgeSlots();
    const edges = floatData(dtype, slots.length);
    for (let e = 0; e < slots.length; e++) edges[e] = block[slots[e]!]!;
    return edges;
  }

  /**
   * The edges' weights `[E]` as a traceable tensor, for the sparse product: edge-stored weights
   * as they are, a block's gathered (only the edges are read, so off-mask entries never count).
   *
   * @example
   * np.spmv(values, weightLayout.edgeWeights(params.weights), weightLayout.edges.table, size);
   */
  edgeWeights(weights: Tensor): Tensor {
    return this.storage === "edges" ? weights : np.take(np.ravel(weights), this.edges.flatIndex);
  }

  /**
   * The `[size, width]` masked block as a traceable tensor, for the dense product and neuron
   * self-attention: a block with off-mask entries zeroed, edge weights scattered into zeros.
   *
   * @example
   * np.matmul(weightLayout.maskedBlock(params.weights, params.mask), values);
   */
  maskedBlock(weights: Tensor, mask: Tensor): Tensor {
    // A block every neuron reads whole (a dense layer) has nothing off its mask: the select
    // would copy the whole block on every step for nothing.
    if (this.storage === "block") return this.isComplete() ? weights : np.where(mask, weights, 0);
    const [rows, width] = this.blockShape;
    const zeros = np.zeros([rows * width], { dtype: weights.dtype });
    return np.reshape(np.at(zeros, this.edges.flatIndex).add(weights), [rows, width]);
  }
}

/**
 * The layout of every batch of `topology` under `rule`.
 *
 * @example
 * batchWeightLayouts(topology, WeightLayoutRule.auto, features).map((l) => l.storage); // ["block", "edges", "block"]
 */
export function batchWeightLayouts(topology: NetworkTopology, rule: WeightLayoutRule, features: NetworkFeatures): readonly BatchWeightLayout[] {
  return Object.freeze(topology.batches.map((layout) => rule.forBatch(layout, features)));
}

/** What the weight readers need of a network (a `NeuralNetwork`, or a gradient tree of one). */
export interface WeightsOf {
  readonly structure: { readonly weightLayouts: readonly BatchWeightLayout[] };
  readonly batchParameters: readonly { readonly weights: Tensor }[];
}

/**
 * Batch `b`'s weights as row-major `[size, width]` block data, zero off the mask, however they
 * are stored: `block[row * width + column]` is the weight of the edge from the neuron at
 * position `inputStart + column` into the batch's `row`-th neuron. May be the tensor's own
 * buffer: read it, never write it.
 *
 * @example
 * readWeightBlock(net, 1)[row * width + col];
 */
export function readWeightBlock(network: WeightsOf, b: number): FloatData {
  return network.structure.weightLayouts[b]!.readBlock(network.batchParameters[b]!.weights);
}

/**
 * Batch `b`'s edge weights, one per edge in edge order: the batch's rows in order, each row's
 * `layout.inputColumns[row]` in order (edge `e` goes from position
 * `inputStart + edges.table.cols[e]` into neuron `layout.neurons[edges.table.rows[e]]`). May be
 * the tensor's own buffer: read it, never write it.
 *
 * @example
 * readEdgeWeights(net, 1).length === net.structure.weightLayouts[1].edges.table.rows.length; // true
 */
export function readEdgeWeights(network: WeightsOf, b: number): FloatData {
  return network.structure.weightLayouts[b]!.readEdges(network.batchParameters[b]!.weights);
}
