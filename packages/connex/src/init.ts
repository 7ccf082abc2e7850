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
 * edges (mask false) are then set to 0, and the weights are stored as the batch's weight layout
 * says (`weight_layout.ts`). In an attention block `[..., 3, width, width + 1]`,
 * index 0/1/2 of the `3` axis is query/key/value, and each `[width, width + 1]` block is
 * weights (first `width` columns) and biases (last column). All draws use the network's dtype.
 *
 * Plasticity builds the parameters an edit creates with the pieces exported here (which groups a
 * batch has, the mask, attention records, the initial distributions), drawing only the missing
 * values (`plasticity/parameter_draws.ts`).
 */
import { np, random, type DType, type Tensor } from "@connex/core";
import { InitializerShapeError } from "./errors.js";
import type { NeuronId } from "./neuron_id.js";
import type { NetworkFeatures } from "./options.js";
import { floatData, tensorFrom, type FloatData } from "./parameter_data.js";
import { ATTENTION_FIELDS, type AttentionParameters, type TopoBatchParameters } from "./parameters.js";
import type { NetworkStructure } from "./structure.js";
import type { BatchLayout } from "./topology.js";
import type { BatchWeightLayout } from "./weight_layout.js";

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

/** Standard deviation of every initial draw (weights, biases and every optional parameter). */
export const INIT_STD = 0.1;

/**
 * Mean of the initial draws of a parameter group: 1 for the scales and shifts of topological
 * norm (gamma, beta) and adaptive activations (a, b), 0 for weights, biases and attention.
 *
 * @example
 * initialMean("topoNorm"); // 1
 */
export function initialMean(group: "affine" | "topoNorm" | "attention" | "adaptiveActivation"): number {
  return group === "topoNorm" || group === "adaptiveActivation" ? 1 : 0;
}

/**
 * Connex's initialisation: every weight and bias drawn from N(0, 0.1²).
 *
 * @example
 * defaultInit(random.key(0), [2, 3], context); // normal(key, [2, 3]) * 0.1
 */
export const defaultInit: WeightInitializer = (key, shape, context) => np.multiply(random.normal(key, shape, { dtype: context.dtype as "float32" | "float64" }), INIT_STD);

/** Which optional parameter groups a batch has (each `null` in its record otherwise). */
export interface BatchParameterGroups {
  readonly topoNorm: boolean;
  readonly topoSelfAttention: boolean;
  readonly neuronSelfAttention: boolean;
  readonly adaptiveActivation: boolean;
}

/**
 * The optional groups of a batch: a feature's parameters exist where it has something to act
 * on (topological norm over at least two inputs, attention over at least one, adaptive
 * activations on hidden batches).
 *
 * @example
 * parameterGroupsOf(outputLayout, { ...features, adaptiveActivations: true }).adaptiveActivation; // false
 */
export function parameterGroupsOf(layout: BatchLayout, features: NetworkFeatures): BatchParameterGroups {
  const width = layout.inputEnd - layout.inputStart;
  return {
    topoNorm: features.topoNorm && width >= 2,
    topoSelfAttention: features.topoSelfAttention && width >= 1,
    neuronSelfAttention: features.neuronSelfAttention && width >= 1,
    adaptiveActivation: features.adaptiveActivations && layout.kind === "hidden",
  };
}

type Floats = FloatData;

function floats(t: Tensor, dtype: DType): Floats {
  return np.astype(t, dtype).toTypedArray() as Floats;
}

/** Rows `[r0, r0 + rows)` and columns `[c0, c1)` of a row-major matrix with `cols` columns, starting at `offset`. */
function block(data: Floats, offset: number, rows: number, cols: number, c0: number, c1: number): Floats {
  const out = floatData(data instanceof Float64Array ? "float64" : "float32", rows * (c1 - c0));
  for (let r = 0; r < rows; r++) for (let c = c0; c < c1; c++) out[r * (c1 - c0) + (c - c0)] = data[offset + r * cols + c]!;
  return out;
}

function drawNormal(key: Tensor, shape: readonly number[], dtype: DType, mean: number): Floats {
  const t = np.add(np.multiply(random.normal(key, shape, { dtype: dtype as "float32" | "float64" }), INIT_STD), mean);
  return floats(t, dtype);
}

/**
 * An attention record from the data of its six fields (in `ATTENTION_FIELDS` order, each
 * taken over): weights `[...lead, width, width]`, biases `[...lead, width]`.
 *
 * @example
 * attentionParameters(fields, [], 3, "float32").queryWeight.shape; // [3, 3]
 */
export function attentionParameters(fields: readonly FloatData[], lead: readonly number[], width: number, dtype: DType): AttentionParameters {
  const shape = (f: number) => (f % 2 === 0 ? [...lead, width, width] : [...lead, width]);
  const t = fields.map((data, f) => tensorFrom(data, shape(f), dtype));
  return Object.freeze({ queryWeight: t[0]!, queryBias: t[1]!, keyWeight: t[2]!, keyBias: t[3]!, valueWeight: t[4]!, valueBias: t[5]! });
}

/** Split attention draws `[...lead, 3, width, width + 1]` (`count` leading blocks) into the six fields. */
function attentionFromDraw(data: Floats, count: number, width: number, dtype: DType, lead: readonly number[]): AttentionParameters {
  const per = width * (width + 1);
  const fields = ATTENTION_FIELDS.map((_, f) => floatData(dtype, f % 2 === 0 ? count * width * width : count * width));
  for (let j = 0; j < count; j++) {
    for (let t = 0; t < 3; t++) {
      const off = (j * 3 + t) * per;
      fields[2 * t]!.set(block(data, off, width, width + 1, 0, width), j * width * width);
      fields[2 * t + 1]!.set(block(data, off, width, width + 1, width, width + 1), j * width);
    }
  }
  return attentionParameters(fields, lead, width, dtype);
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
  for (let j = 0; j < layout.neurons.length; j++) {
    const cols = layout.inputColumns[j]!;
    const row = j * width;
    // A row that reads its whole range (every row of a dense layer) is one native fill.
    if (cols.length === width) data.fill(1, row, row + width);
    else for (let i = 0; i < cols.length; i++) data[row + cols[i]!] = 1;
  }
  return tensorFrom(data, [layout.neurons.length, width], "bool");
}

/**
 * The weights, biases and mask of one batch from a drawn `[size, width + 1]` block, the
 * weights stored as the batch's weight layout says.
 *
 * @example
 * affineFromBlock(weightLayout, block, "float32", 0).weights.shape; // [size, width] or [E]
 */
export function affineFromBlock(weightLayout: BatchWeightLayout, drawn: Tensor, dtype: DType, batchIndex: number): Pick<TopoBatchParameters, "weights" | "biases" | "mask"> {
  const { layout } = weightLayout;
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
  const kept = floatData(dtype, weights.length);
  layout.inputColumns.forEach((cols, j) => {
    for (const c of cols) kept[j * width + c] = weights[j * width + c]!;
  });
  return {
    weights: weightLayout.fromBlock(kept, dtype),
    biases: tensorFrom(block(data, 0, size, width + 1, width, width + 1), [size], dtype),
    mask: batchMask(layout),
  };
}

/**
 * Initialise every batch's parameters with the key scheme described at the top of this file.
 *
 * @example
 * initialiseBatches(structure, random.key(0)).length; // number of batches
 */
export function initialiseBatches(structure: NetworkStructure, key: Tensor, init: WeightInitializer = defaultInit): TopoBatchParameters[] {
  const { topology, features, dtype } = structure;
  const B = topology.batches.length;
  const keys = [...random.split(key, B + 1)];
  const [k1, k2, k3, k4] = [...random.split(keys[B]!, 4)];
  const normKeys = features.topoNorm ? [...random.split(k1!, B + 1)] : [];
  const topoAttnKeys = features.topoSelfAttention ? [...random.split(k2!, B + 1)] : [];
  const neuronAttnKeys = features.neuronSelfAttention ? [...random.split(k3!, B + 1)] : [];
  const adaptiveKeys = features.adaptiveActivations ? [...random.split(k4!, B)] : [];

  return structure.weightLayouts.map((weightLayout, i): TopoBatchParameters => {
    const { layout } = weightLayout;
    const size = layout.neurons.length;
    const width = layout.inputEnd - layout.inputStart;
    const groups = parameterGroupsOf(layout, features);
    const context: InitContext = Object.freeze({
      dtype,
      batchIndex: i,
      neurons: layout.neurons,
      fanIn: layout.inputColumns.map((c) => c.length),
      columns: topology.order.slice(layout.inputStart, layout.inputEnd),
    });
    const drawn = init(keys[i]!, [size, width + 1], context);
    const affine = affineFromBlock(weightLayout, drawn, dtype, i);
    let topoNorm: TopoBatchParameters["topoNorm"] = null;
    if (groups.topoNorm) {
      const d = drawNormal(normKeys[i]!, [width, 2], dtype, initialMean("topoNorm"));
      topoNorm = Object.freeze({ gamma: tensorFrom(block(d, 0, width, 2, 0, 1), [width], dtype), beta: tensorFrom(block(d, 0, width, 2, 1, 2), [width], dtype) });
    }
    const topoSelfAttention = groups.topoSelfAttention
      ? attentionFromDraw(drawNormal(topoAttnKeys[i]!, [3, width, width + 1], dtype, initialMean("attention")), 1, width, dtype, [])
      : null;
    const neuronSelfAttention = groups.neuronSelfAttention
      ? attentionFromDraw(drawNormal(neuronAttnKeys[i]!, [size, 3, width, width + 1], dtype, initialMean("attention")), size, width, dtype, [size])
      : null;
    let adaptiveActivation: TopoBatchParameters["adaptiveActivation"] = null;
    if (groups.adaptiveActivation) {
      const d = drawNormal(adaptiveKeys[i]!, [size, 2], dtype, initialMean("adaptiveActivation"));
      adaptiveActivation = Object.freeze({ a: tensorFrom(block(d, 0, size, 2, 0, 1), [size], dtype), b: tensorFrom(block(d, 0, size, 2, 1, 2), [size], dtype) });
    }
    return Object.freeze({ ...affine, topoNorm, topoSelfAttention, neuronSelfAttention, adaptiveActivation });
  });
}
