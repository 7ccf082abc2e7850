/**
 * The sparse path of the forward pass: per topological batch, the edge tables of its weight
 * block (built once per `BatchLayout` from its `inputColumns`, the same edges the mask marks),
 * and the density threshold below which a batch is computed with gathers and segment sums
 * (`np.spmv`) instead of a dense masked matrix product.
 */
import { ConcreteTensor, np, type Tensor } from "@connex/core";
import { InvalidOptionError } from "./errors.js";
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
 * Default density threshold. Measured on the 2-core AMD EPYC dev machine (Node 20, float32,
 * DenseMLP(1, 2, 128, 4) on 250 samples, jitted Adam step, each network built and run with the
 * threshold forced to 0 or 1, medians of 7 interleaved rounds, 2026-11-27, features-major
 * sparse kernels and per-edge weight storage): density 1 (unpruned) 12.8 ms dense vs 13.7 ms
 * sparse, density 0.62 (pruned at |w| < 0.05) 14.0 vs 9.3 ms, density 0.32 (|w| < 0.1) 12.1 vs
 * 6.1 ms. The sparse path breaks even near full density; 0.8 keeps a margin.
 */
export const DEFAULT_SPARSE_THRESHOLD = 0.8;

let threshold = DEFAULT_SPARSE_THRESHOLD;

/**
 * Set the density (edges / block size, in `[0, 1]`) at or below which a batch takes the sparse
 * path; `0` forces the dense path everywhere, `1` the sparse path. Read when a forward pass is
 * traced (a jitted function traced before the change keeps its path until it retraces) and
 * when a batch's parameters are built (large sparse batches then store one weight per edge, see
 * `weight_storage.ts`; either storage runs on either path).
 * Returns the previous threshold.
 *
 * @example
 * const previous = cnx.setSparseThreshold(1); // every batch sparse
 * cnx.setSparseThreshold(previous);
 */
export function setSparseThreshold(density: number): number {
  if (typeof density !== "number" || !(density >= 0 && density <= 1)) {
    throw new InvalidOptionError(`setSparseThreshold: expected a density in [0, 1], got ${String(density)}`);
  }
  const previous = threshold;
  threshold = density;
  return previous;
}

/**
 * The current density threshold of the sparse path (see {@link setSparseThreshold}).
 *
 * @example
 * cnx.sparseThreshold(); // 0.8
 */
export function sparseThreshold(): number {
  return threshold;
}

/**
 * `E / (size · width)` of a batch, counted from its layout without building its tables (cheap
 * enough for every batch a plasticity edit rebuilds).
 *
 * @example
 * layoutDensity(layout) <= sparseThreshold(); // whether the batch is on the sparse path
 */
export function layoutDensity(layout: BatchLayout): number {
  const blockSize = layout.neurons.length * (layout.inputEnd - layout.inputStart);
  if (blockSize === 0) return 1;
  let edges = 0;
  for (const columns of layout.inputColumns) edges += columns.length;
  return edges / blockSize;
}

/**
 * The batch's sparse tables when it should take the sparse path (its density is at or below the
 * threshold), else `null`.
 *
 * @example
 * const sparse = sparsePathFor(layout); // null for a dense block
 */
export function sparsePathFor(layout: BatchLayout): SparseEdges | null {
  const edges = sparseEdges(layout);
  return edges.density <= threshold ? edges : null;
}
