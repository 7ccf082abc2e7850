/**
 * The per-batch parameter records. A network's trainable state is one record per topological
 * batch (in firing order), so that a structural edit can replace the records of the batches
 * it touches and share every other record, tensor for tensor, with the original network.
 */
import type { Tensor } from "@connex/core";

/** The fields of `AttentionParameters`, in the order initialisation draws them (query, key, value; weights before biases). */
export const ATTENTION_FIELDS = ["queryWeight", "queryBias", "keyWeight", "keyBias", "valueWeight", "valueBias"] as const;

/**
 * Query/key/value projections of a self-attention. For topological self-attention the weights
 * are `[width, width]` and biases `[width]`; for neuron self-attention every tensor has an
 * extra leading axis of length `size` (one attention per neuron).
 */
export interface AttentionParameters {
  readonly queryWeight: Tensor;
  readonly queryBias: Tensor;
  readonly keyWeight: Tensor;
  readonly keyBias: Tensor;
  readonly valueWeight: Tensor;
  readonly valueBias: Tensor;
}

/** Learnable elementwise affine of topological norm, over the batch's `width` inputs. */
export interface TopoNormParameters {
  readonly gamma: Tensor;
  readonly beta: Tensor;
}

/** Per-neuron adaptive activation `a * sigma(b * x)`: `a`, `b` of shape `[size]`. */
export interface AdaptiveActivationParameters {
  readonly a: Tensor;
  readonly b: Tensor;
}

/**
 * Parameters of one topological batch of `size` neurons reading `width` consecutive
 * positions. In a weight block, `weights[j, k]` is the weight of the edge from the neuron at
 * position `inputStart + k` into the batch's `j`-th neuron; it is used only where `mask[j, k]`
 * is true (the edge exists) and is kept at 0 elsewhere. Batches whose weight layout says so
 * store only the edges' weights (`weight_layout.ts`). Optional features are `null` when off (and for
 * batches where they have nothing to act on: no inputs, or one input for topological norm).
 */
export interface TopoBatchParameters {
  /**
   * `[size, width]` float (the block, zero off the mask), or `[E]` when the batch's weight
   * layout stores one weight per edge, in edge order (see `weight_layout.ts`).
   */
  readonly weights: Tensor;
  /** `[size]` float. */
  readonly biases: Tensor;
  /** `[size, width]` bool: which weights are edges. Not inexact, so never differentiated. */
  readonly mask: Tensor;
  readonly topoNorm: TopoNormParameters | null;
  readonly topoSelfAttention: AttentionParameters | null;
  readonly neuronSelfAttention: AttentionParameters | null;
  readonly adaptiveActivation: AdaptiveActivationParameters | null;
}
