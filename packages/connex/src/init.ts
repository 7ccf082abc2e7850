/**
 * Parameter initialisation, reproducible with JAX. For a network with `B` topological batches
 * and key `key` (default `random.key(0)`), exactly as Python Connex splits it:
 *
 * ```
 * keys = split(key, B + 1)          // keys[i] for batch i's weights and biases, keys[B] for the rest
 * [k1, k2, k3, k4] = split(keys[B], 4)
 * weights+biases of batch i:  init(keys[i], [size_i, width_i + 1])         default normal(...) * 0.1
 * topo norm of batch i:       normal(split(k1, B + 1)[i], [width_i, 2]) * 0.1 + 1   gamma = [:, 0], beta = [:, 1]
 * topo attention of batch i:  normal(split(k2, B + 1)[i], [3, width_i, width_i + 1]) * 0.1
 * neuron attention of batch i: normal(split(k3, B + 1)[i], [size_i, 3, width_i, width_i + 1]) * 0.1
 * adaptive act. of batch i:   normal(split(k4, B)[i], [size_i, 2]) * 0.1 + 1       a = [:, 0], b = [:, 1]
 * ```
 *
 * In a weight-and-bias block, columns `0..width-1` are the weights (`weights[j, k]` for the
 * input at position `inputStart + k`) and the last column the biases. Weights of absent
 * edges (mask false) are then set to 0. In an attention block `[..., 3, width, width + 1]`,
 * index 0/1/2 of the `3` axis is query/key/value, and each `[width, width + 1]` block is
 * weights (first `width` columns) and biases (last column). All draws use the network's dtype.
 */
import { np, random, type DType, type Tensor } from "@connex/core";
import { InitializerShapeError } from "./errors.js";
import type { NeuronId } from "./neuron_id.js";
import type { NetworkFeatures } from "./options.js";
import type { AttentionParameters, TopoBatchParameters } from "./parameters.js";
import type { BatchLayout, NetworkTopology } from "./topology.js";
import { storedWeights, storesEdgeWeights } from "./weight_storage.js";

/** What an initialiser knows about the batch it draws for. */
export interface InitContext {
  readonly dtype: DType;
  /** Index of the batch in firing order. */
  readonly batchIndex: number;
  /** The batch's neurons (rows of the block). */
  readonly neurons: readonly NeuronId[];
  /** Number of inputs (incoming edges) of each of the batch's neurons. */
  readonly fanIn: readonly number[];
  /** The neuron read by each weight column (positions `inputStart .. inputEnd - 1`). */
  readonly columns: readonly NeuronId[];
}

/**
 * Draws a batch's `[size, width + 1]` block: weights in the first `width` columns, biases in
 * the last. Entries for absent edges are ignored (set to 0).
 */
export type WeightInitializer = (key: Tensor, shape: readonly [number, number], context: InitContext) => Tensor;

/**
 * Connex's initialisation: every weight and bias drawn from N(0, 0.1²).
 *
 * @example
 * defaultInit(random.key(0), [2, 3], context); // normal(key, [2, 3]) * 0.1
 */
export const defaultInit: WeightInitializer = (key, shape, context) => np.multiply(random.normal(key, shape, { dtype: context.dtype as "float32" | "float64" }), 0.1);

type Floats = Float32Array | Float64Array;

function floats(t: Tensor, dtype: DType): Floats {
  return np.astype(t, dtype).toTypedArray() as Floats;
}

function tensorOf(data: Floats, shape: readonly number[], dtype: DType): Tensor {
  return np.reshape(np.array(data, { dtype }), shape);
}

/** Rows `[r0, r0 + rows)` and columns `[c0, c1)` of a row-major matrix with `cols` columns, starting at `offset`. */
function block(data: Floats, offset: number, rows: number, cols: number, c0: number, c1: number): Floats {
  const out = new (data.constructor as Float64ArrayConstructor)(rows * (c1 - c0)) as Floats;
  for (let r = 0; r < rows; r++) for (let c = c0; c < c1; c++) out[r * (c1 - c0) + (c - c0)] = data[offset + r * cols + c]!;
  return out;
}

function drawNormal(key: Tensor, shape: readonly number[], dtype: DType, shift: number): Floats {
  const t = np.add(np.multiply(random.normal(key, shape, { dtype: dtype as "float32" | "float64" }), 0.1), shift);
  return floats(t, dtype);
}

/** Split attention draws `[..., 3, width, width + 1]` (`lead` leading blocks) into named tensors. */
function attentionFrom(data: Floats, lead: number, width: number, dtype: DType, leadShape: readonly number[]): AttentionParameters {
  const per = width * (width + 1);
  const parts: Floats[][] = [[], [], [], [], [], []];
  for (let j = 0; j < lead; j++) {
    for (let t = 0; t < 3; t++) {
      const off = (j * 3 + t) * per;
      parts[2 * t]!.push(block(data, off, width, width + 1, 0, width));
      parts[2 * t + 1]!.push(block(data, off, width, width + 1, width, width + 1));
    }
  }
  const join = (chunks: Floats[], shape: readonly number[]) => {
    const out = new (data.constructor as Float64ArrayConstructor)(chunks.reduce((s, c) => s + c.length, 0)) as Floats;
    let o = 0;
    for (const c of chunks) {
      out.set(c, o);
      o += c.length;
    }
    return tensorOf(out, shape, dtype);
  };
  const w = [...leadShape, width, width];
  const b = [...leadShape, width];
  return Object.freeze({
    queryWeight: join(parts[0]!, w),
    queryBias: join(parts[1]!, b),
    keyWeight: join(parts[2]!, w),
    keyBias: join(parts[3]!, b),
    valueWeight: join(parts[4]!, w),
    valueBias: join(parts[5]!, b),
  });
}

/**
 * The bool `[size, width]` mask of a batch: true where the neuron reads that column.
 *
 * @example
 * batchMask(layout); // [[true, false], [true, true]]
 */
export function batchMask(layout: BatchLayout): Tensor {
  const width = layout.inputEnd - layout.inputStart;
  const data = new Uint8Array(layout.neurons.length * width);
  layout.inputColumns.forEach((cols, j) => {
    for (const c of cols) data[j * width + c] = 1;
  });
  return np.reshape(np.array(data, { dtype: "bool" }), [layout.neurons.length, width]);
}

/**
 * The weights, biases and mask of one batch from a drawn `[size, width + 1]` block; the
 * weights stored per edge when `perEdge` (see `weight_storage.ts`).
 *
 * @example
 * affineFromBlock(layout, block, "float32").weights.shape; // [size, width]
 */
export function affineFromBlock(layout: BatchLayout, drawn: Tensor, dtype: DType, batchIndex: number, perEdge = false): Pick<TopoBatchParameters, "weights" | "biases" | "mask"> {
  const size = layout.neurons.length;
  const width = layout.inputEnd - layout.inputStart;
  if (drawn.shape.length !== 2 || drawn.shape[0] !== size || drawn.shape[1] !== width + 1) {
    throw new InitializerShapeError(
      `init: batch ${batchIndex} (neurons ${JSON.stringify(layout.neurons.slice(0, 8))}${size > 8 ? "..." : ""}) needs a block of shape [${size}, ${width + 1}], got [${drawn.shape.join(", ")}]`,
      layout.neurons,
    );
  }
  const data = floats(drawn, dtype);
  const weights = block(data, 0, size, width + 1, 0, width);
  const kept = new (weights.constructor as Float64ArrayConstructor)(weights.length) as Floats;
  layout.inputColumns.forEach((cols, j) => {
    for (const c of cols) kept[j * width + c] = weights[j * width + c]!;
  });
  return {
    weights: storedWeights(layout, kept, dtype, perEdge),
    biases: tensorOf(block(data, 0, size, width + 1, width, width + 1), [size], dtype),
    mask: batchMask(layout),
  };
}

/**
 * Initialise every batch's parameters with the key scheme described at the top of this file.
 *
 * @example
 * initialiseBatches(topology, features, random.key(0), "float32").length; // number of batches
 */
export function initialiseBatches(
  topology: NetworkTopology,
  features: NetworkFeatures,
  key: Tensor,
  dtype: DType,
  init: WeightInitializer = defaultInit,
): TopoBatchParameters[] {
  const B = topology.batches.length;
  const keys = [...random.split(key, B + 1)];
  const [k1, k2, k3, k4] = [...random.split(keys[B]!, 4)];
  const normKeys = features.topoNorm ? [...random.split(k1!, B + 1)] : [];
  const topoAttnKeys = features.topoSelfAttention ? [...random.split(k2!, B + 1)] : [];
  const neuronAttnKeys = features.neuronSelfAttention ? [...random.split(k3!, B + 1)] : [];
  const adaptiveKeys = features.adaptiveActivations ? [...random.split(k4!, B)] : [];

  return topology.batches.map((layout, i): TopoBatchParameters => {
    const size = layout.neurons.length;
    const width = layout.inputEnd - layout.inputStart;
    const context: InitContext = Object.freeze({
      dtype,
      batchIndex: i,
      neurons: layout.neurons,
      fanIn: layout.inputColumns.map((c) => c.length),
      columns: topology.order.slice(layout.inputStart, layout.inputEnd),
    });
    const drawn = init(keys[i]!, [size, width + 1], context);
    const affine = affineFromBlock(layout, drawn, dtype, i, storesEdgeWeights(layout, features));
    let topoNorm: TopoBatchParameters["topoNorm"] = null;
    if (features.topoNorm && width >= 2) {
      const d = drawNormal(normKeys[i]!, [width, 2], dtype, 1);
      topoNorm = Object.freeze({ gamma: tensorOf(block(d, 0, width, 2, 0, 1), [width], dtype), beta: tensorOf(block(d, 0, width, 2, 1, 2), [width], dtype) });
    }
    const topoSelfAttention =
      features.topoSelfAttention && width >= 1 ? attentionFrom(drawNormal(topoAttnKeys[i]!, [3, width, width + 1], dtype, 0), 1, width, dtype, []) : null;
    const neuronSelfAttention =
      features.neuronSelfAttention && width >= 1
        ? attentionFrom(drawNormal(neuronAttnKeys[i]!, [size, 3, width, width + 1], dtype, 0), size, width, dtype, [size])
        : null;
    let adaptiveActivation: TopoBatchParameters["adaptiveActivation"] = null;
    if (features.adaptiveActivations && layout.kind === "hidden") {
      const d = drawNormal(adaptiveKeys[i]!, [size, 2], dtype, 1);
      adaptiveActivation = Object.freeze({ a: tensorOf(block(d, 0, size, 2, 0, 1), [size], dtype), b: tensorOf(block(d, 0, size, 2, 1, 2), [size], dtype) });
    }
    return Object.freeze({ ...affine, topoNorm, topoSelfAttention, neuronSelfAttention, adaptiveActivation });
  });
}
