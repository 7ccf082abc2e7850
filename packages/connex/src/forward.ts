/**
 * The forward pass: the network's values are filled batch by batch, each batch one masked
 * matrix-vector product over the contiguous range of earlier values it reads. Per-sample code;
 * under `vmap` every product becomes one matrix-matrix product over the whole data batch.
 * Batches whose weight layout (`weight_layout.ts`, chosen by the network's rule) asks for the
 * sparse product instead compute `np.spmv` over the same values with their edges' weights.
 */
import { np, type Tensor } from "@connex/core";
import { applyActivation, type Activation } from "./activation.js";
import { anyDropout } from "./features/dropout.js";
import { neuronSelfAttention, topoSelfAttention } from "./features/self_attention.js";
import { topoNorm } from "./features/topo_norm.js";
import type { TopoBatchParameters } from "./parameters.js";
import type { NetworkStructure } from "./structure.js";
import type { InputSegment } from "./topology.js";
import type { BatchWeightLayout } from "./weight_layout.js";

/** The parts of a network the forward pass reads. */
export interface ForwardParts {
  readonly structure: NetworkStructure;
  readonly batchParameters: readonly TopoBatchParameters[];
  readonly hiddenActivation: Activation;
  readonly outputTransformation: Activation;
}

/**
 * The values at positions `[inputStart, inputEnd)`: the concatenation of the chunk slices in
 * `segments` (a whole chunk is used as it is).
 *
 * @example
 * gatherInputs([x, h1], [{ chunk: 0, from: 0, to: 2 }, { chunk: 1, from: 0, to: 1 }]); // [x0, x1, h1_0]
 */
export function gatherInputs(chunks: readonly Tensor[], segments: readonly InputSegment[]): Tensor {
  const parts = segments.map(({ chunk, from, to }) => {
    const c = chunks[chunk]!;
    return from === 0 && to === c.shape[0] ? c : np.slice(c, from, to);
  });
  return parts.length === 1 ? parts[0]! : np.concatenate(parts);
}

/** One batch's pre-activation values `[size]`. */
function affine(weightLayout: BatchWeightLayout, params: TopoBatchParameters, chunks: readonly Tensor[]): Tensor {
  const { layout } = weightLayout;
  if (layout.inputEnd === layout.inputStart) return params.biases;
  let vals = gatherInputs(chunks, layout.segments);
  if (params.topoNorm) vals = topoNorm(params.topoNorm, vals);
  if (params.topoSelfAttention) vals = topoSelfAttention(params.topoSelfAttention, vals);
  if (weightLayout.product === "sparse") {
    return np.add(np.spmv(vals, weightLayout.edgeWeights(params.weights), weightLayout.edges.table, layout.neurons.length), params.biases);
  }
  const weights = weightLayout.maskedBlock(params.weights, params.mask);
  if (params.neuronSelfAttention) {
    const fanIn = layout.inputColumns.map((c) => c.length);
    const attended = neuronSelfAttention(params.neuronSelfAttention, params.mask, fanIn, vals);
    return np.add(np.sum(np.multiply(weights, attended), { axis: -1 }), params.biases);
  }
  return np.add(np.matmul(weights, vals), params.biases);
}

/**
 * Run the network on one input vector `x` (`[numInputs]`), with dropout multipliers by position
 * (`dropout`, from `dropoutMultipliers`) or `null` for no dropout. Returns `[numOutputs]`.
 *
 * @example
 * forwardPass(network, np.array([0.5]), null); // the outputs, after outputTransformation
 */
export function forwardPass(parts: ForwardParts, x: Tensor, dropout: Tensor | null): Tensor {
  const { structure, batchParameters } = parts;
  const layouts = structure.weightLayouts;
  const numInputs = structure.topology.inputNeurons.length;
  const dropped = (values: Tensor, start: number, end: number) =>
    dropout !== null && anyDropout(structure, start, end) ? np.multiply(values, np.slice(dropout, start, end)) : values;

  const chunks: Tensor[] = [dropped(x, 0, numInputs)];
  layouts.forEach((weightLayout, b) => {
    const { layout } = weightLayout;
    const params = batchParameters[b]!;
    const pre = affine(weightLayout, params, chunks);
    let out = pre;
    if (layout.kind === "hidden") {
      const ada = params.adaptiveActivation;
      out = ada ? np.multiply(ada.a, applyActivation(parts.hiddenActivation, np.multiply(ada.b, pre))) : applyActivation(parts.hiddenActivation, pre);
    }
    chunks.push(dropped(out, layout.start, layout.start + layout.neurons.length));
  });
  return applyActivation(parts.outputTransformation, chunks[chunks.length - 1]!);
}
