import { isFloat } from "../dtype.js";
import { ShapeError } from "../errors.js";
import { EdgeTable } from "../backend/kernels/edge_table.js";
import { convertTo } from "../primitives/convert.js";
import { normalizeAxis } from "../primitives/shape.js";
import { edgeDotP, spmvP } from "../primitives/sparse.js";
import type { ArrayLike, Tensor } from "../tensor.js";
import { bind1 } from "../trace.js";
import { asTensor } from "./asarray.js";
import { resultType } from "./broadcast.js";

/**
 * Sparse products over a static table of entries: the gather-and-segment-sum path that pruned
 * networks use instead of a dense masked matrix product.
 */

export { EdgeTable } from "../backend/kernels/edge_table.js";

/** Both operands in their promoted float dtype (integers and bools promote to float32). */
function promotedFloats(a: ArrayLike, b: ArrayLike, op: string): [Tensor, Tensor] {
  const x = asTensor(a, op);
  const y = asTensor(b, op);
  const { dtype, weakType } = resultType(x, y);
  const work = isFloat(dtype) ? dtype : "float32";
  return [convertTo(x, work, weakType), convertTo(y, work, weakType)];
}

/**
 * The positions of a sparse matrix's stored entries: entry `e` at `(rows[e], cols[e])`.
 * Tables are immutable and compared by identity: build one per structure and reuse it.
 *
 * @example
 * const edges = np.edgeTable([0, 1, 1], [2, 0, 2]); // 2 x 3 matrix, 3 entries
 */
export function edgeTable(rows: globalThis.ArrayLike<number>, cols: globalThis.ArrayLike<number>): EdgeTable {
  return EdgeTable.of(rows, cols);
}

/**
 * Sparse matrix (entries `values` at the table's positions) times dense vectors along axis
 * `axis` of `x` (default the last): `out[..., r] = Σ_{e: rows[e] = r} values[e] · x[..., cols[e]]`,
 * `x`'s shape with `numRows` on that axis. Differentiable in both `x` and `values`; `numRows`
 * defaults to the table's row bound.
 *
 * @example
 * np.spmv(np.array([1, 2, 3]), np.array([10, 1, 1]), np.edgeTable([0, 1, 1], [2, 0, 2])); // [30, 4]
 * np.spmv(np.ones([3, 250]), np.array([10, 1, 1]), np.edgeTable([0, 1, 1], [2, 0, 2]), 2, 0); // shape [2, 250]
 */
export function spmv(x: ArrayLike, values: ArrayLike, edges: EdgeTable, numRows: number = edges.rowBound, axis = -1): Tensor {
  const [xt, vt] = promotedFloats(x, values, "spmv");
  if (xt.ndim === 0) throw new ShapeError("spmv: x must have at least one axis, got shape []");
  return bind1(spmvP, [xt, vt], { edges, numRows, axis: normalizeAxis(axis, xt.ndim, "spmv", xt.shape) });
}

/**
 * Per-entry inner products over every axis but `axis` (default the last): `out[e] = Σ_{i...}
 * a[i..., rows[e]] · b[i..., cols[e]]` (shape `[E]`); the gradient of {@link spmv} with respect
 * to its values.
 *
 * @example
 * np.edgeDot(np.array([[1, 2]]), np.array([[3, 4, 5]]), np.edgeTable([1], [2])); // [10]
 * np.edgeDot(np.array([[1], [2]]), np.array([[3], [4], [5]]), np.edgeTable([1], [2]), 0); // [10]
 */
export function edgeDot(a: ArrayLike, b: ArrayLike, edges: EdgeTable, axis = -1): Tensor {
  const [at, bt] = promotedFloats(a, b, "edgeDot");
  if (at.ndim === 0) throw new ShapeError("edgeDot: operands must have at least one axis, got shape []");
  return bind1(edgeDotP, [at, bt], { edges, axis: normalizeAxis(axis, at.ndim, "edgeDot", at.shape) });
}
