/**
 * The parameter record of a batch an edit changed, built from the old records so that every
 * surviving value is carried over by identity and only missing values are drawn
 * (`parameter_draws.ts`). The records have construction's shape: the same optional groups
 * (`parameterGroupsOf`), mask (`batchMask`) and attention records (`attentionParameters`) as
 * `init.ts` builds, weights stored as the new network's weight-layout rule says for the batch.
 *
 * Which old values survive:
 *  - weights: by edge (`from -> to`), when the edge exists before and after;
 *  - biases, adaptive-activation `a`/`b`: by neuron;
 *  - neuron attention: by (neuron, input-range neuron, input-range neuron), from the neuron's
 *    old batch;
 *  - topo norm and topo attention (per-batch, over the input range): by input-range neuron,
 *    from the batch's *origin* — the old batch of its first neuron that existed before.
 */
import { castDraft, produce } from "immer";
import { attentionParameters, batchMask, parameterGroupsOf } from "../init.js";
import { floatData, readData, tensorFrom, copyRun, type FloatData } from "../parameter_data.js";
import { ATTENTION_FIELDS, type TopoBatchParameters } from "../parameters.js";
import type { BatchLayout } from "../topology.js";
import type { BatchWeightLayout } from "../weight_layout.js";
import type { EditContext, Place } from "./edit_context.js";
import { readsWholeRange } from "./edited_layout.js";
import type { OldParameters } from "./old_parameters.js";
import { BatchDraws, ParameterKind } from "./parameter_draws.js";
import { eachElement } from "../frozen_arrays.js";

/**
 * For each column of `layout` (new), the column of the same neuron in old batch `oldBatch`'s
 * input range, or -1 when that neuron is not in it (new, or outside the old range).
 */
function columnMap(ctx: EditContext, layout: BatchLayout, oldBatch: number): Int32Array {
  const old = ctx.old.batches[oldBatch]!;
  const oldWidth = old.inputEnd - old.inputStart;
  const width = layout.inputEnd - layout.inputStart;
  const out = new Int32Array(width);
  for (let k = 0; k < width; k++) {
    const oldPosition = ctx.newToOld[layout.inputStart + k]!;
    const oldColumn = oldPosition - old.inputStart;
    out[k] = oldPosition >= 0 && oldColumn >= 0 && oldColumn < oldWidth ? oldColumn : -1;
  }
  return out;
}

/**
 * The runs of a column map: maximal ranges of new columns that map to consecutive old columns,
 * flattened as `[newStart, oldStart, length, ...]`. Rows that read their whole old range copy
 * their weights run by run (one block copy each) instead of column by column.
 */
function runsOf(map: Int32Array): Int32Array {
  const out: number[] = [];
  let k = 0;
  while (k < map.length) {
    const oldColumn = map[k]!;
    if (oldColumn < 0) {
      k++;
      continue;
    }
    const first = k;
    while (k < map.length && map[k] === oldColumn + (k - first)) k++;
    out.push(first, oldColumn, k - first);
  }
  return Int32Array.from(out);
}

/**
 * The record of a batch whose neurons and input range are unchanged but whose edges changed:
 * the old record with new weights and mask (immer keeps every other field). The old weights and
 * mask are copied as blocks; in the rows whose columns changed, removed edges are zeroed and
 * added ones drawn.
 *
 * @example
 * recordWithEditedEdges(ctx, 2, layout, weightLayout, 2).biases === net.batchParameters[2].biases; // true
 */
export function recordWithEditedEdges(ctx: EditContext, b: number, layout: BatchLayout, weightLayout: BatchWeightLayout, oldBatch: number): TopoBatchParameters {
  const oldLayout = ctx.old.batches[oldBatch]!;
  const record = ctx.net.batchParameters[oldBatch]!;
  const width = layout.inputEnd - layout.inputStart;
  const weights = ctx.net.structure.weightLayouts[oldBatch]!.writableBlock(record.weights);
  const mask = (readData(record.mask) as Uint8Array).slice();
  const fresh: number[] = [];
  eachElement(layout.inputColumns, (columns, j) => {
    const oldColumns = oldLayout.inputColumns[j]!;
    if (columns === oldColumns) return;
    const now = new Set(columns);
    const before = new Set(oldColumns);
    for (const c of oldColumns) {
      if (!now.has(c)) {
        weights[j * width + c] = 0;
        mask[j * width + c] = 0;
      }
    }
    for (const c of columns) {
      if (!before.has(c)) {
        fresh.push(j * width + c);
        mask[j * width + c] = 1;
      }
    }
  });
  new BatchDraws(ctx.edit.key, b, ctx.net.structure.dtype).fill(ParameterKind.weights, weights, fresh);
  const newWeights = weightLayout.fromBlock(weights, ctx.net.structure.dtype);
  const newMask = tensorFrom(mask, [layout.neurons.length, width], "bool");
  return produce(record, (draft) => {
    draft.weights = castDraft(newWeights);
    draft.mask = castDraft(newMask);
  });
}

/**
 * Copy one attention block (`[w, w]` weights and `[w]` biases per field) through a column map;
 * the entries with no old value are listed in `fresh` (per field) to be drawn.
 */
function remapAttentionBlock(
  target: FloatData[],
  targetRow: number,
  width: number,
  old: FloatData[] | null,
  oldRow: number,
  oldWidth: number,
  map: Int32Array | null,
  fresh: number[][],
): void {
  for (let f = 0; f < ATTENTION_FIELDS.length; f++) {
    const out = target[f]!;
    const source = old?.[f];
    if (f % 2 === 0) {
      const base = targetRow * width * width;
      const oldBase = oldRow * oldWidth * oldWidth;
      for (let r = 0; r < width; r++) {
        const oldR = map ? map[r]! : -1;
        for (let c = 0; c < width; c++) {
          const oldC = map ? map[c]! : -1;
          if (source && oldR >= 0 && oldC >= 0) out[base + r * width + c] = source[oldBase + oldR * oldWidth + oldC]!;
          else fresh[f]!.push(base + r * width + c);
        }
      }
    } else {
      for (let r = 0; r < width; r++) {
        const oldR = map ? map[r]! : -1;
        if (source && oldR >= 0) out[targetRow * width + r] = source[oldRow * oldWidth + oldR]!;
        else fresh[f]!.push(targetRow * width + r);
      }
    }
  }
}

/**
 * Batch `b`'s record built entry by entry from the old records (see the file comment): its
 * neurons fired at `sources` in the old network, `origin` is the old batch of its first
 * surviving neuron (-1: none).
 *
 * @example
 * remappedRecord(ctx, old, 1, layout, weightLayout, sources, origin).weights.shape; // as the weight layout says
 */
export function remappedRecord(
  ctx: EditContext,
  old: OldParameters,
  b: number,
  layout: BatchLayout,
  weightLayout: BatchWeightLayout,
  sources: readonly (Place | undefined)[],
  origin: number,
): TopoBatchParameters {
  const { dtype, features } = ctx.net.structure;
  const groups = parameterGroupsOf(layout, features);
  const size = layout.neurons.length;
  const width = layout.inputEnd - layout.inputStart;
  const draws = new BatchDraws(ctx.edit.key, b, dtype);
  const maps = new Map<number, Int32Array>();
  const mapFor = (oldBatch: number) => {
    if (!maps.has(oldBatch)) maps.set(oldBatch, columnMap(ctx, layout, oldBatch));
    return maps.get(oldBatch)!;
  };
  const runs = new Map<number, Int32Array>();
  const runsFor = (oldBatch: number) => {
    if (!runs.has(oldBatch)) runs.set(oldBatch, runsOf(mapFor(oldBatch)));
    return runs.get(oldBatch)!;
  };
  const oldWidth = (oldBatch: number) => ctx.old.batches[oldBatch]!.inputEnd - ctx.old.batches[oldBatch]!.inputStart;

  const weights = floatData(dtype, size * width);
  const freshWeights: number[] = [];
  for (let j = 0; j < size; j++) {
    const columns = layout.inputColumns[j]!;
    const source = sources[j];
    if (source === undefined) {
      for (let i = 0; i < columns.length; i++) freshWeights.push(j * width + columns[i]!);
      continue;
    }
    const map = mapFor(source.batch);
    const oldRowStart = source.row * oldWidth(source.batch);
    const oldWeights = old.weights(source.batch);
    const row = j * width;
    if (!ctx.edit.rewired.has(layout.neurons[j]!)) {
      // Its inputs are old inputs (minus removed neurons): every edge existed, with its weight.
      if (readsWholeRange(ctx.old.batches[source.batch]!.inputColumns[source.row]!, oldWidth(source.batch))) {
        // It read every column of its old range, so every mapped column is one of its edges.
        const r = runsFor(source.batch);
        for (let k = 0; k < r.length; k += 3) copyRun(weights, row + r[k]!, oldWeights, oldRowStart + r[k + 1]!, r[k + 2]!);
        continue;
      }
      for (let i = 0; i < columns.length; i++) {
        const c = columns[i]!;
        const oldColumn = map[c]!;
        if (oldColumn >= 0) weights[row + c] = oldWeights[oldRowStart + oldColumn]!;
        else freshWeights.push(row + c);
      }
      continue;
    }
    const oldMask = old.mask(source.batch);
    for (let i = 0; i < columns.length; i++) {
      const c = columns[i]!;
      const oldColumn = map[c]!;
      if (oldColumn >= 0 && oldMask[oldRowStart + oldColumn]) weights[row + c] = oldWeights[oldRowStart + oldColumn]!;
      else freshWeights.push(row + c);
    }
  }
  draws.fill(ParameterKind.weights, weights, freshWeights);

  const biases = floatData(dtype, size);
  const freshBiases: number[] = [];
  sources.forEach((source, j) => (source ? (biases[j] = old.biases(source.batch)[source.row]!) : freshBiases.push(j)));
  draws.fill(ParameterKind.biases, biases, freshBiases);

  let adaptiveActivation: TopoBatchParameters["adaptiveActivation"] = null;
  if (groups.adaptiveActivation) {
    const aValues = floatData(dtype, size);
    const bValues = floatData(dtype, size);
    const fresh: number[] = [];
    sources.forEach((source, j) => {
      const oldValues = source ? old.adaptive(source.batch) : null;
      if (oldValues) {
        aValues[j] = oldValues.a[source!.row]!;
        bValues[j] = oldValues.b[source!.row]!;
      } else fresh.push(j);
    });
    draws.fill(ParameterKind.adaptiveA, aValues, fresh);
    draws.fill(ParameterKind.adaptiveB, bValues, fresh);
    adaptiveActivation = Object.freeze({ a: tensorFrom(aValues, [size], dtype), b: tensorFrom(bValues, [size], dtype) });
  }

  let topoNorm: TopoBatchParameters["topoNorm"] = null;
  if (groups.topoNorm) {
    const oldNorm = origin >= 0 ? old.norm(origin) : null;
    const map = origin >= 0 ? mapFor(origin) : null;
    const gamma = floatData(dtype, width);
    const beta = floatData(dtype, width);
    const fresh: number[] = [];
    for (let k = 0; k < width; k++) {
      if (oldNorm && map![k]! >= 0) {
        gamma[k] = oldNorm.gamma[map![k]!]!;
        beta[k] = oldNorm.beta[map![k]!]!;
      } else fresh.push(k);
    }
    draws.fill(ParameterKind.normGamma, gamma, fresh);
    draws.fill(ParameterKind.normBeta, beta, fresh);
    topoNorm = Object.freeze({ gamma: tensorFrom(gamma, [width], dtype), beta: tensorFrom(beta, [width], dtype) });
  }

  const attentionData = (lead: number) => ATTENTION_FIELDS.map((_, f) => floatData(dtype, f % 2 === 0 ? lead * width * width : lead * width));
  let topoSelfAttention: TopoBatchParameters["topoSelfAttention"] = null;
  if (groups.topoSelfAttention) {
    const data = attentionData(1);
    const fresh: number[][] = ATTENTION_FIELDS.map(() => []);
    const oldAttention = origin >= 0 ? old.attention(origin, "topoSelfAttention") : null;
    remapAttentionBlock(data, 0, width, oldAttention, 0, origin >= 0 ? oldWidth(origin) : 0, origin >= 0 ? mapFor(origin) : null, fresh);
    fresh.forEach((slots, f) => draws.fill(ParameterKind.topoAttention + f, data[f]!, slots));
    topoSelfAttention = attentionParameters(data, [], width, dtype);
  }

  let neuronSelfAttention: TopoBatchParameters["neuronSelfAttention"] = null;
  if (groups.neuronSelfAttention) {
    const data = attentionData(size);
    const fresh: number[][] = ATTENTION_FIELDS.map(() => []);
    sources.forEach((source, j) => {
      const oldAttention = source ? old.attention(source.batch, "neuronSelfAttention") : null;
      remapAttentionBlock(data, j, width, oldAttention, source ? source.row : 0, source ? oldWidth(source.batch) : 0, source ? mapFor(source.batch) : null, fresh);
    });
    fresh.forEach((slots, f) => draws.fill(ParameterKind.neuronAttention + f, data[f]!, slots));
    neuronSelfAttention = attentionParameters(data, [size], width, dtype);
  }

  return Object.freeze({
    weights: weightLayout.fromBlock(weights, dtype),
    biases: tensorFrom(biases, [size], dtype),
    mask: batchMask(layout),
    topoNorm,
    topoSelfAttention,
    neuronSelfAttention,
    adaptiveActivation,
  });
}
