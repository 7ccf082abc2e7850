import { allocate, type DType } from "../dtype.js";
import { DTypeError, IndexError, ShapeError, ValueError } from "../errors.js";
import { EdgeTable } from "../kernels/edge_table.js";
import { edgeDotKernel, spmvKernel } from "../kernels/sparse.js";
import { multiply } from "../np/arithmetic.js";
import { definePrimitive, type AbstractArray, type BatchDim, type Primitive } from "../primitive.js";
import { ConcreteTensor, sizeOf, type Tensor } from "../tensor.js";
import { bind1 } from "../trace.js";
import { addTangents } from "./arithmetic.js";
import { batchFirst, batchSizeOf, moveAxis } from "./batching.js";
import { gatherP, scatterAddP } from "./gather.js";
import { broadcastInDimP, filled, reduceSumP } from "./shape.js";

/**
 * Sparse products over a static table of entries (`EdgeTable`): the sparse path of pruned
 * networks. Both primitives are linear in each operand, so their derivatives are themselves
 * with the table (or its transpose) swapped in.
 */

const fmt = (s: readonly number[]) => `[${s.join(", ")}]`;
const FLOATS: readonly DType[] = ["float32", "float64"];

/** Parameters of `spmv`: the entries' positions and the number of output rows. */
export interface SpmvParams {
  /** Entry `e` sits at `(rows[e], cols[e])`. */
  edges: EdgeTable;
  /** Size of the output's last axis (at least `edges.rowBound`). */
  numRows: number;
}

/** Parameters of `edge_dot`. */
export interface EdgeDotParams {
  edges: EdgeTable;
}

function checkTable(name: string, edges: unknown): EdgeTable {
  if (!(edges instanceof EdgeTable)) throw new ValueError(`${name}: params.edges must be an EdgeTable, got ${edges === null ? "null" : typeof edges}`);
  return edges;
}

function checkFloats(name: string, a: AbstractArray, b: AbstractArray, what: string): void {
  if (a.dtype !== b.dtype) throw new DTypeError(`${name}: operand dtypes differ (${a.dtype} and ${b.dtype})`);
  if (!FLOATS.includes(a.dtype)) throw new DTypeError(`${name}: ${what} must be float32 or float64, got ${a.dtype}`);
}

/** Rows of a batch-leading array flattened: `[...lead, last]` -> `{ n: prod(lead), last }`. */
function rowsOf(t: ConcreteTensor): { n: number; last: number } {
  const last = t.shape[t.ndim - 1]!;
  return { n: sizeOf(t.shape.slice(0, -1)), last };
}

/** The entries' rows or columns as an int32 index tensor (for the gather formulations). */
function indexTensor(ids: Int32Array): Tensor {
  return ConcreteTensor.fromData(ids.slice(), [ids.length], "int32");
}

/**
 * Sparse matrix times dense vectors (a segment sum of gathered products):
 * `out[..., r] = Σ_{e: rows[e] = r} values[e] · x[..., cols[e]]`, for `x` of shape `[..., w]`
 * (any leading axes; `w > max(cols)`) and `values` of shape `[E]` (`E = edges.size`), giving
 * `[..., numRows]`. float32 or float64, equal dtypes.
 */
export const spmvP: Primitive<SpmvParams> = definePrimitive<SpmvParams>({
  name: "spmv",
  abstractEval([x, values], { edges, numRows }) {
    const table = checkTable("spmv", edges);
    if (!Number.isInteger(numRows) || numRows < 0) throw new ValueError(`spmv: numRows must be a non-negative integer, got ${numRows}`);
    checkFloats("spmv", x!, values!, "operands");
    if (x!.shape.length < 1) throw new ShapeError(`spmv: x must have at least one axis, got shape ${fmt(x!.shape)}`);
    if (values!.shape.length !== 1 || values!.shape[0] !== table.size) {
      throw new ShapeError(`spmv: values of shape ${fmt(values!.shape)} do not match the table's ${table.size} entries (expected [${table.size}])`);
    }
    const w = x!.shape[x!.shape.length - 1]!;
    if (table.colBound > w) throw new IndexError(`spmv: entry column ${table.colBound - 1} is out of range for x of shape ${fmt(x!.shape)}`);
    if (table.rowBound > numRows) throw new IndexError(`spmv: entry row ${table.rowBound - 1} is out of range for numRows ${numRows}`);
    return [{ shape: [...x!.shape.slice(0, -1), numRows], dtype: x!.dtype, weakType: x!.weakType && values!.weakType }];
  },
  impl([x, values], { edges, numRows }) {
    const { n, last } = rowsOf(x!);
    const out = allocate(x!.dtype, n * numRows);
    spmvKernel(x!.contiguousData(), n, last, values!.contiguousData(), edges, numRows, out);
    return [ConcreteTensor.fromData(out, [...x!.shape.slice(0, -1), numRows], x!.dtype, x!.weakType && values!.weakType)];
  },
  jvp([x, values], [tx, tv], params) {
    const out = bind1(spmvP, [x!, values!], params);
    const fromX = tx ? bind1(spmvP, [tx, values!], params) : null;
    const fromV = tv ? bind1(spmvP, [x!, tv], params) : null;
    return [[out], [addTangents(fromX, fromV)]];
  },
  vjp([ct], [x, values], _outs, { edges }, needsGrad) {
    if (!ct) return [null, null];
    const w = x!.shape[x!.ndim - 1]!;
    return [
      needsGrad[0] ? bind1(spmvP, [ct, values!], { edges: edges.transposed(), numRows: w }) : null,
      needsGrad[1] ? bind1(edgeDotP, [ct, x!], { edges }) : null,
    ];
  },
  batch([x, values], [bx, bv], params) {
    if (bv === null || bv === undefined) return [[bind1(spmvP, [moveAxis(x!, bx!, 0), values!], params)], [0]];
    return [[spmvByGather(x!, bx ?? null, values!, bv, params)], [0]];
  },
});

/**
 * spmv with per-example values (`[B, E]`): the products `x[..., cols] · values` gathered to
 * `[B, ..., E]` and summed into rows with a scatter_add. Batch axis first in the result.
 */
function spmvByGather(x: Tensor, bx: BatchDim, values: Tensor, bv: number, { edges, numRows }: SpmvParams): Tensor {
  const size = batchSizeOf([x, values], [bx, bv]);
  const xb = batchFirst(x, bx, size);
  const last = xb.ndim - 1;
  const picked = bind1(gatherP, [xb, indexTensor(edges.cols)], { axis: last });
  const vb = bind1(broadcastInDimP, [moveAxis(values, bv, 0)], { shape: picked.shape.slice(), broadcastDimensions: [0, last] });
  const zeros = filled([...xb.shape.slice(0, -1), numRows], xb.dtype, 0);
  return bind1(scatterAddP, [zeros, indexTensor(edges.rows), multiply(picked, vb)], { axis: last });
}

/**
 * Per-entry inner products over all leading axes (the cotangent of spmv's values):
 * `out[e] = Σ_{i...} a[i..., rows[e]] · b[i..., cols[e]]` for `a` of shape `[..., numRows]` and
 * `b` of shape `[..., w]` with equal leading axes, giving `[E]`. float32 or float64, equal dtypes.
 */
export const edgeDotP: Primitive<EdgeDotParams> = definePrimitive<EdgeDotParams>({
  name: "edge_dot",
  abstractEval([a, b], { edges }) {
    const table = checkTable("edge_dot", edges);
    checkFloats("edge_dot", a!, b!, "operands");
    const as = a!.shape;
    const bs = b!.shape;
    if (as.length < 1 || as.length !== bs.length || as.slice(0, -1).some((d, i) => d !== bs[i])) {
      throw new ShapeError(`edge_dot: shapes ${fmt(as)} and ${fmt(bs)} do not match ([..., rows] and [..., cols] with equal leading axes)`);
    }
    if (table.rowBound > as[as.length - 1]!) throw new IndexError(`edge_dot: entry row ${table.rowBound - 1} is out of range for a of shape ${fmt(as)}`);
    if (table.colBound > bs[bs.length - 1]!) throw new IndexError(`edge_dot: entry column ${table.colBound - 1} is out of range for b of shape ${fmt(bs)}`);
    return [{ shape: [table.size], dtype: a!.dtype, weakType: a!.weakType && b!.weakType }];
  },
  impl([a, b], { edges }) {
    const { n, last: numRows } = rowsOf(a!);
    const out = allocate(a!.dtype, edges.size);
    edgeDotKernel(a!.contiguousData(), b!.contiguousData(), n, numRows, b!.shape[b!.ndim - 1]!, edges, out);
    return [ConcreteTensor.fromData(out, [edges.size], a!.dtype, a!.weakType && b!.weakType)];
  },
  jvp([a, b], [ta, tb], params) {
    const out = bind1(edgeDotP, [a!, b!], params);
    const fromA = ta ? bind1(edgeDotP, [ta, b!], params) : null;
    const fromB = tb ? bind1(edgeDotP, [a!, tb], params) : null;
    return [[out], [addTangents(fromA, fromB)]];
  },
  vjp([ct], [a, b], _outs, { edges }, needsGrad) {
    if (!ct) return [null, null];
    return [
      needsGrad[0] ? bind1(spmvP, [b!, ct], { edges, numRows: a!.shape[a!.ndim - 1]! }) : null,
      needsGrad[1] ? bind1(spmvP, [a!, ct], { edges: edges.transposed(), numRows: b!.shape[b!.ndim - 1]! }) : null,
    ];
  },
  batch([a, b], [ba, bb], { edges }) {
    const size = batchSizeOf([a!, b!], [ba ?? null, bb ?? null]);
    const ab = batchFirst(a!, ba ?? null, size);
    const bbt = batchFirst(b!, bb ?? null, size);
    const last = ab.ndim - 1;
    const pa = bind1(gatherP, [ab, indexTensor(edges.rows)], { axis: last });
    const pb = bind1(gatherP, [bbt, indexTensor(edges.cols)], { axis: last });
    const prod = multiply(pa, pb);
    const inner = Array.from({ length: last - 1 }, (_, i) => i + 1);
    return [[inner.length === 0 ? prod : bind1(reduceSumP, [prod], { axes: inner })], [0]];
  },
});
