/**
 * The layouts of an edited network's batches, derived from the old layouts in proportion to
 * what changed. The result equals construction's layout (`layoutFromInputPositions` in
 * `topology.ts`, checked by the plasticity property tests) and is assembled by the same
 * `batchLayout`; only the way rows find their input positions differs: a row whose inputs were
 * not rewired maps its old columns through the old -> new position map instead of reading and
 * sorting its inputs from the graph (`inputPositions`, which new and rewired rows use), and a
 * batch (or a row's column array) that comes out unchanged is the old object itself, so later
 * steps can tell what changed by identity.
 */
import { batchLayout, inputPositions, type BatchLayout } from "../topology.js";
import { eachElement, sameElements } from "../frozen_arrays.js";
import type { EditContext, Place } from "./edit_context.js";

/** Whether two layouts are equal in every field (column arrays compared by identity). */
function sameLayout(a: BatchLayout, b: BatchLayout): boolean {
  return (
    a.kind === b.kind &&
    a.start === b.start &&
    a.inputStart === b.inputStart &&
    a.inputEnd === b.inputEnd &&
    sameElements(a.neurons, b.neurons) &&
    (a.inputColumns === b.inputColumns || sameElements(a.inputColumns, b.inputColumns)) &&
    sameElements(a.segments, b.segments, (s, t) => s.chunk === t.chunk && s.from === t.from && s.to === t.to)
  );
}

/** Whether a row reads every column of its batch's input range (as every row of a dense layer does). */
export function readsWholeRange(columns: readonly number[], width: number): boolean {
  return width > 0 && columns.length === width;
}

/** Per-edit caches of the layout step. */
export class EditedLayouts {
  /** New positions of the surviving neurons of each old batch's input range (see `survivingRange`). */
  private readonly survivors = new Map<number, readonly number[]>();

  constructor(private readonly ctx: EditContext) {}

  /**
   * The layout of new batch `b`, whose neurons fired at `sources` in the old network (each
   * `undefined` when new); `origin` is the old batch of its first surviving neuron (-1: none).
   * The old layout itself when nothing about the batch changed.
   *
   * @example
   * new EditedLayouts(ctx).layout(1, sources, origin).inputColumns[0]; // the old array when row 0 kept its inputs
   */
  layout(b: number, sources: readonly (Place | undefined)[], origin: number): BatchLayout {
    const kept = this.keptRange(b, origin);
    if (kept) return kept;
    return this.remappedRows(b, sources, origin);
  }

  /**
   * The fast path: when the batch has exactly its old neurons and the neurons of its old input
   * range sit contiguously in the new order (nothing removed, inserted or moved inside it), rows
   * whose inputs were not rewired keep their column arrays as they are and only the rewired rows
   * are read from the graph, provided the range itself is unchanged. `null` when that does not
   * apply.
   */
  private keptRange(b: number, origin: number): BatchLayout | null {
    const { ctx } = this;
    if (origin < 0) return null;
    const group = ctx.groups[b]!;
    const old = ctx.old.batches[origin]!;
    const neurons = group.neurons;
    if (old.kind !== group.kind || !sameElements(old.neurons, neurons)) return null;
    const width = old.inputEnd - old.inputStart;
    if (width === 0) return null;
    const base = ctx.oldToNew[old.inputStart]!;
    if (base < 0) return null;
    for (let k = 1; k < width; k++) if (ctx.oldToNew[old.inputStart + k] !== base + k) return null;
    let lo = Infinity;
    let hi = -Infinity;
    const rewiredRows = new Map<number, number[]>();
    eachElement(neurons, (v, j) => {
      if (ctx.edit.rewired.has(v)) {
        const positions = inputPositions(ctx.edit.graph, ctx.firing.position, v);
        rewiredRows.set(j, positions);
        if (positions.length > 0) {
          lo = Math.min(lo, positions[0]!);
          hi = Math.max(hi, positions[positions.length - 1]! + 1);
        }
      } else {
        const columns = old.inputColumns[j]!;
        if (columns.length > 0) {
          lo = Math.min(lo, base + columns[0]!);
          hi = Math.max(hi, base + columns[columns.length - 1]! + 1);
        }
      }
    });
    if (lo !== base || hi !== base + width) return null;
    const inputColumns =
      rewiredRows.size === 0
        ? old.inputColumns
        : old.inputColumns.map((columns, j) => {
            const positions = rewiredRows.get(j);
            if (positions === undefined) return columns;
            const now = positions.map((p) => p - lo);
            return sameElements(now, columns) ? columns : Object.freeze(now);
          });
    const fresh = batchLayout(group.kind, old.neurons, ctx.firing.chunkStarts[b + 1]!, lo, hi, inputColumns, ctx.firing.chunkStarts, b);
    return sameLayout(old, fresh) ? old : fresh;
  }

  /**
   * New positions of the surviving neurons of old batch `oldBatch`'s input range, ascending (the
   * order is kept wherever this is used): what a row that read that whole range reads after the
   * edit, unless it was rewired. Computed once per old batch, so such rows cost no per-column work.
   */
  private survivingRange(oldBatch: number): readonly number[] {
    let positions = this.survivors.get(oldBatch);
    if (positions === undefined) {
      const old = this.ctx.old.batches[oldBatch]!;
      const found: number[] = [];
      for (let p = old.inputStart; p < old.inputEnd; p++) {
        const q = this.ctx.oldToNew[p]!;
        if (q >= 0) found.push(q);
      }
      positions = found;
      this.survivors.set(oldBatch, positions);
    }
    return positions;
  }

  /**
   * The general path: every row's columns, from the graph for new or rewired rows (or when
   * neurons moved between batches, so mapped positions could be out of order), else mapped from
   * its old columns; unchanged rows keep their old arrays.
   */
  private remappedRows(b: number, sources: readonly (Place | undefined)[], origin: number): BatchLayout {
    const { ctx } = this;
    const { kind, neurons } = ctx.groups[b]!;
    const start = ctx.firing.chunkStarts[b + 1]!;
    const fromGraph: (number[] | null)[] = neurons.map((v, j) =>
      sources[j] === undefined || ctx.edit.rewired.has(v) || !ctx.keepsOrder ? inputPositions(ctx.edit.graph, ctx.firing.position, v) : null,
    );
    let lo = Infinity;
    let hi = -Infinity;
    for (let j = 0; j < neurons.length; j++) {
      const positions = fromGraph[j];
      if (positions) {
        if (positions.length > 0) {
          lo = Math.min(lo, positions[0]!);
          hi = Math.max(hi, positions[positions.length - 1]! + 1);
        }
        continue;
      }
      const source = sources[j]!;
      const oldLayout = ctx.old.batches[source.batch]!;
      const columns = oldLayout.inputColumns[source.row]!;
      if (readsWholeRange(columns, oldLayout.inputEnd - oldLayout.inputStart)) {
        const survivors = this.survivingRange(source.batch);
        if (survivors.length > 0) {
          lo = Math.min(lo, survivors[0]!);
          hi = Math.max(hi, survivors[survivors.length - 1]! + 1);
        }
        continue;
      }
      for (let i = 0; i < columns.length; i++) {
        const p = ctx.oldToNew[oldLayout.inputStart + columns[i]!]!;
        if (p >= 0) {
          lo = Math.min(lo, p);
          break;
        }
      }
      for (let i = columns.length - 1; i >= 0; i--) {
        const p = ctx.oldToNew[oldLayout.inputStart + columns[i]!]!;
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
      const positions = fromGraph[j];
      const source = sources[j];
      const oldColumns = source === undefined ? null : ctx.old.batches[source.batch]!.inputColumns[source.row]!;
      if (positions) {
        const columns = positions.map((p) => p - lo);
        inputColumns[j] = oldColumns !== null && sameElements(columns, oldColumns) ? oldColumns : Object.freeze(columns);
        continue;
      }
      const oldLayout = ctx.old.batches[source!.batch]!;
      const oldWidth = oldLayout.inputEnd - oldLayout.inputStart;
      if (readsWholeRange(oldColumns!, oldWidth)) {
        let shared = wholeRange.get(source!.batch);
        if (shared === undefined) {
          shared = wholeRangeColumns(this.survivingRange(source!.batch), lo, oldWidth);
          wholeRange.set(source!.batch, shared);
        }
        inputColumns[j] = shared ?? oldColumns!;
        continue;
      }
      inputColumns[j] = mappedColumns(oldColumns!, oldLayout.inputStart, ctx.oldToNew, lo);
    }
    const fresh = batchLayout(kind, neurons.slice(), start, lo, hi, inputColumns, ctx.firing.chunkStarts, b);
    return origin >= 0 && sameLayout(ctx.old.batches[origin]!, fresh) ? ctx.old.batches[origin]! : fresh;
  }
}

/**
 * The columns, relative to `lo`, of a row that read the whole old range of width `oldWidth` and
 * now reads `positions`; `null` when they are `0 .. oldWidth - 1` again (the row keeps its old
 * array). One frozen array, shared by every such row of the batch.
 */
function wholeRangeColumns(positions: readonly number[], lo: number, oldWidth: number): readonly number[] | null {
  const columns = new Array<number>(positions.length);
  let same = positions.length === oldWidth;
  for (let i = 0; i < positions.length; i++) {
    const c = positions[i]! - lo;
    columns[i] = c;
    if (c !== i) same = false;
  }
  return same ? null : Object.freeze(columns);
}

/**
 * A row's old columns mapped to new positions relative to `lo`, removed inputs dropped; the old
 * array itself when nothing changed. One tight pass: map, shift, and compare as it goes.
 */
function mappedColumns(oldColumns: readonly number[], oldInputStart: number, oldToNew: Int32Array, lo: number): readonly number[] {
  const columns = new Array<number>(oldColumns.length);
  let n = 0;
  let same = true;
  for (let i = 0; i < oldColumns.length; i++) {
    const p = oldToNew[oldInputStart + oldColumns[i]!]!;
    if (p < 0) continue;
    const c = p - lo;
    if (c !== oldColumns[n]) same = false;
    columns[n++] = c;
  }
  if (n !== columns.length) {
    columns.length = n;
    same = false;
  }
  return same ? oldColumns : Object.freeze(columns);
}
