import { type DType } from "../dtype.js";
import { allocateUninitialized } from "../backend/buffers.js";
import { DTypeError, IndexError, ShapeError, ValueError } from "../errors.js";
import { EdgeTable } from "../backend/kernels/edge_table.js";
import { edgeDotAlongAxis, edgeDotRowsKernel, spmvAlongAxis, spmvRowsKernel, type Order } from "../backend/kernels/sparse.js";
import type { TypedArray } from "../dtype.js";
import { mul } from "../lax/arithmetic.js";
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

/** Parameters of `spmv`: the entries' positions, the number of output rows and the feature axis. */
export interface SpmvParams {
  /** Entry `e` sits at `(rows[e], cols[e])`. */
  edges: EdgeTable;
  /** Size of the output's feature axis (at least `edges.rowBound`). */
  numRows: number;
  /** The feature axis of `x` and of the output (non-negative); the last when absent. */
  axis?: number;
}

/** Parameters of `edge_dot`. */
export interface EdgeDotParams {
  edges: EdgeTable;
  /** The feature axis of both operands (non-negative); the last when absent. */
  axis?: number;
}

/** The feature axis of an operand of rank `ndim` under `axis` (absent: the last), checked. */
function featureAxis(name: string, axis: number | undefined, shape: readonly number[]): number {
  const a = axis ?? shape.length - 1;
  if (!Number.isInteger(a) || a < 0 || a >= shape.length) throw new ShapeError(`${name}: feature axis ${String(axis)} is invalid for an operand of shape ${fmt(shape)}`);
  return a;
}

/** `shape` split around axis `a`: `{ pre: prod(shape[:a]), post: prod(shape[a+1:]) }`. */
function around(shape: readonly number[], a: number): { pre: number; post: number } {
  return { pre: sizeOf(shape.slice(0, a)), post: sizeOf(shape.slice(a + 1)) };
}

/** `shape` with axis `a` set to `n`. */
function withAxis(shape: readonly number[], a: number, n: number): number[] {
  const out = shape.slice();
  out[a] = n;
  return out;
}

function checkTable(name: string, edges: unknown): EdgeTable {
  if (!(edges instanceof EdgeTable)) throw new ValueError(`${name}: params.edges must be an EdgeTable, got ${edges === null ? "null" : typeof edges}`);
  return edges;
}

function checkFloats(name: string, a: AbstractArray, b: AbstractArray, what: string): void {
  if (a.dtype !== b.dtype) throw new DTypeError(`${name}: operand dtypes differ (${a.dtype} and ${b.dtype})`);
  if (!FLOATS.includes(a.dtype)) throw new DTypeError(`${name}: ${what} must be float32 or float64, got ${a.dtype}`);
}

/**
 * A features-major operand (`[features, n]`, feature axis 0) as the kernels read it: the
 * transpose of row-major `[n, features]` rows (an input batch that `vmap` moved to the back, a
 * view; or some of its columns, as a network's first layer reads the inputs it has edges from)
 * is handed over samples-major as it is, with its row stride, for the kernel to transpose where
 * it works (the Wasm path: no strided copy in JavaScript, which cost a 100 × 784 batch ~0.25 ms
 * per product). Rows in row-major order at an offset (a slice of a layer's rows, as the next
 * layer reads the neurons it has edges from) are read where they are; anything else as
 * contiguous data.
 */
function rowsOperand(t: ConcreteTensor): { data: TypedArray; order: Order; key?: object; stride?: number } {
  const [f, n] = t.shape as [number, number];
  const ld = t.stride[1]!;
  if (!t.isContiguous && f > 1 && n > 1 && t.stride[0] === 1 && ld >= f) {
    // The view itself keys the kernels' transposed copy (reused by the next product of this view).
    return { data: t.storage("sparse product").subarray(t.offset, t.offset + (n - 1) * ld + f), order: "samples-major", key: t, stride: ld };
  }
  if (!t.isContiguous && t.stride[1] === 1 && t.stride[0] === n) return { data: t.storage("sparse product").subarray(t.offset, t.offset + f * n), order: "features-major" };
  return { data: t.contiguousData(), order: "features-major" };
}

/** The entries' rows or columns as an int32 index tensor (for the gather formulations). */
function indexTensor(ids: Int32Array): Tensor {
  return ConcreteTensor.fromData(ids.slice(), [ids.length], "int32");
}

/**
 * Sparse matrix times dense vectors (a segment sum of gathered products) along the feature axis
 * `axis` of `x` (default the last): `out[..., r, ...] = Σ_{e: rows[e] = r} values[e] · x[..., cols[e], ...]`
 * for `x` with `w > max(cols)` features there and `values` of shape `[E]` (`E = edges.size`),
 * giving `x`'s shape with `numRows` at the feature axis. float32 or float64, equal dtypes.
 * Under `vmap` the batch axis goes last, so a per-sample product becomes a features-major one
 * whose samples are contiguous (the layout the SIMD kernels want, with no transpose).
 */
export const spmvP: Primitive<SpmvParams> = definePrimitive<SpmvParams>({
  name: "spmv",
  outputBuffers: "fresh",
  abstractEval([x, values], { edges, numRows, axis }) {
    const table = checkTable("spmv", edges);
    if (!Number.isInteger(numRows) || numRows < 0) throw new ValueError(`spmv: numRows must be a non-negative integer, got ${numRows}`);
    checkFloats("spmv", x!, values!, "operands");
    if (x!.shape.length < 1) throw new ShapeError(`spmv: x must have at least one axis, got shape ${fmt(x!.shape)}`);
    if (values!.shape.length !== 1 || values!.shape[0] !== table.size) {
      throw new ShapeError(`spmv: values of shape ${fmt(values!.shape)} do not match the table's ${table.size} entries (expected [${table.size}])`);
    }
    const a = featureAxis("spmv", axis, x!.shape);
    const w = x!.shape[a]!;
    if (table.colBound > w) throw new IndexError(`spmv: entry column ${table.colBound - 1} is out of range for x of shape ${fmt(x!.shape)} (feature axis ${a})`);
    if (table.rowBound > numRows) throw new IndexError(`spmv: entry row ${table.rowBound - 1} is out of range for numRows ${numRows}`);
    return [{ shape: withAxis(x!.shape, a, numRows), dtype: x!.dtype, weakType: x!.weakType && values!.weakType }];
  },
  impl([x, values], { edges, numRows, axis }) {
    const a = axis ?? x!.ndim - 1;
    const { pre, post } = around(x!.shape, a);
    // The kernels write every element (no zeroing pass over a large output first).
    const out = allocateUninitialized(x!.dtype, pre * numRows * post);
    if (x!.ndim === 2 && a === 0 && post > 1) {
      const xs = rowsOperand(x!);
      spmvRowsKernel(xs.data, post, x!.shape[0]!, values!.contiguousData(), edges, numRows, out, xs.order, xs.key, xs.stride);
    } else spmvAlongAxis(x!.contiguousData(), pre, x!.shape[a]!, post, values!.contiguousData(), edges, numRows, out);
    return [ConcreteTensor.fromData(out, withAxis(x!.shape, a, numRows), x!.dtype, x!.weakType && values!.weakType)];
  },
  jvp([x, values], [tx, tv], params) {
    const out = bind1(spmvP, [x!, values!], params);
    const fromX = tx ? bind1(spmvP, [tx, values!], params) : null;
    const fromV = tv ? bind1(spmvP, [x!, tv], params) : null;
    return [[out], [addTangents(fromX, fromV)]];
  },
  vjp([ct], [x, values], _outs, { edges, axis }, needsGrad) {
    if (!ct) return [null, null];
    const a = axis ?? x!.ndim - 1;
    return [
      needsGrad[0] ? bind1(spmvP, [ct, values!], { edges: edges.transposed(), numRows: x!.shape[a]!, axis: a }) : null,
      needsGrad[1] ? bind1(edgeDotP, [ct, x!], { edges, axis: a }) : null,
    ];
  },
  batch([x, values], [bx, bv], params) {
    if (bv === null || bv === undefined) {
      // Batch axis last: the feature axis keeps its index and the samples become contiguous.
      const a = params.axis ?? x!.ndim - 2;
      const last = x!.ndim - 1;
      return [[bind1(spmvP, [moveAxis(x!, bx!, last), values!], { ...params, axis: a })], [last]];
    }
    return [[spmvByGather(x!, bx ?? null, values!, bv, params)], [0]];
  },
});

/**
 * spmv with per-example values (`[B, E]`): the products `x[..., cols, ...] · values` gathered to
 * `[B, ..., E, ...]` and summed into rows with a scatter_add. Batch axis first in the result.
 */
function spmvByGather(x: Tensor, bx: BatchDim, values: Tensor, bv: number, { edges, numRows, axis }: SpmvParams): Tensor {
  const size = batchSizeOf([x, values], [bx, bv]);
  const xb = batchFirst(x, bx, size);
  const f = (axis ?? xb.ndim - 2) + 1;
  const picked = bind1(gatherP, [xb, indexTensor(edges.cols)], { axis: f });
  const vb = bind1(broadcastInDimP, [moveAxis(values, bv, 0)], { shape: picked.shape.slice(), broadcastDimensions: [0, f] });
  const zeros = filled(withAxis(xb.shape, f, numRows), xb.dtype, 0);
  return bind1(scatterAddP, [zeros, indexTensor(edges.rows), mul(picked, vb)], { axis: f });
}

/**
 * Per-entry inner products over every axis but the feature axis `axis` (default the last; the
 * cotangent of spmv's values): `out[e] = Σ_{i...} a[i..., rows[e], ...] · b[i..., cols[e], ...]`
 * for `a` with `numRows` and `b` with `w` features there and equal other axes, giving `[E]`.
 * float32 or float64, equal dtypes.
 */
export const edgeDotP: Primitive<EdgeDotParams> = definePrimitive<EdgeDotParams>({
  name: "edge_dot",
  outputBuffers: "fresh",
  abstractEval([a, b], { edges, axis }) {
    const table = checkTable("edge_dot", edges);
    checkFloats("edge_dot", a!, b!, "operands");
    const as = a!.shape;
    const bs = b!.shape;
    if (as.length < 1) throw new ShapeError(`edge_dot: a must have at least one axis, got shape ${fmt(as)}`);
    const f = featureAxis("edge_dot", axis, as);
    if (as.length !== bs.length || as.some((d, i) => i !== f && d !== bs[i])) {
      throw new ShapeError(`edge_dot: shapes ${fmt(as)} and ${fmt(bs)} do not match (equal axes but the feature axis ${f})`);
    }
    if (table.rowBound > as[f]!) throw new IndexError(`edge_dot: entry row ${table.rowBound - 1} is out of range for a of shape ${fmt(as)}`);
    if (table.colBound > bs[f]!) throw new IndexError(`edge_dot: entry column ${table.colBound - 1} is out of range for b of shape ${fmt(bs)}`);
    return [{ shape: [table.size], dtype: a!.dtype, weakType: a!.weakType && b!.weakType }];
  },
  impl([a, b], { edges, axis }) {
    const f = axis ?? a!.ndim - 1;
    const { pre, post } = around(a!.shape, f);
    const out = allocateUninitialized(a!.dtype, edges.size);
    if (a!.ndim === 2 && f === 0 && post > 1) {
      const as = rowsOperand(a!);
      const bs = rowsOperand(b!);
      edgeDotRowsKernel(as.data, bs.data, post, a!.shape[0]!, b!.shape[0]!, edges, out, as.order, bs.order, as.key, bs.key, as.stride, bs.stride);
    } else edgeDotAlongAxis(a!.contiguousData(), b!.contiguousData(), pre, a!.shape[f]!, b!.shape[f]!, post, edges, out);
    return [ConcreteTensor.fromData(out, [edges.size], a!.dtype, a!.weakType && b!.weakType)];
  },
  jvp([a, b], [ta, tb], params) {
    const out = bind1(edgeDotP, [a!, b!], params);
    const fromA = ta ? bind1(edgeDotP, [ta, b!], params) : null;
    const fromB = tb ? bind1(edgeDotP, [a!, tb], params) : null;
    return [[out], [addTangents(fromA, fromB)]];
  },
  vjp([ct], [a, b], _outs, { edges, axis }, needsGrad) {
    if (!ct) return [null, null];
    const f = axis ?? a!.ndim - 1;
    return [
      needsGrad[0] ? bind1(spmvP, [b!, ct], { edges, numRows: a!.shape[f]!, axis: f }) : null,
      needsGrad[1] ? bind1(spmvP, [a!, ct], { edges: edges.transposed(), numRows: b!.shape[f]!, axis: f }) : null,
    ];
  },
  batch([a, b], [ba, bb], { edges, axis }) {
    const size = batchSizeOf([a!, b!], [ba ?? null, bb ?? null]);
    const ab = batchFirst(a!, ba ?? null, size);
    const bbt = batchFirst(b!, bb ?? null, size);
    const f = (axis ?? ab.ndim - 2) + 1;
    const pa = bind1(gatherP, [ab, indexTensor(edges.rows)], { axis: f });
    const pb = bind1(gatherP, [bbt, indexTensor(edges.cols)], { axis: f });
    const prod = mul(pa, pb);
    const inner = Array.from({ length: ab.ndim - 1 }, (_, i) => i + 1).filter((d) => d !== f);
    return [[inner.length === 0 ? prod : bind1(reduceSumP, [prod], { axes: inner })], [0]];
  },
});
