/**
 * The shared engine of every structural edit: given the edited graph, roles and partition of
 * the hidden neurons into batches, lay out the new network and carry its parameters over.
 *
 * Cost is in proportion to what changed. Positions are recomputed (one pass over the neurons),
 * but a batch's input columns are derived from its old columns through an old -> new position
 * map unless the neuron's inputs were rewired, and a batch's parameter record is
 *  - shared (`===`) when its neurons, the neurons its input range covers, and its edges are
 *    unchanged (this holds across pure position shifts: records hold nothing positional);
 *  - patched with immer (`weights` and `mask` replaced) when only its edges changed;
 *  - remapped entry by entry otherwise: every surviving value is copied by neuron identity and
 *    only missing entries are drawn (see `parameter_draws.ts`).
 *
 * Which old values survive in a remapped batch:
 *  - weights: by edge (`from -> to`), when the edge exists before and after;
 *  - biases, adaptive-activation `a`/`b`: by neuron;
 *  - neuron attention: by (neuron, input-range neuron, input-range neuron), from the neuron's
 *    old batch;
 *  - topo norm and topo attention (per-batch, over the input range): by input-range neuron,
 *    from the batch's *origin* — the old batch of its first neuron that existed before.
 */
import { castDraft, produce } from "immer";
import type { DType, Tensor } from "@connex/core";
import type { DirectedGraph } from "../graph.js";
import { NeuralNetwork } from "../network.js";
import type { NeuronId } from "../neuron_id.js";
import type { NetworkFeatures } from "../options.js";
import type { AttentionParameters, TopoBatchParameters } from "../parameters.js";
import { NetworkStructure } from "../structure.js";
import { segmentsFor, type BatchLayout, type InputSegment, type NetworkTopology } from "../topology.js";
import { batchByPosition } from "./batch_order.js";
import { BatchDraws, copyRun, floatData, ParameterKind, readData, tensorFrom, type FloatData } from "./parameter_draws.js";
import { isEdgeWeights, storedWeights, storesEdgeWeights, weightBlock } from "../weight_storage.js";

/** A structural edit, fully resolved by the calling plasticity function. */
export interface NetworkEdit {
  /** The edited graph (the original's graph is never modified). */
  readonly graph: DirectedGraph;
  readonly inputNeurons: readonly NeuronId[];
  readonly outputNeurons: readonly NeuronId[];
  /** The hidden neurons grouped into batches, in firing order (no edge inside a batch). */
  readonly hiddenBatches: readonly (readonly NeuronId[])[];
  /** Dropout probability of every neuron of the edited network. */
  readonly dropout: ReadonlyMap<NeuronId, number>;
  /**
   * Neurons whose inputs are not simply their old inputs minus removed neurons: heads of added
   * or removed edges. (New neurons need not be listed.)
   */
  readonly rewired: ReadonlySet<NeuronId>;
  /** Key for the parameters that did not exist before. */
  readonly key: Tensor;
}

/** Where a neuron fires: its batch and its row in the batch. */
export interface Place {
  readonly batch: number;
  readonly row: number;
}

/**
 * Where neuron `n` fired in the old network (`undefined` for inputs and new neurons), given
 * the old batch at each position (`batchByPosition`).
 *
 * @example
 * placeOf(topology, batchByPosition(topology), 5); // { batch: 1, row: 0 }
 */
export function placeOf(topology: NetworkTopology, batchAt: Int32Array, n: NeuronId): Place | undefined {
  const p = topology.position.get(n);
  if (p === undefined) return undefined;
  const batch = batchAt[p]!;
  return batch < 0 ? undefined : { batch, row: p - topology.batches[batch]!.start };
}

const ATTENTION_FIELDS = ["queryWeight", "queryBias", "keyWeight", "keyBias", "valueWeight", "valueBias"] as const;

/** The old network's parameter data, as read-only typed arrays (no copies), read on first use. */
class OldParameters {
  private readonly cache = new Map<string, unknown>();
  constructor(
    private readonly records: readonly TopoBatchParameters[],
    private readonly layouts: readonly BatchLayout[],
  ) {}

  private get<T>(key: string, make: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, make());
    return this.cache.get(key) as T;
  }
  /** Batch `b`'s weights as block data, however they are stored. */
  weights(b: number): FloatData {
    return this.get(`w${b}`, () => weightBlock(this.layouts[b]!, this.records[b]!.weights));
  }
  mask(b: number): Uint8Array {
    return this.get(`m${b}`, () => readData(this.records[b]!.mask) as Uint8Array);
  }
  biases(b: number): FloatData {
    return this.get(`b${b}`, () => readData(this.records[b]!.biases) as FloatData);
  }
  adaptive(b: number): { a: FloatData; b: FloatData } | null {
    return this.get(`a${b}`, () => {
      const p = this.records[b]!.adaptiveActivation;
      return p ? { a: readData(p.a) as FloatData, b: readData(p.b) as FloatData } : null;
    });
  }
  norm(b: number): { gamma: FloatData; beta: FloatData } | null {
    return this.get(`n${b}`, () => {
      const p = this.records[b]!.topoNorm;
      return p ? { gamma: readData(p.gamma) as FloatData, beta: readData(p.beta) as FloatData } : null;
    });
  }
  attention(b: number, which: "topoSelfAttention" | "neuronSelfAttention"): FloatData[] | null {
    return this.get(`${which}${b}`, () => {
      const p = this.records[b]![which];
      return p ? ATTENTION_FIELDS.map((f) => readData(p[f]) as FloatData) : null;
    });
  }
}

/** Everything the per-batch steps share. */
interface EditContext {
  readonly net: NeuralNetwork;
  readonly old: NetworkTopology;
  readonly edit: NetworkEdit;
  readonly dtype: DType;
  readonly features: NetworkFeatures;
  readonly position: ReadonlyMap<NeuronId, number>;
  /** New position of the neuron at each old position, -1 when removed. */
  readonly oldToNew: Int32Array;
  /** Old position of the neuron at each new position, -1 when new. */
  readonly newToOld: Int32Array;
  /** Old batch of the neuron at each old position (-1 for inputs). */
  readonly oldBatchAt: Int32Array;
  readonly oldParameters: OldParameters;
  /** Surviving neurons keep their relative order (see `keepsOrder`). */
  readonly inOrder: boolean;
  /** Cache of `survivingRange`, by old batch. */
  readonly survivors: Map<number, readonly number[]>;
}

const sameNumbers = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const sameSegments = (a: readonly InputSegment[], b: readonly InputSegment[]) =>
  a.length === b.length && a.every((s, i) => s.chunk === b[i]!.chunk && s.from === b[i]!.from && s.to === b[i]!.to);

/** New positions of the inputs of a rewired or new neuron, ascending (from the edited graph). */
function graphInputPositions(ctx: EditContext, v: NeuronId): number[] {
  return ctx.edit.graph.predecessors.get(v)!.map((p) => ctx.position.get(p)!).sort((x, y) => x - y);
}

/**
 * Whether surviving neurons keep their relative order (no neuron moved to another batch), so
 * mapping a sorted list of old positions gives a sorted list of new ones.
 */
function keepsOrder(oldToNew: Int32Array): boolean {
  let last = -1;
  for (let i = 0; i < oldToNew.length; i++) {
    const p = oldToNew[i]!;
    if (p < 0) continue;
    if (p < last) return false;
    last = p;
  }
  return true;
}

/**
 * The fast path of `layoutBatch`: when the batch has exactly its old neurons and the neurons of
 * its old input range sit contiguously in the new order (nothing removed, inserted or moved
 * inside it), rows whose inputs were not rewired keep their column arrays as they are and only
 * the rewired rows are recomputed, provided the range itself is unchanged. Returns `null` when
 * that does not apply (the general path then recomputes every row).
 */
function keptColumns(
  ctx: EditContext,
  neurons: readonly NeuronId[],
  start: number,
  chunkStarts: readonly number[],
  b: number,
  kind: "hidden" | "output",
  origin: number,
): BatchLayout | null {
  if (origin < 0) return null;
  const old = ctx.old.batches[origin]!;
  if (old.kind !== kind || old.neurons.length !== neurons.length || !old.neurons.every((n, j) => n === neurons[j])) return null;
  const width = old.inputEnd - old.inputStart;
  if (width === 0) return null;
  const base = ctx.oldToNew[old.inputStart]!;
  if (base < 0) return null;
  for (let k = 1; k < width; k++) if (ctx.oldToNew[old.inputStart + k] !== base + k) return null;
  let lo = Infinity;
  let hi = -Infinity;
  const rewired = new Map<number, number[]>();
  neurons.forEach((v, j) => {
    if (ctx.edit.rewired.has(v)) {
      const ps = ctx.edit.graph.predecessors.get(v)!.map((p) => ctx.position.get(p)!).sort((x, y) => x - y);
      rewired.set(j, ps);
      if (ps.length > 0) {
        lo = Math.min(lo, ps[0]!);
        hi = Math.max(hi, ps[ps.length - 1]! + 1);
      }
    } else {
      const cols = old.inputColumns[j]!;
      if (cols.length > 0) {
        lo = Math.min(lo, base + cols[0]!);
        hi = Math.max(hi, base + cols[cols.length - 1]! + 1);
      }
    }
  });
  if (lo !== base || hi !== base + width) return null;
  const inputColumns = rewired.size === 0 ? old.inputColumns : old.inputColumns.map((cols, j) => {
    const ps = rewired.get(j);
    if (ps === undefined) return cols;
    const now = ps.map((p) => p - lo);
    return sameNumbers(now, cols) ? cols : Object.freeze(now);
  });
  const segments = segmentsFor(lo, hi, chunkStarts.slice(0, b + 1), start);
  if (old.start === start && old.inputStart === lo && inputColumns === old.inputColumns && sameSegments(old.segments, segments)) return old;
  return Object.freeze({
    kind,
    neurons: old.neurons,
    start,
    inputStart: lo,
    inputEnd: hi,
    segments: Object.freeze(segments),
    inputColumns: inputColumns === old.inputColumns ? old.inputColumns : Object.freeze(inputColumns),
  });
}

/** Whether a row reads every column of its batch's input range (as every row of a dense layer does). */
function readsWholeRange(cols: readonly number[], width: number): boolean {
  return width > 0 && cols.length === width;
}

/**
 * New positions of the surviving neurons of old batch `ob`'s input range, ascending (the order
 * is kept wherever this is used): what a row that read that whole range reads after the edit,
 * unless it was rewired. Computed once per old batch, so such rows cost no per-column work.
 */
function survivingRange(ctx: EditContext, ob: number): readonly number[] {
  let positions = ctx.survivors.get(ob);
  if (positions === undefined) {
    const old = ctx.old.batches[ob]!;
    const found: number[] = [];
    for (let p = old.inputStart; p < old.inputEnd; p++) {
      const q = ctx.oldToNew[p]!;
      if (q >= 0) found.push(q);
    }
    positions = found;
    ctx.survivors.set(ob, positions);
  }
  return positions;
}

/**
 * The columns, relative to `lo`, of a row that read the whole old range of width `oldWidth` and
 * now reads `positions`; `null` when they are `0 .. oldWidth - 1` again (the row keeps its old
 * array). One frozen array, shared by every such row of the batch.
 */
function wholeRangeColumns(positions: readonly number[], lo: number, oldWidth: number): readonly number[] | null {
  const cols = new Array<number>(positions.length);
  let same = positions.length === oldWidth;
  for (let i = 0; i < positions.length; i++) {
    const c = positions[i]! - lo;
    cols[i] = c;
    if (c !== i) same = false;
  }
  return same ? null : Object.freeze(cols);
}

/** The layout of new batch `b`, reusing the old layout's arrays (or the whole layout) where unchanged. */
function layoutBatch(
  ctx: EditContext,
  b: number,
  kind: "hidden" | "output",
  neurons: readonly NeuronId[],
  start: number,
  chunkStarts: readonly number[],
  sources: readonly (Place | undefined)[],
  origin: number,
): BatchLayout {
  const kept = keptColumns(ctx, neurons, start, chunkStarts, b, kind, origin);
  if (kept) return kept;
  // Rows whose inputs were not rewired map their old columns through the position map (in
  // order when nothing moved); the others read their inputs from the graph.
  const fromGraph: (number[] | null)[] = neurons.map((v, j) => (sources[j] === undefined || ctx.edit.rewired.has(v) || !ctx.inOrder ? graphInputPositions(ctx, v) : null));
  let lo = Infinity;
  let hi = -Infinity;
  for (let j = 0; j < neurons.length; j++) {
    const ps = fromGraph[j];
    if (ps) {
      if (ps.length > 0) {
        lo = Math.min(lo, ps[0]!);
        hi = Math.max(hi, ps[ps.length - 1]! + 1);
      }
      continue;
    }
    const src = sources[j]!;
    const oldLayout = ctx.old.batches[src.batch]!;
    const cols = oldLayout.inputColumns[src.row]!;
    if (readsWholeRange(cols, oldLayout.inputEnd - oldLayout.inputStart)) {
      const ps = survivingRange(ctx, src.batch);
      if (ps.length > 0) {
        lo = Math.min(lo, ps[0]!);
        hi = Math.max(hi, ps[ps.length - 1]! + 1);
      }
      continue;
    }
    for (let i = 0; i < cols.length; i++) {
      const p = ctx.oldToNew[oldLayout.inputStart + cols[i]!]!;
      if (p >= 0) {
        lo = Math.min(lo, p);
        break;
      }
    }
    for (let i = cols.length - 1; i >= 0; i--) {
      const p = ctx.oldToNew[oldLayout.inputStart + cols[i]!]!;
      if (p >= 0) {
        hi = Math.max(hi, p + 1);
        break;
      }
    }
  }
  if (lo === Infinity) lo = hi = start;
  const inputColumns: (readonly number[])[] = new Array(neurons.length);
  // Old batch -> the shared columns of its whole-range rows (`null`: their old arrays still apply).
  const wholeRange = new Map<number, readonly number[] | null>();
  for (let j = 0; j < neurons.length; j++) {
    const ps = fromGraph[j];
    const src = sources[j];
    const oldCols = src === undefined ? null : ctx.old.batches[src.batch]!.inputColumns[src.row]!;
    if (ps) {
      const cols = ps.map((p) => p - lo);
      inputColumns[j] = oldCols !== null && sameNumbers(cols, oldCols) ? oldCols : Object.freeze(cols);
      continue;
    }
    const oldLayout = ctx.old.batches[src!.batch]!;
    if (readsWholeRange(oldCols!, oldLayout.inputEnd - oldLayout.inputStart)) {
      let shared = wholeRange.get(src!.batch);
      if (shared === undefined) {
        shared = wholeRangeColumns(survivingRange(ctx, src!.batch), lo, oldLayout.inputEnd - oldLayout.inputStart);
        wholeRange.set(src!.batch, shared);
      }
      inputColumns[j] = shared ?? oldCols!;
      continue;
    }
    // One tight pass: map, shift, and compare with the old columns as we go.
    const oldStart = oldLayout.inputStart;
    const cols = new Array<number>(oldCols!.length);
    let n = 0;
    let same = true;
    for (let i = 0; i < oldCols!.length; i++) {
      const p = ctx.oldToNew[oldStart + oldCols![i]!]!;
      if (p < 0) continue;
      const c = p - lo;
      if (c !== oldCols![n]) same = false;
      cols[n++] = c;
    }
    if (n !== cols.length) {
      cols.length = n;
      same = false;
    }
    inputColumns[j] = same ? oldCols! : Object.freeze(cols);
  }
  const segments = segmentsFor(lo, hi, chunkStarts.slice(0, b + 1), start);
  if (origin >= 0) {
    const old = ctx.old.batches[origin]!;
    if (
      old.kind === kind &&
      old.start === start &&
      old.inputStart === lo &&
      old.inputEnd === hi &&
      old.neurons.length === neurons.length &&
      old.neurons.every((n, j) => n === neurons[j]) &&
      inputColumns.every((c, j) => c === old.inputColumns[j]) &&
      sameSegments(old.segments, segments)
    ) {
      return old;
    }
  }
  return Object.freeze({
    kind,
    neurons: Object.freeze(neurons.slice()),
    start,
    inputStart: lo,
    inputEnd: hi,
    segments: Object.freeze(segments),
    inputColumns: Object.freeze(inputColumns),
  });
}

/** For each column of the new layout, the column of the same neuron in old batch `ob` (or -1). */
function columnMap(ctx: EditContext, layout: BatchLayout, ob: number): Int32Array {
  const old = ctx.old.batches[ob]!;
  const oldWidth = old.inputEnd - old.inputStart;
  const width = layout.inputEnd - layout.inputStart;
  const out = new Int32Array(width);
  for (let k = 0; k < width; k++) {
    const op = ctx.newToOld[layout.inputStart + k]!;
    const c = op - old.inputStart;
    out[k] = op >= 0 && c >= 0 && c < oldWidth ? c : -1;
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
    const o = map[k]!;
    if (o < 0) {
      k++;
      continue;
    }
    const k0 = k;
    while (k < map.length && map[k] === o + (k - k0)) k++;
    out.push(k0, o, k - k0);
  }
  return Int32Array.from(out);
}

/**
 * The bool `[size, width]` mask of a layout: true where a neuron reads that column.
 *
 * @example
 * maskOf(layout); // [[true, false], [true, true]]
 */
export function maskOf(layout: BatchLayout): Tensor {
  const width = layout.inputEnd - layout.inputStart;
  const data = new Uint8Array(layout.neurons.length * width);
  for (let j = 0; j < layout.neurons.length; j++) {
    const cols = layout.inputColumns[j]!;
    const row = j * width;
    if (cols.length === width) data.fill(1, row, row + width);
    else for (let i = 0; i < cols.length; i++) data[row + cols[i]!] = 1;
  }
  return tensorFrom(data, [layout.neurons.length, width], "bool");
}

/** Same neurons reading the same positions' neurons: the old record's columns still apply. */
function sameInputRange(ctx: EditContext, layout: BatchLayout, ob: number): boolean {
  const old = ctx.old.batches[ob]!;
  const width = layout.inputEnd - layout.inputStart;
  if (width !== old.inputEnd - old.inputStart) return false;
  for (let k = 0; k < width; k++) if (ctx.newToOld[layout.inputStart + k] !== old.inputStart + k) return false;
  return true;
}

/**
 * Only edges changed: copy the old weights and mask (block copies), and in the rows whose
 * columns changed zero removed edges and draw added ones (immer keeps every other field).
 */
function patchedRecord(ctx: EditContext, b: number, layout: BatchLayout, ob: number): TopoBatchParameters {
  const oldLayout = ctx.old.batches[ob]!;
  const record = ctx.net.batchParameters[ob]!;
  const width = layout.inputEnd - layout.inputStart;
  const stored = weightBlock(oldLayout, record.weights);
  const weights = isEdgeWeights(record.weights) ? stored : (stored.slice() as FloatData);
  const mask = (readData(record.mask) as Uint8Array).slice();
  const fresh: number[] = [];
  layout.inputColumns.forEach((cols, j) => {
    const oldCols = oldLayout.inputColumns[j]!;
    if (cols === oldCols) return;
    const now = new Set(cols);
    const before = new Set(oldCols);
    for (const c of oldCols) {
      if (!now.has(c)) {
        weights[j * width + c] = 0;
        mask[j * width + c] = 0;
      }
    }
    for (const c of cols) {
      if (!before.has(c)) {
        fresh.push(j * width + c);
        mask[j * width + c] = 1;
      }
    }
  });
  new BatchDraws(ctx.edit.key, b, ctx.dtype).fill(ParameterKind.weights, weights, fresh);
  const newWeights = storedWeights(layout, weights, ctx.dtype, storesEdgeWeights(layout, ctx.features));
  const newMask = tensorFrom(mask, [layout.neurons.length, width], "bool");
  return produce(record, (draft) => {
    draft.weights = castDraft(newWeights);
    draft.mask = castDraft(newMask);
  });
}

/** Copy one attention block (`[w, w]` weights and `[w]` biases per field) through a column map. */
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
  for (let f = 0; f < 6; f++) {
    const isWeight = f % 2 === 0;
    const out = target[f]!;
    const src = old?.[f];
    if (isWeight) {
      const base = targetRow * width * width;
      const oldBase = oldRow * oldWidth * oldWidth;
      for (let r = 0; r < width; r++) {
        const or = map ? map[r]! : -1;
        for (let c = 0; c < width; c++) {
          const oc = map ? map[c]! : -1;
          if (src && or >= 0 && oc >= 0) out[base + r * width + c] = src[oldBase + or * oldWidth + oc]!;
          else fresh[f]!.push(base + r * width + c);
        }
      }
    } else {
      for (let r = 0; r < width; r++) {
        const or = map ? map[r]! : -1;
        if (src && or >= 0) out[targetRow * width + r] = src[oldRow * oldWidth + or]!;
        else fresh[f]!.push(targetRow * width + r);
      }
    }
  }
}

function attentionFrom(data: FloatData[], lead: readonly number[], width: number, dtype: DType): AttentionParameters {
  const shapes = (f: number) => (f % 2 === 0 ? [...lead, width, width] : [...lead, width]);
  const t = data.map((d, f) => tensorFrom(d, shapes(f), dtype));
  return Object.freeze({ queryWeight: t[0]!, queryBias: t[1]!, keyWeight: t[2]!, keyBias: t[3]!, valueWeight: t[4]!, valueBias: t[5]! });
}

/** Build batch `b`'s record entry by entry from the old records (see the file comment). */
function remappedRecord(ctx: EditContext, b: number, layout: BatchLayout, sources: readonly (Place | undefined)[], origin: number): TopoBatchParameters {
  const { dtype, features, oldParameters: old } = ctx;
  const size = layout.neurons.length;
  const width = layout.inputEnd - layout.inputStart;
  const draws = new BatchDraws(ctx.edit.key, b, dtype);
  const maps = new Map<number, Int32Array>();
  const mapFor = (ob: number) => {
    if (!maps.has(ob)) maps.set(ob, columnMap(ctx, layout, ob));
    return maps.get(ob)!;
  };
  const runs = new Map<number, Int32Array>();
  const runsFor = (ob: number) => {
    if (!runs.has(ob)) runs.set(ob, runsOf(mapFor(ob)));
    return runs.get(ob)!;
  };
  const oldWidth = (ob: number) => ctx.old.batches[ob]!.inputEnd - ctx.old.batches[ob]!.inputStart;

  const weights = floatData(dtype, size * width);
  const freshWeights: number[] = [];
  for (let j = 0; j < size; j++) {
    const cols = layout.inputColumns[j]!;
    const src = sources[j];
    if (src === undefined) {
      for (let i = 0; i < cols.length; i++) freshWeights.push(j * width + cols[i]!);
      continue;
    }
    const map = mapFor(src.batch);
    const oldRow = src.row * oldWidth(src.batch);
    const oldW = old.weights(src.batch);
    const row = j * width;
    if (!ctx.edit.rewired.has(layout.neurons[j]!)) {
      // Its inputs are old inputs (minus removed neurons): every edge existed, with its weight.
      if (readsWholeRange(ctx.old.batches[src.batch]!.inputColumns[src.row]!, oldWidth(src.batch))) {
        // It read every column of its old range, so every mapped column is one of its edges.
        const r = runsFor(src.batch);
        for (let k = 0; k < r.length; k += 3) copyRun(weights, row + r[k]!, oldW, oldRow + r[k + 1]!, r[k + 2]!);
        continue;
      }
      for (let i = 0; i < cols.length; i++) {
        const c = cols[i]!;
        const oc = map[c]!;
        if (oc >= 0) weights[row + c] = oldW[oldRow + oc]!;
        else freshWeights.push(row + c);
      }
      continue;
    }
    const oldM = old.mask(src.batch);
    for (let i = 0; i < cols.length; i++) {
      const c = cols[i]!;
      const oc = map[c]!;
      if (oc >= 0 && oldM[oldRow + oc]) weights[row + c] = oldW[oldRow + oc]!;
      else freshWeights.push(row + c);
    }
  }
  draws.fill(ParameterKind.weights, weights, freshWeights);

  const biases = floatData(dtype, size);
  const freshBiases: number[] = [];
  sources.forEach((src, j) => (src ? (biases[j] = old.biases(src.batch)[src.row]!) : freshBiases.push(j)));
  draws.fill(ParameterKind.biases, biases, freshBiases);

  let adaptiveActivation: TopoBatchParameters["adaptiveActivation"] = null;
  if (features.adaptiveActivations && layout.kind === "hidden") {
    const a = floatData(dtype, size);
    const bb = floatData(dtype, size);
    const fresh: number[] = [];
    sources.forEach((src, j) => {
      const o = src ? old.adaptive(src.batch) : null;
      if (o) {
        a[j] = o.a[src!.row]!;
        bb[j] = o.b[src!.row]!;
      } else fresh.push(j);
    });
    draws.fill(ParameterKind.adaptiveA, a, fresh);
    draws.fill(ParameterKind.adaptiveB, bb, fresh);
    adaptiveActivation = Object.freeze({ a: tensorFrom(a, [size], dtype), b: tensorFrom(bb, [size], dtype) });
  }

  let topoNorm: TopoBatchParameters["topoNorm"] = null;
  if (features.topoNorm && width >= 2) {
    const o = origin >= 0 ? old.norm(origin) : null;
    const map = origin >= 0 ? mapFor(origin) : null;
    const gamma = floatData(dtype, width);
    const beta = floatData(dtype, width);
    const fresh: number[] = [];
    for (let k = 0; k < width; k++) {
      if (o && map![k]! >= 0) {
        gamma[k] = o.gamma[map![k]!]!;
        beta[k] = o.beta[map![k]!]!;
      } else fresh.push(k);
    }
    draws.fill(ParameterKind.normGamma, gamma, fresh);
    draws.fill(ParameterKind.normBeta, beta, fresh);
    topoNorm = Object.freeze({ gamma: tensorFrom(gamma, [width], dtype), beta: tensorFrom(beta, [width], dtype) });
  }

  const attentionData = (lead: number) => ATTENTION_FIELDS.map((_, f) => floatData(dtype, f % 2 === 0 ? lead * width * width : lead * width));
  let topoSelfAttention: TopoBatchParameters["topoSelfAttention"] = null;
  if (features.topoSelfAttention && width >= 1) {
    const data = attentionData(1);
    const fresh: number[][] = ATTENTION_FIELDS.map(() => []);
    const o = origin >= 0 ? old.attention(origin, "topoSelfAttention") : null;
    remapAttentionBlock(data, 0, width, o, 0, origin >= 0 ? oldWidth(origin) : 0, origin >= 0 ? mapFor(origin) : null, fresh);
    fresh.forEach((slots, f) => draws.fill(ParameterKind.topoAttention + f, data[f]!, slots));
    topoSelfAttention = attentionFrom(data, [], width, dtype);
  }

  let neuronSelfAttention: TopoBatchParameters["neuronSelfAttention"] = null;
  if (features.neuronSelfAttention && width >= 1) {
    const data = attentionData(size);
    const fresh: number[][] = ATTENTION_FIELDS.map(() => []);
    sources.forEach((src, j) => {
      const o = src ? old.attention(src.batch, "neuronSelfAttention") : null;
      remapAttentionBlock(data, j, width, o, src ? src.row : 0, src ? oldWidth(src.batch) : 0, src ? mapFor(src.batch) : null, fresh);
    });
    fresh.forEach((slots, f) => draws.fill(ParameterKind.neuronAttention + f, data[f]!, slots));
    neuronSelfAttention = attentionFrom(data, [size], width, dtype);
  }

  return Object.freeze({
    weights: storedWeights(layout, weights, dtype, storesEdgeWeights(layout, features)),
    biases: tensorFrom(biases, [size], dtype),
    mask: maskOf(layout),
    topoNorm,
    topoSelfAttention,
    neuronSelfAttention,
    adaptiveActivation,
  });
}

/**
 * The network `edit` describes, built from `net` with every surviving parameter carried over
 * and every untouched batch's record shared by reference.
 *
 * @example
 * applyEdit(net, { graph, inputNeurons, outputNeurons, hiddenBatches, dropout, rewired, key });
 */
export function applyEdit(net: NeuralNetwork, edit: NetworkEdit): NeuralNetwork {
  const old = net.structure.topology;
  const groups: { kind: "hidden" | "output"; neurons: readonly NeuronId[] }[] = edit.hiddenBatches.map((neurons) => ({ kind: "hidden", neurons }));
  groups.push({ kind: "output", neurons: edit.outputNeurons });
  const order: NeuronId[] = [...edit.inputNeurons];
  const chunkStarts = [0];
  for (const g of groups) {
    chunkStarts.push(order.length);
    for (const n of g.neurons) order.push(n);
  }
  const position = new Map<NeuronId, number>();
  order.forEach((n, i) => position.set(n, i));
  const oldToNew = new Int32Array(old.order.length).fill(-1);
  const newToOld = new Int32Array(order.length).fill(-1);
  old.order.forEach((n, i) => {
    const p = position.get(n);
    if (p !== undefined) {
      oldToNew[i] = p;
      newToOld[p] = i;
    }
  });
  const ctx: EditContext = {
    net,
    old,
    edit,
    dtype: net.structure.dtype,
    features: net.structure.features,
    position,
    oldToNew,
    newToOld,
    oldBatchAt: batchByPosition(old),
    oldParameters: new OldParameters(net.batchParameters, net.structure.topology.batches),
    inOrder: keepsOrder(oldToNew),
    survivors: new Map(),
  };

  const layouts: BatchLayout[] = [];
  const records: TopoBatchParameters[] = [];
  groups.forEach((g, b) => {
    const sources = g.neurons.map((n) => placeOf(old, ctx.oldBatchAt, n));
    const origin = sources.find((s) => s !== undefined)?.batch ?? -1;
    const layout = layoutBatch(ctx, b, g.kind, g.neurons, chunkStarts[b + 1]!, chunkStarts, sources, origin);
    layouts.push(layout);
    const oldLayout = origin >= 0 ? old.batches[origin]! : null;
    const sameNeurons = oldLayout !== null && oldLayout.neurons.length === g.neurons.length && oldLayout.neurons.every((n, j) => n === g.neurons[j]);
    if (sameNeurons && sameInputRange(ctx, layout, origin)) {
      const sameEdges = layout.inputColumns.every((c, j) => c === oldLayout.inputColumns[j]);
      records.push(sameEdges ? net.batchParameters[origin]! : patchedRecord(ctx, b, layout, origin));
    } else {
      records.push(remappedRecord(ctx, b, layout, sources, origin));
    }
  });

  const topology: NetworkTopology = Object.freeze({
    order: Object.freeze(order),
    position,
    inputNeurons: Object.freeze(edit.inputNeurons.slice()),
    outputNeurons: Object.freeze(edit.outputNeurons.slice()),
    hiddenNeurons: Object.freeze(order.slice(edit.inputNeurons.length, order.length - edit.outputNeurons.length)),
    batches: Object.freeze(layouts),
  });
  const structure = new NetworkStructure(edit.graph, topology, edit.dropout, net.structure.features, net.structure.dtype);
  return NeuralNetwork.fromParts({
    structure,
    batchParameters: records,
    hiddenActivation: net.hiddenActivation,
    outputTransformation: net.outputTransformation,
  });
}

/**
 * A new network object with exactly the parts of `net` (what an edit that changes nothing
 * returns: every record, the structure and the activations are shared).
 *
 * @example
 * unchangedCopy(net).batchParameters[0] === net.batchParameters[0]; // true
 */
export function unchangedCopy(net: NeuralNetwork): NeuralNetwork {
  return NeuralNetwork.fromParts({
    structure: net.structure,
    batchParameters: net.batchParameters,
    hiddenActivation: net.hiddenActivation,
    outputTransformation: net.outputTransformation,
  });
}
