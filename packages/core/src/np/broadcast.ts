import { promoteTypes, type DType, type TypeInfo } from "../dtype.js";
import { ShapeError } from "../errors.js";
import { Tensor, type ArrayLike } from "../tensor.js";
import { ArgumentTypeError } from "../errors.js";
import { describeArgument } from "../arguments.js";
import { bind1 } from "../trace.js";
import { broadcastInDimP } from "../primitives/shape.js";
import { convertTo } from "../primitives/convert.js";
import { asTensor } from "./asarray.js";

const fmt = (s: readonly number[]) => `[${s.join(", ")}]`;

/**
 * NumPy broadcasting of shapes; `op` names the operation in the `ShapeError` for shapes that
 * do not broadcast.
 *
 * @example
 * np.broadcastShapes("add", [3, 1], [4]); // [3, 4]
 */
export function broadcastShapes(op: string, ...shapes: (readonly number[])[]): number[] {
  if (typeof op !== "string") throw new ArgumentTypeError(`broadcastShapes: the first argument names the operation for errors (a string), got ${describeArgument(op)}`);
  for (const s of shapes) {
    if (!Array.isArray(s)) throw new ArgumentTypeError(`${op}: a shape must be an array of integers, got ${describeArgument(s)}`);
  }
  const nd = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(nd).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = nd - s.length + i;
      const n = s[i]!;
      if (n === out[o]) continue;
      if (out[o] === 1) out[o] = n;
      else if (n !== 1) throw new ShapeError(`${op}: shapes ${shapes.map(fmt).join(" and ")} cannot be broadcast together`);
    }
  }
  return out;
}

/**
 * Broadcast `x` to `shape` by NumPy rules (a free view on concrete tensors).
 *
 * @example
 * np.broadcastTo(np.array([1, 2]), [3, 2]); // [[1, 2], [1, 2], [1, 2]]
 */
export function broadcastTo(x: ArrayLike, shape: readonly number[], op = "broadcastTo"): Tensor {
  const t = asTensor(x, op);
  if (!Array.isArray(shape)) throw new ArgumentTypeError(`${op}: shape must be an array of integers, got ${describeArgument(shape)}`);
  if (t.shape.length === shape.length && t.shape.every((n, i) => n === shape[i])) return t;
  const lead = shape.length - t.ndim;
  if (lead < 0) throw new ShapeError(`${op}: cannot broadcast shape ${fmt(t.shape)} to ${fmt(shape)}`);
  t.shape.forEach((n, i) => {
    if (n !== 1 && n !== shape[lead + i]) throw new ShapeError(`${op}: cannot broadcast shape ${fmt(t.shape)} to ${fmt(shape)}`);
  });
  return bind1(broadcastInDimP, [t], { shape: shape.slice(), broadcastDimensions: t.shape.map((_, i) => lead + i) });
}

/**
 * The promoted type of operands (weak types honoured).
 *
 * @example
 * np.resultType(np.array([1, 2]), np.asTensor(0.5)); // { dtype: "float32", weakType: false }
 */
export function resultType(...xs: Tensor[]): TypeInfo {
  const bad = xs.find((x) => !(x instanceof Tensor));
  if (bad !== undefined || xs.length === 0) throw new ArgumentTypeError(`resultType: expected one or more tensors, got ${xs.length === 0 ? "none" : describeArgument(bad)}`);
  return xs.map((x): TypeInfo => ({ dtype: x.dtype, weakType: x.weakType })).reduce(promoteTypes);
}

/**
 * Prepare operands of an elementwise operation: convert to the promoted dtype (or `dtype` when
 * given) and broadcast to the common shape.
 */
export function promoteAndBroadcast(op: string, xs: readonly ArrayLike[], dtype?: DType): Tensor[] {
  const ts = xs.map((x) => asTensor(x, op));
  const info = resultType(...ts);
  const target: TypeInfo = dtype === undefined ? info : { dtype, weakType: false };
  const shape = broadcastShapes(op, ...ts.map((t) => t.shape));
  return ts.map((t) => broadcastTo(convertTo(t, target.dtype, target.weakType), shape, op));
}
