import { ShapeError, ValueError } from "../errors.js";
import { sizeOf, type ArrayLike, type Tensor } from "../tensor.js";
import { bind1 } from "../trace.js";
import { convertTo } from "../primitives/convert.js";
import { matmulP } from "../primitives/matmul.js";
import { asTensor } from "./asarray.js";
import { broadcastShapes, broadcastTo, resultType } from "./broadcast.js";
import { multiply } from "./arithmetic.js";
import { moveaxis, reshape } from "./shape.js";

const fmt = (s: readonly number[]) => `[${s.join(", ")}]`;

/** Both operands in their promoted dtype; bool products are computed in int32 (and converted back). */
function promotedPair(a: ArrayLike, b: ArrayLike, op: string): [Tensor, Tensor, boolean] {
  const x = asTensor(a, op);
  const y = asTensor(b, op);
  const { dtype, weakType } = resultType(x, y);
  const work = dtype === "bool" ? "int32" : dtype;
  return [convertTo(x, work, weakType), convertTo(y, work, weakType), dtype === "bool"];
}

/** A 2-d-or-more product `[..., m, k] x [..., k, n]` with NumPy broadcasting of the leading axes. */
function batchedProduct(x: Tensor, y: Tensor, op: string): Tensor {
  const k = x.shape[x.ndim - 1]!;
  if (y.shape[y.ndim - 2] !== k) {
    throw new ShapeError(`${op}: shapes ${fmt(x.shape)} and ${fmt(y.shape)} do not align (${k} != ${y.shape[y.ndim - 2]})`);
  }
  if (y.ndim === 2) {
    // Fold x's leading axes into its rows: one plain 2-d product, no broadcast copy of y.
    const rows = reshape(x, [sizeOf(x.shape.slice(0, -1)), k]);
    return reshape(bind1(matmulP, [rows, y]), [...x.shape.slice(0, -1), y.shape[1]!]);
  }
  const batch = broadcastShapes(op, x.shape.slice(0, -2), y.shape.slice(0, -2));
  const xb = broadcastTo(x, [...batch, ...x.shape.slice(-2)], op);
  const yb = broadcastTo(y, [...batch, ...y.shape.slice(-2)], op);
  return bind1(matmulP, [xb, yb]);
}

/**
 * Matrix product with NumPy semantics: leading axes broadcast, a 1-d first operand is a row
 * vector and a 1-d second operand a column vector (their added axis is removed again).
 *
 * @example
 * np.matmul(np.ones([250, 513]), np.ones([513, 128])); // shape [250, 128]
 */
export function matmul(a: ArrayLike, b: ArrayLike): Tensor {
  const [x0, y0, isBool] = promotedPair(a, b, "matmul");
  if (x0.ndim === 0 || y0.ndim === 0) {
    throw new ValueError(`matmul: operands must not be 0-d (shapes ${fmt(x0.shape)} and ${fmt(y0.shape)}); use multiply`);
  }
  const x = x0.ndim === 1 ? reshape(x0, [1, x0.shape[0]!]) : x0;
  const y = y0.ndim === 1 ? reshape(y0, [y0.shape[0]!, 1]) : y0;
  let out = batchedProduct(x, y, "matmul");
  if (x0.ndim === 1 || y0.ndim === 1) {
    const shape = out.shape.slice();
    if (y0.ndim === 1) shape.splice(shape.length - 1, 1);
    if (x0.ndim === 1) shape.splice(shape.length - (y0.ndim === 1 ? 1 : 2), 1);
    out = reshape(out, shape);
  }
  return isBool ? convertTo(out, "bool") : out;
}

/**
 * NumPy's `dot`: scalars multiply; 1-d · 1-d is the inner product; otherwise a sum product over
 * the last axis of `a` and the second-to-last of `b` (the last if `b` is 1-d), result shape
 * `a.shape[:-1] + b.shape[:-2] + b.shape[-1:]`.
 *
 * @example
 * np.dot(np.array([1, 2, 3]), np.array([4, 5, 6])); // 32
 */
export function dot(a: ArrayLike, b: ArrayLike): Tensor {
  const [x, y, isBool] = promotedPair(a, b, "dot");
  if (x.ndim === 0 || y.ndim === 0) return isBool ? convertTo(multiply(x, y), "bool") : multiply(x, y);
  if (y.ndim <= 2) return matmul(isBool ? convertTo(x, "bool") : x, isBool ? convertTo(y, "bool") : y);
  const k = x.shape[x.ndim - 1]!;
  if (y.shape[y.ndim - 2] !== k) {
    throw new ShapeError(`dot: shapes ${fmt(x.shape)} and ${fmt(y.shape)} do not align (${k} != ${y.shape[y.ndim - 2]})`);
  }
  // b: [..., k, n] -> [k, prod(...) * n]; a: [..., k] -> [prod(...), k]; one 2-d product.
  const yk = reshape(moveaxis(y, -2, 0), [k, sizeOf(y.shape.filter((_, i) => i !== y.ndim - 2))]);
  const prodOut = bind1(matmulP, [reshape(x, [sizeOf(x.shape.slice(0, -1)), k]), yk]);
  const out = reshape(prodOut, [...x.shape.slice(0, -1), ...y.shape.slice(0, -2), y.shape[y.ndim - 1]!]);
  return isBool ? convertTo(out, "bool") : out;
}

/**
 * Outer product of the flattened operands: `out[i, j] = a[i] * b[j]`.
 *
 * @example
 * np.outer(np.array([1, 2]), np.array([3, 4, 5])); // [[3, 4, 5], [6, 8, 10]]
 */
export function outer(a: ArrayLike, b: ArrayLike): Tensor {
  const x = asTensor(a, "outer");
  const y = asTensor(b, "outer");
  return multiply(reshape(x, [sizeOf(x.shape), 1]), reshape(y, [1, sizeOf(y.shape)]));
}
