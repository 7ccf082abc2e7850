/**
 * `uniform` and `normal` computed in one loop over the threefry words when nothing is traced:
 * a concrete key and numeric bounds. The loop applies the operations of the general path
 * (`unitFloats`, then `uniform`'s scaling and clamp, then `normal`'s `erf_inv` and `√2`) element
 * by element, in the same order and precision, with the primitives' own rounding (float32:
 * every operation's result rounded to float32, as the float32 kernels do), so the bits are
 * those of the general path, which jit traces. The general path dispatches ~12 eager
 * operations: 100 float32 normals took 57–77 µs there (2-core AMD EPYC, 2026-12-08).
 */
import { erfinvFloat32, erfinvFloat64 } from "../backend/kernels/erf.js";
import { ConcreteTensor, sizeOf } from "../tensor.js";
import { concreteBlocks } from "./bits.js";
import type { FloatDType } from "./uniform.js";

/** What the loop computes from each uniform value: the value itself, or `√2 · erf_inv(u)` (normal). */
export type LoopOutput = "uniform" | "normal";

/** Scratch for float32's bit trick: the word written, the float read back. */
const word = new Uint32Array(1);
const wordAsFloat = new Float32Array(word.buffer);

/** Lax's max on two values (the first NaN, or the larger; as the `max` primitive's kernel). */
const laxMax = (a: number, b: number): number => (Number.isNaN(a) || a > b ? a : b);

/**
 * The samples as a tensor of `shape`, from a concrete single `key` (its two words 0-d): uniform
 * in `[minval, maxval)` (bounds as `np.astype(bound, dtype)` makes them), or, with `output`
 * `"normal"`, `√2 · erf_inv` of those.
 * Example: `sampleLoop(random.key(0), [3], "float32", -1 + 2 ** -24, 1, "normal")`.
 */
export function sampleLoop(key: ConcreteTensor, shape: readonly number[], dtype: FloatDType, lower: number, upper: number, output: LoopOutput): ConcreteTensor {
  // A bound as `np.astype` makes it: JavaScript's -0 is an integer, so an int32 0 first.
  const minval = lower === 0 ? 0 : lower;
  const maxval = upper === 0 ? 0 : upper;
  const n = sizeOf(shape);
  const [y1, y2] = concreteBlocks(key, n);
  if (dtype === "float32") {
    const f = Math.fround;
    const lo = f(minval);
    const range = f(f(maxval) - lo);
    const root2 = f(Math.SQRT2);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      word[0] = ((y1[i]! ^ y2[i]!) >>> 9) | 0x3f800000;
      const u = f(wordAsFloat[0]! - 1);
      const v = laxMax(lo, f(f(u * range) + lo));
      out[i] = output === "uniform" ? v : f(root2 * f(erfinvFloat32(v)));
    }
    return ConcreteTensor.fromData(out, shape, dtype);
  }
  const range = maxval - minval;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = y1[i]! * 2 ** -32 + (y2[i]! >>> 12) * 2 ** -52;
    const v = laxMax(minval, u * range + minval);
    out[i] = output === "uniform" ? v : Math.SQRT2 * erfinvFloat64(v);
  }
  return ConcreteTensor.fromData(out, shape, dtype);
}
