import { isFloat } from "../dtype.js";
import { ShapeError } from "../errors.js";
import { EdgeTable } from "../backend/kernels/edge_table.js";
import { convertTo } from "../primitives/convert.js";
import { ArgumentTypeError } from "../errors.js";
import { axisAndOptions, checkOptions, describeArgument, normalizeAxis } from "../arguments.js";
import { edgeDotP, spmvP } from "../primitives/sparse.js";
import type { ArrayLike, Tensor } from "../tensor.js";
import { bind1 } from "../trace.js";
import { asTensor } from "./asarray.js";
import type { AxisOption } from "./shape.js";
import { resultType } from "./broadcast.js";

/**
 * Sparse products over a static table of entries: the gather-and-segment-sum path that pruned
 * networks use instead of a dense masked matrix product.
 */

export { EdgeTable } from "../backend/kernels/edge_table.js";

/** Options of `spmv` (its `numRows` and `axis` may also be given positionally). */
export interface SpmvOptions {
  /** The number of rows of the sparse matrix (default the table's row bound). */
  numRows?: number;
  /** The axis of `x` the matrix acts on (default -1, the last). */
  axis?: number;
}

function edgeTableArgument(edges: unknown, op: string): EdgeTable {
  if (!(edges instanceof EdgeTable)) throw new ArgumentTypeError(`${op}: edges must be an EdgeTable (from np.edgeTable), got ${describeArgument(edges)}`);
  return edges;
}

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
 * defaults to the table's row bound. `numRows` and `axis` are positional or `{ numRows, axis }`.
 *
 * @example
 * np.spmv(np.array([1, 2, 3]), np.array([10, 1, 1]), np.edgeTable([0, 1, 1], [2, 0, 2])); // [30, 4]
 * np.spmv(np.ones([3, 250]), np.array([10, 1, 1]), np.edgeTable([0, 1, 1], [2, 0, 2]), 2, 0); // shape [2, 250]
 */
export function spmv(x: ArrayLike, values: ArrayLike, edges: EdgeTable, numRows?: number | SpmvOptions, axis?: number): Tensor {
  let opts: SpmvOptions = { numRows: numRows as number | undefined, axis };
  if (typeof numRows === "object") {
    if (axis !== undefined) throw new ArgumentTypeError(`spmv: nothing may follow the options object, got ${describeArgument(axis)} after it`);
    opts = checkOptions("spmv", numRows, ["numRows", "axis"]);
  }
  const table = edgeTableArgument(edges, "spmv");
  const rows = opts.numRows ?? table.rowBound;
  if (typeof rows !== "number" || !Number.isInteger(rows) || rows < 0) {
    throw new ArgumentTypeError(`spmv: numRows must be a non-negative integer, got ${describeArgument(rows)}`);
  }
  const [xt, vt] = promotedFloats(x, values, "spmv");
  if (xt.ndim === 0) throw new ShapeError("spmv: x must have at least one axis, got shape []");
  return bind1(spmvP, [xt, vt], { edges: table, numRows: rows, axis: normalizeAxis("spmv", opts.axis ?? -1, xt.ndim, xt.shape) });
}

/**
 * Per-entry inner products over every axis but `axis` (default the last): `out[e] = Σ_{i...}
 * a[i..., rows[e]] · b[i..., cols[e]]` (shape `[E]`); the gradient of {@link spmv} with respect
 * to its values. The axis is positional or `{ axis }`.
 *
 * @example
 * np.edgeDot(np.array([[1, 2]]), np.array([[3, 4, 5]]), np.edgeTable([1], [2])); // [10]
 * np.edgeDot(np.array([[1], [2]]), np.array([[3], [4], [5]]), np.edgeTable([1], [2]), 0); // [10]
 */
export function edgeDot(a: ArrayLike, b: ArrayLike, edges: EdgeTable, axis: number | AxisOption = -1): Tensor {
  const opts = axisAndOptions<AxisOption>("edgeDot", axis, undefined, ["axis"], false, false);
  const table = edgeTableArgument(edges, "edgeDot");
  const [at, bt] = promotedFloats(a, b, "edgeDot");
  if (at.ndim === 0) throw new ShapeError("edgeDot: operands must have at least one axis, got shape []");
  return bind1(edgeDotP, [at, bt], { edges: table, axis: normalizeAxis("edgeDot", opts.axis ?? -1, at.ndim, at.shape) });
}
