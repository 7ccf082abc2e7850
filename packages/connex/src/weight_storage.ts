/**
 * How a batch's weights are stored. A batch dense enough for the masked matrix product keeps a
 * `[size, width]` block (zero where the mask is false), and so does any small batch; a large
 * batch sparse enough for the sparse path (`sparse_edges.ts`, density at or below the
 * threshold when its parameters are built) keeps one weight per edge, `[E]`, in edge order (the batch's rows in order, each row's input
 * columns in `inputColumns` order, the order of `sparseEdges(layout).table`). Then gradients,
 * optimiser states and updates are as long as the edges, not the block: a network pruned to a
 * third of its edges has a third of the trainable weights to update (Adam over the dense blocks
 * of a pruned DenseMLP cost as much as the pruned products themselves), and no gather or
 * scatter moves weights between block and edges on every step.
 *
 * Either storage reads the same through `weightBlock`; files (`cnx.save`) always hold blocks.
 */
import { np, type DType, type Tensor } from "@connex/core";
import type { NetworkFeatures } from "./options.js";
import { floatData, readData, tensorFrom, type FloatData } from "./plasticity/parameter_draws.js";
import { layoutDensity, sparseEdges, sparseThreshold } from "./sparse_edges.js";
import type { BatchLayout } from "./topology.js";

/**
 * Blocks of at least this many entries (`size · width`) store their weights per edge when
 * sparse. Smaller ones keep the block: updating a few thousand weights costs microseconds
 * either way, and the block is the simpler thing to read.
 */
export const EDGE_STORAGE_MIN_BLOCK = 4096;

/**
 * Whether a batch built now stores its weights per edge: its block has at least
 * {@link EDGE_STORAGE_MIN_BLOCK} entries, it takes the sparse path, and no neuron
 * self-attention (which weighs the whole block) is on.
 *
 * @example
 * storesEdgeWeights(prunedLayout, features); // true for a [128, 385] block at 32 % density
 */
export function storesEdgeWeights(layout: BatchLayout, features: NetworkFeatures): boolean {
  const entries = layout.neurons.length * (layout.inputEnd - layout.inputStart);
  return !features.neuronSelfAttention && entries >= EDGE_STORAGE_MIN_BLOCK && layoutDensity(layout) <= sparseThreshold();
}

/**
 * Whether stored `weights` are per edge (`[E]`) rather than a block (`[size, width]`).
 *
 * @example
 * isEdgeWeights(network.batchParameters[1].weights); // true for a pruned batch
 */
export function isEdgeWeights(weights: Tensor): boolean {
  return weights.ndim === 1;
}

/** Where each edge's weight sits in the flattened block (the sparse tables' `flatIndex`, read without a copy). */
function edgeSlots(layout: BatchLayout): Int32Array {
  return sparseEdges(layout).flatIndex.concrete().contiguousData() as Int32Array;
}

/**
 * The `[size · width]` block data of stored weights (zero off the mask). A block's own data is
 * returned as it is (read it, never write it); edge weights are spread into a new block.
 *
 * @example
 * weightBlock(layout, network.batchParameters[1].weights)[row * width + col];
 */
export function weightBlock(layout: BatchLayout, weights: Tensor): FloatData {
  const data = readData(weights) as FloatData;
  if (!isEdgeWeights(weights)) return data;
  const width = layout.inputEnd - layout.inputStart;
  const block = floatData(weights.dtype, layout.neurons.length * width);
  const flat = edgeSlots(layout);
  for (let e = 0; e < flat.length; e++) block[flat[e]!] = data[e]!;
  return block;
}

/**
 * Weights to store from block data (`[size · width]`, zero off the mask, taken over: never
 * write it again): the block itself, or its edges when `perEdge`.
 *
 * @example
 * storedWeights(layout, block, "float32", storesEdgeWeights(layout, features)).shape; // [E] or [size, width]
 */
export function storedWeights(layout: BatchLayout, block: FloatData, dtype: DType, perEdge: boolean): Tensor {
  const width = layout.inputEnd - layout.inputStart;
  if (!perEdge) return tensorFrom(block, [layout.neurons.length, width], dtype);
  const flat = edgeSlots(layout);
  const edges = floatData(dtype, flat.length);
  for (let e = 0; e < flat.length; e++) edges[e] = block[flat[e]!]!;
  return tensorFrom(edges, [flat.length], dtype);
}

/**
 * The `[size, width]` masked weight block as a traceable tensor (for the dense product and
 * neuron self-attention): stored blocks as they are, edge weights scattered into zeros.
 *
 * @example
 * const w = denseWeights(layout, params.weights); // [size, width]
 */
export function denseWeights(layout: BatchLayout, weights: Tensor): Tensor {
  if (!isEdgeWeights(weights)) return weights;
  const width = layout.inputEnd - layout.inputStart;
  const zeros = np.zeros([layout.neurons.length * width], { dtype: weights.dtype });
  return np.reshape(np.at(zeros, sparseEdges(layout).flatIndex).add(weights), [layout.neurons.length, width]);
}
