/**
 * Self-attention over a batch's inputs (Vaswani et al., 2017), single-headed, with a skip
 * connection. Each input position is a token whose "embedding" is its scalar value: queries,
 * keys and values are affine maps of the whole input vector, and the attention matrix is
 * `softmax(outer(query, key) / sqrt(n))`.
 */
import { nn, np, type Tensor } from "@connex/core";
import type { AttentionParameters } from "../parameters.js";

/** Masked-out attention scores: finite, so a fully masked row stays finite (and is unused). */
const MASKED_SCORE = -1e30;

/**
 * Topological self-attention: `softmax(outer(q, k) / sqrt(width)) @ v + vals`, with
 * `q = Wq vals + bq` (and likewise `k`, `v`), over all `width` positions the batch reads.
 *
 * @example
 * topoSelfAttention(params, vals).shape; // same as vals: [width]
 */
export function topoSelfAttention(params: AttentionParameters, vals: Tensor): Tensor {
  const width = vals.shape[vals.ndim - 1]!;
  const q = np.add(np.matmul(params.queryWeight, vals), params.queryBias);
  const k = np.add(np.matmul(params.keyWeight, vals), params.keyBias);
  const v = np.add(np.matmul(params.valueWeight, vals), params.valueBias);
  const scores = np.multiply(np.outer(q, k), 1 / Math.sqrt(width));
  return np.add(np.matmul(nn.softmax(scores), v), vals);
}

/**
 * Neuron self-attention: each of the batch's `size` neurons attends over its own inputs only.
 * For neuron `j`, `q_j = Wq_j vals + bq_j` (and `k_j`, `v_j`); scores
 * `q_j[r] * k_j[c] / sqrt(fanIn_j)` for `r`, `c` among its inputs (other pairs masked out);
 * the result row `j` is `softmax(scores) @ v_j + vals`. Returns `[size, width]`: the attended
 * input vector of every neuron (only its own input columns are used afterwards).
 *
 * @example
 * neuronSelfAttention(params, mask, fanIn, vals).shape; // [size, width]
 */
export function neuronSelfAttention(params: AttentionParameters, mask: Tensor, fanIn: readonly number[], vals: Tensor): Tensor {
  const [size, width] = mask.shape as [number, number];
  // [size, width, width] @ [width] as one 2-d matmul: [size * width, width] @ [width].
  const project = (w: Tensor, b: Tensor) => np.add(np.reshape(np.matmul(np.reshape(w, [size * width, width]), vals), [size, width]), b);
  const q = project(params.queryWeight, params.queryBias);
  const k = project(params.keyWeight, params.keyBias);
  const v = project(params.valueWeight, params.valueBias);
  const scale = np.array(
    fanIn.map((n) => 1 / Math.sqrt(Math.max(n, 1))),
    { dtype: params.queryWeight.dtype },
  );
  const scores = np.multiply(np.multiply(np.expandDims(q, 2), np.expandDims(k, 1)), np.reshape(scale, [size, 1, 1]));
  const allowed = np.logicalAnd(np.expandDims(mask, 2), np.expandDims(mask, 1));
  const weights = nn.softmax(np.where(allowed, scores, MASKED_SCORE));
  const attended = np.sum(np.multiply(weights, np.expandDims(v, 1)), { axis: -1 });
  return np.add(attended, vals);
}
