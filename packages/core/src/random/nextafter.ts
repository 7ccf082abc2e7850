import { DTypeError, ShapeError } from "../errors.js";
import { definePrimitive, type Primitive } from "../primitive.js";
import { batchElementwise } from "../primitives/batching.js";
import { ConcreteTensor, type Tensor } from "../tensor.js";
import { bind1 } from "../trace.js";
import { promoteAndBroadcast } from "../np/broadcast.js";

/**
 * The next representable float after `x` in the direction of `toward`, elementwise, in the
 * operands' own precision (lax.nextafter / C `nextafter`). `random.truncatedNormal` uses it to
 * keep samples strictly inside `(lower, upper)`, as JAX does. It lives here because random is
 * its only user; it is an ordinary primitive (registered, batchable) nonetheless.
 * Not differentiable: its tangents and cotangents are symbolic zeros (JAX stops its gradient).
 */

/** `nextafter` of one value in float32 (`single`) or float64. */
function nextAfterScalar(x: number, toward: number, single: boolean): number {
  if (Number.isNaN(x) || Number.isNaN(toward)) return NaN;
  if (x === toward) return toward;
  const up = toward > x;
  if (x === 0) {
    const tiny = single ? 2 ** -149 : Number.MIN_VALUE;
    return up ? tiny : -tiny;
  }
  // Moving away from zero increments the magnitude's bit pattern; moving toward zero decrements it.
  const away = up === x > 0;
  if (single) {
    const f = new Float32Array([x]);
    const u = new Uint32Array(f.buffer);
    u[0] = away ? u[0]! + 1 : u[0]! - 1;
    return f[0]!;
  }
  const f = new Float64Array([x]);
  const u = new BigUint64Array(f.buffer);
  u[0] = away ? u[0]! + 1n : u[0]! - 1n;
  return f[0]!;
}

/** lax.nextafter: `(x, toward) -> next float after x toward toward`, float operands of one shape and dtype. */
export const nextafterP: Primitive = definePrimitive({
  name: "nextafter",
  nonDifferentiable: true,
  abstractEval([x, y]) {
    if (x!.dtype !== y!.dtype) throw new DTypeError(`nextafter: operand dtypes differ (${x!.dtype} and ${y!.dtype})`);
    if (x!.dtype !== "float32" && x!.dtype !== "float64") throw new DTypeError(`nextafter: operands must be float32 or float64, got ${x!.dtype}`);
    if (x!.shape.length !== y!.shape.length || x!.shape.some((n, i) => n !== y!.shape[i])) {
      throw new ShapeError(`nextafter: operand shapes differ ([${x!.shape.join(", ")}] and [${y!.shape.join(", ")}])`);
    }
    return [{ shape: x!.shape.slice(), dtype: x!.dtype, weakType: x!.weakType && y!.weakType }];
  },
  impl([x, y]) {
    const a = x!.contiguousData();
    const b = y!.contiguousData();
    const single = x!.dtype === "float32";
    const out = single ? new Float32Array(a.length) : new Float64Array(a.length);
    for (let i = 0; i < a.length; i++) out[i] = nextAfterScalar(a[i]!, b[i]!, single);
    return [ConcreteTensor.fromData(out, x!.shape, x!.dtype)];
  },
  jvp([x, y]) {
    return [[bind1(nextafterP, [x!, y!])], [null]];
  },
  vjp() {
    return [null, null];
  },
  batch(args, dims) {
    return batchElementwise((moved) => [bind1(nextafterP, moved)], args, dims);
  },
});

/**
 * `nextafter(x, toward)` with NumPy broadcasting; `toward` may be a number (e.g. `Infinity`).
 *
 * @example nextafter(np.array([1], { dtype: "float32" }), Infinity) // [1.0000001]
 */
export function nextafter(x: Tensor, toward: Tensor | number): Tensor {
  const [a, b] = promoteAndBroadcast("nextafter", [x, toward]);
  return bind1(nextafterP, [a!, b!]);
}
