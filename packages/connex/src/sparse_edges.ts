/**
 * A batch's edges as the sparse product (`np.spmv`) and per-edge weight storage read them:
 * the edge tables of its weight block, built once per `BatchLayout` from its `inputColumns`
 * (the same edges the mask marks), and its density. Which batches use them is the network's
 * weight-layout rule (`weight_layout.ts`).
 */
import { ConcreteTensor, np, type Tensor } from "@connex/core";
import type { BatchLayout } from "./topology.js";

/** A batch's edges as the sparse path uses them. */
export interface SparseEdges {
  /** Edge `e` goes from column `cols[e]` of the batch's input range into neuron `rows[e]`. */
  readonly table: np.EdgeTable;
  /** `rows[e] * width + cols[e]`: where edge `e`'s weight sits in the flattened `weights` (int32 `[E]`). */
  readonly flatIndex: Tensor;
  /** `E / (size * width)`: the fraction of the dense block that holds edges. */
  readonly density: number;
}

const cache = new WeakMap<BatchLayout, SparseEdges>();

/**
 * The edge tables of a batch, built on first use and cached by layout (layouts are immutable:
 * plasticity builds new ones for the batches it changes).
 *
 * @example
 * sparseEdges(network.structure.topology.batches[1]!).density; // e.g. 0.32 after pruning
 */
export function sparseEdges(layout: BatchLayout): SparseEdges {
  let edges = cache.get(layout);
  if (!edges) {
    const width = layout.inputEnd - layout.inputStart;
    const rows: number[] = [];
    const cols: number[] = [];
    layout.inputColumns.forEach((columns, j) => {
      for (const c of columns) {
        rows.push(j);
        cols.push(c);
      }
    });
    const flat = new Int32Array(rows.length);
    for (let e = 0; e < rows.length; e++) flat[e] = rows[e]! * width + cols[e]!;
    edges = {
      table: np.edgeTable(rows, cols),
      flatIndex: ConcreteTensor.fromData(flat, [flat.length], "int32"),
      density: layoutDensity(layout),
    };
    cache.set(layout, edges);
  }
  return edges;
}

/**
 * `E / (size · width)` of a batch, counted from its layout without building its tables (cheap
 * enough for every batch a plasticity edit rebuilds).
 *
 * @example
 * layoutDensity(layout); // 0.32 for a batch pruned to a third of its block
 */
export function layoutDensity(layout: BatchLayout): number {
  const blockSize = layout.neurons.length * (layout.inputEnd - layout.inputStart);
  if (blockSize === 0) return 1;
  let edges = 0;
  for (const columns of layout.inputColumns) edges += columns.length;
  return edges / blockSize;
}
