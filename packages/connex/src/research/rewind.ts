/**
 * `rewind`: reset a network's parameters to their values in an earlier network (the
 * "rewinding" of lottery-ticket experiments), matching parameters by what they belong to —
 * edges, neurons, input-range neurons — not by where they are stored, so it works across any
 * plasticity edits in between.
 */
import type { Tensor } from "@connex/core";
import { ConnexError } from "../errors.js";
import { NeuralNetwork } from "../network.js";
import type { NeuronId } from "../neuron_id.js";
import type { AttentionParameters, TopoBatchParameters } from "../parameters.js";
import { readData, tensorFrom } from "../parameter_data.js";
import type { BatchLayout, NetworkTopology } from "../topology.js";
import { readWeightBlock, weightsFromBlock, type FloatData } from "./weights_access.js";
import { checkNetwork } from "./options.js";

/**
 * Two networks that cannot exchange parameters: another dtype (their values would change on
 * the way), or an argument that is not a network.
 *
 * @example
 * cnx.rewind(net32, net64); // throws IncompatibleNetworksError naming both dtypes
 */
export class IncompatibleNetworksError extends ConnexError {}

const OP = "rewind";
const ATTENTION_FIELDS = ["queryWeight", "queryBias", "keyWeight", "keyBias", "valueWeight", "valueBias"] as const;

/** Where a neuron fires in a topology: batch and row (undefined for inputs and unknown neurons). */
function placesOf(topology: NetworkTopology): Map<NeuronId, { batch: number; row: number }> {
  const out = new Map<NeuronId, { batch: number; row: number }>();
  topology.batches.forEach((layout, batch) => layout.neurons.forEach((n, row) => out.set(n, { batch, row })));
  return out;
}

/** For each column of `layout` (in `topology`), the column of the same neuron in `earlierLayout` (or -1). */
function columnMap(topology: NetworkTopology, layout: BatchLayout, earlier: NetworkTopology, earlierLayout: BatchLayout): Int32Array {
  const width = layout.inputEnd - layout.inputStart;
  const earlierWidth = earlierLayout.inputEnd - earlierLayout.inputStart;
  const out = new Int32Array(width).fill(-1);
  for (let k = 0; k < width; k++) {
    const p = earlier.position.get(topology.order[layout.inputStart + k]!);
    if (p === undefined) continue;
    const c = p - earlierLayout.inputStart;
    if (c >= 0 && c < earlierWidth) out[k] = c;
  }
  return out;
}

const sameList = (a: readonly unknown[], b: readonly unknown[]) => a === b || (a.length === b.length && a.every((x, i) => x === b[i]));

/** Same neurons reading the same neurons through the same edges: the earlier record fits as it is. */
function sameLayout(topology: NetworkTopology, layout: BatchLayout, earlier: NetworkTopology, earlierLayout: BatchLayout): boolean {
  if (layout === earlierLayout && topology.order === earlier.order) return true;
  if (!sameList(layout.neurons, earlierLayout.neurons)) return false;
  const width = layout.inputEnd - layout.inputStart;
  if (width !== earlierLayout.inputEnd - earlierLayout.inputStart) return false;
  for (let k = 0; k < width; k++) if (topology.order[layout.inputStart + k] !== earlier.order[earlierLayout.inputStart + k]) return false;
  return layout.inputColumns.every((cols, j) => sameList(cols, earlierLayout.inputColumns[j]!));
}

/** A copy of `t`'s data to write into, and whether anything was written that differs. */
class Patch {
  private data: FloatData | null = null;
  changed = false;
  constructor(private readonly source: FloatData) {}
  set(i: number, v: number): void {
    if (Object.is(this.source[i], v)) return;
    this.data ??= this.source.slice() as FloatData;
    this.data[i] = v;
    this.changed = true;
  }
  /** The written copy (`null` when nothing changed); the caller takes it over. */
  written(): FloatData | null {
    return this.changed ? this.data : null;
  }
  tensor(like: Tensor): Tensor {
    return this.changed ? tensorFrom(this.data!, like.shape, like.dtype) : like;
  }
}

const floats = (t: Tensor) => readData(t) as FloatData;

/** Copy earlier attention entries into `patches` by range neuron: row `row` of the fields (0 for topological attention). */
function rewindAttention(
  then: AttentionParameters,
  row: number,
  earlierRow: number,
  width: number,
  earlierWidth: number,
  map: Int32Array,
  patches: Patch[],
): void {
  ATTENTION_FIELDS.forEach((f, fi) => {
    const src = floats(then[f]);
    const patch = patches[fi]!;
    if (fi % 2 === 0) {
      for (let r = 0; r < width; r++) {
        const er = map[r]!;
        if (er < 0) continue;
        for (let c = 0; c < width; c++) {
          const ec = map[c]!;
          if (ec >= 0) patch.set(row * width * width + r * width + c, src[earlierRow * earlierWidth * earlierWidth + er * earlierWidth + ec]!);
        }
      }
    } else {
      for (let r = 0; r < width; r++) if (map[r]! >= 0) patch.set(row * width + r, src[earlierRow * earlierWidth + map[r]!]!);
    }
  });
}

function attentionFrom(now: AttentionParameters, patches: Patch[]): AttentionParameters {
  if (!patches.some((p) => p.changed)) return now;
  const out = {} as Record<(typeof ATTENTION_FIELDS)[number], Tensor>;
  ATTENTION_FIELDS.forEach((f, fi) => (out[f] = patches[fi]!.tensor(now[f])));
  return Object.freeze(out);
}

/** Batch `b` of `net` with every parameter that also exists in `earlier` set to its earlier value. */
function rewindBatch(
  net: NeuralNetwork,
  earlier: NeuralNetwork,
  b: number,
  places: Map<NeuronId, { batch: number; row: number }>,
  sameFeatures: boolean,
): TopoBatchParameters {
  const topology = net.structure.topology;
  const then = earlier.structure.topology;
  const layout = topology.batches[b]!;
  const record = net.batchParameters[b]!;
  const origin = layout.neurons.map((n) => places.get(n)).find((p) => p !== undefined);
  if (origin === undefined) return record;
  const originLayout = then.batches[origin.batch]!;
  // Identical batch in both networks: its earlier record is the rewound one, shared as it is.
  if (sameFeatures && sameLayout(topology, layout, then, originLayout)) {
    return earlier.batchParameters[origin.batch]!;
  }
  const width = layout.inputEnd - layout.inputStart;
  const maps = new Map<number, Int32Array>();
  const mapFor = (eb: number) => {
    let m = maps.get(eb);
    if (m === undefined) maps.set(eb, (m = columnMap(topology, layout, then, then.batches[eb]!)));
    return m;
  };
  const weights = new Patch(readWeightBlock(net, b));
  const biases = new Patch(floats(record.biases));
  const adaptiveA = record.adaptiveActivation ? new Patch(floats(record.adaptiveActivation.a)) : null;
  const adaptiveB = record.adaptiveActivation ? new Patch(floats(record.adaptiveActivation.b)) : null;
  const neuronAttention = record.neuronSelfAttention ? ATTENTION_FIELDS.map((f) => new Patch(floats(record.neuronSelfAttention![f]))) : null;
  const earlierBlocks = new Map<number, FloatData>();
  layout.neurons.forEach((n, j) => {
    const place = places.get(n);
    if (place === undefined) return;
    const eb = place.batch;
    const er = place.row;
    const eLayout = then.batches[eb]!;
    const eRecord = earlier.batchParameters[eb]!;
    const eWidth = eLayout.inputEnd - eLayout.inputStart;
    const map = mapFor(eb);
    let eBlock = earlierBlocks.get(eb);
    if (eBlock === undefined) earlierBlocks.set(eb, (eBlock = readWeightBlock(earlier, eb)));
    // Edges of this row that also exist in the earlier network: their earlier columns, marked.
    const earlierCols = new Set(eLayout.inputColumns[er]!);
    for (const c of layout.inputColumns[j]!) {
      const ec = map[c]!;
      if (ec >= 0 && earlierCols.has(ec)) weights.set(j * width + c, eBlock[er * eWidth + ec]!);
    }
    biases.set(j, floats(eRecord.biases)[er]!);
    if (adaptiveA && adaptiveB && eRecord.adaptiveActivation) {
      adaptiveA.set(j, floats(eRecord.adaptiveActivation.a)[er]!);
      adaptiveB.set(j, floats(eRecord.adaptiveActivation.b)[er]!);
    }
    if (neuronAttention && eRecord.neuronSelfAttention) rewindAttention(eRecord.neuronSelfAttention, j, er, width, eWidth, map, neuronAttention);
  });
  // Per-batch parameters (over the input range) come from the batch's origin, by range neuron.
  const originRecord = earlier.batchParameters[origin.batch]!;
  const originMap = mapFor(origin.batch);
  let topoNorm = record.topoNorm;
  if (topoNorm && originRecord.topoNorm) {
    const gamma = new Patch(floats(topoNorm.gamma));
    const beta = new Patch(floats(topoNorm.beta));
    const eGamma = floats(originRecord.topoNorm.gamma);
    const eBeta = floats(originRecord.topoNorm.beta);
    for (let k = 0; k < width; k++) {
      if (originMap[k]! < 0) continue;
      gamma.set(k, eGamma[originMap[k]!]!);
      beta.set(k, eBeta[originMap[k]!]!);
    }
    if (gamma.changed || beta.changed) topoNorm = Object.freeze({ gamma: gamma.tensor(topoNorm.gamma), beta: beta.tensor(topoNorm.beta) });
  }
  let topoSelfAttention = record.topoSelfAttention;
  if (topoSelfAttention && originRecord.topoSelfAttention) {
    const patches = ATTENTION_FIELDS.map((f) => new Patch(floats(topoSelfAttention![f])));
    rewindAttention(originRecord.topoSelfAttention, 0, 0, width, originLayout.inputEnd - originLayout.inputStart, originMap, patches);
    topoSelfAttention = attentionFrom(topoSelfAttention, patches);
  }
  const adaptiveChanged = (adaptiveA?.changed ?? false) || (adaptiveB?.changed ?? false);
  const attentionChanged = neuronAttention?.some((p) => p.changed) ?? false;
  if (!weights.changed && !biases.changed && !adaptiveChanged && !attentionChanged && topoNorm === record.topoNorm && topoSelfAttention === record.topoSelfAttention) {
    return record;
  }
  return Object.freeze({
    ...record,
    weights: weights.changed ? weightsFromBlock(net, b, weights.written()!) : record.weights,
    biases: biases.tensor(record.biases),
    adaptiveActivation: adaptiveChanged ? Object.freeze({ a: adaptiveA!.tensor(record.adaptiveActivation!.a), b: adaptiveB!.tensor(record.adaptiveActivation!.b) }) : record.adaptiveActivation,
    neuronSelfAttention: neuronAttention ? attentionFrom(record.neuronSelfAttention!, neuronAttention) : record.neuronSelfAttention,
    topoNorm,
    topoSelfAttention,
  });
}

/**
 * `network` with every parameter that also exists in `earlier` set to its value there: edge
 * weights by edge (`from -> to`), biases and adaptive-activation parameters by neuron, neuron
 * attention by neuron and input-range neurons, topological norm and attention by input-range
 * neuron (from the earlier batch of the batch's first neuron). Parameters that exist only in
 * `network` (new edges, new neurons) keep their values; the structure is `network`'s. A batch
 * whose layout is the same in both takes `earlier`'s record by reference, one where nothing
 * changes keeps its own. Trainable activation modules keep their values. Throws
 * `IncompatibleNetworksError` when the dtypes differ or `earlier` is not a `NeuralNetwork`.
 *
 * @example
 * const ticket = cnx.rewind(cnx.pruneByMagnitude(trained, { fraction: 0.2 }), initial);
 */
export function rewind(network: NeuralNetwork, earlier: NeuralNetwork): NeuralNetwork {
  if (!(earlier instanceof NeuralNetwork)) {
    throw new IncompatibleNetworksError(`${OP}: earlier must be a NeuralNetwork, got ${earlier === null ? "null" : typeof earlier}`);
  }
  checkNetwork(network, OP);
  if (network.structure.dtype !== earlier.structure.dtype) {
    throw new IncompatibleNetworksError(
      `${OP}: cannot rewind a ${network.structure.dtype} network to a ${earlier.structure.dtype} one (values would be rounded); convert one of them first`,
    );
  }
  const places = placesOf(earlier.structure.topology);
  const sameFeatures = JSON.stringify(network.structure.features) === JSON.stringify(earlier.structure.features);
  const records = network.batchParameters.map((_, b) => rewindBatch(network, earlier, b, places, sameFeatures));
  return NeuralNetwork.fromParts({
    structure: network.structure,
    batchParameters: records,
    hiddenActivation: network.hiddenActivation,
    outputTransformation: network.outputTransformation,
  });
}
