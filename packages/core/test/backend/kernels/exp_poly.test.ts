/**
 * The float32 exponential (`exp_poly.ts`): correctly rounded up to the polynomial's 2e-13, the
 * special values, and the WebAssembly SIMD lowering (eager over large arrays, jit's fused
 * programs) giving the scalar kernel's bits.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { expF32, EXP_POLY } from "../../../src/backend/kernels/exp_poly.js";
import { wasmElementwiseAvailable } from "../../../src/backend/kernels/wasm/elementwise_wasm.js";
import { ConcreteTensor } from "../../../src/tensor.js";
import { compile } from "../../../src/backend/compile/compile.js";
import type { Jaxpr } from "../../../src/jaxpr.js";
import { eqn, newVar, v } from "../compile/jaxpr_builders.js";
import { subP } from "../../../src/primitives/arithmetic.js";
import { expP } from "../../../src/primitives/unary.js";
import { np } from "../../../src/index.js";

const f32 = (v: number) => Math.fround(expF32(v));
/** The gap between float32 values at |y| (the subnormal spacing below the smallest normal). */
const ulpAt = (y: number) => (Math.abs(y) < 2 ** -126 ? 2 ** -149 : 2 ** (Math.floor(Math.log2(Math.abs(y))) - 23));
/** Float32 values from their bit patterns (every class: normals, subnormals, ±0, ±∞, NaNs). */
const fromBits = (bits: number[]) => new Float32Array(Int32Array.from(bits).buffer);

describe("exp for float32 (polynomial in float64, rounded once)", () => {
  it("is Math.exp's value correctly rounded to float32, up to the polynomial's 2e-13 (property)", () => {
    fc.assert(
      fc.property(fc.double({ min: -110, max: 95, noNaN: true }), (x) => {
        const v = Math.fround(x);
        const want = Math.exp(v);
        const got = f32(v);
        if (want > 3.4028234663852886e38 * (1 + 2 ** -25)) expect(got).toBe(Infinity);
        // Within half a float32 gap of the true value, but for the polynomial's error.
        else expect(Math.abs(got - want)).toBeLessThanOrEqual(0.5 * ulpAt(want) + 3e-13 * want);
      }),
      { numRuns: 20000 },
    );
  });

  it("agrees with Math.fround(Math.exp) on all but a handful of a dense sweep, never by more than one float32 step", () => {
    let differ = 0;
    let n = 0;
    for (let x = -104; x <= 89; x += 0.000731) {
      const v = Math.fround(x);
      const a = f32(v);
      const b = Math.fround(Math.exp(v));
      n++;
      if (a !== b) {
        differ++;
        expect(Math.abs(a - b)).toBeLessThanOrEqual(ulpAt(Math.max(a, b)));
      }
    }
    expect(n).toBeGreaterThan(260_000);
    // 1 of 264,022 on Node 20 (V8's Math.exp); a few more allowed for other engines' Math.exp.
    expect(differ).toBeLessThanOrEqual(10);
  });

  it("gives the special values: NaN, ±∞, ±0, overflow to ∞, underflow through the subnormals to 0", () => {
    expect(f32(NaN)).toBeNaN();
    expect(f32(Infinity)).toBe(Infinity);
    expect(f32(-Infinity)).toBe(0);
    expect(f32(0)).toBe(1);
    expect(f32(-0)).toBe(1);
    expect(f32(Math.fround(88.72283))).toBe(Math.fround(Math.exp(Math.fround(88.72283))));
    expect(f32(Math.fround(88.7229))).toBe(Infinity);
    expect(f32(3e38)).toBe(Infinity);
    expect(f32(EXP_POLY.zMax + 1)).toBe(Infinity);
    expect(f32(Math.fround(-87.33655))).toBe(Math.fround(Math.exp(Math.fround(-87.33655)))); // the smallest normal's neighbourhood
    expect(f32(Math.fround(-103.27))).toBe(Math.fround(Math.exp(Math.fround(-103.27)))); // a subnormal
    expect(f32(Math.fround(-103.28))).toBeGreaterThan(0);
    expect(f32(-104)).toBe(0);
    expect(f32(-3e38)).toBe(0);
    expect(f32(1)).toBe(Math.fround(Math.E));
  });

  it.runIf(wasmElementwiseAvailable())("eager np.exp over a large float32 array (WebAssembly SIMD) gives the scalar kernel's bits, every class of value", () => {
    // Even elements: random bit patterns; odd ones: values spread over [-105, 95).
    const bits: number[] = [];
    let s = 12345;
    for (let i = 0; i < 8192; i++) {
      s = (Math.imul(s, 1103515245) + 12345) | 0;
      bits.push(s);
    }
    const values = fromBits(bits);
    for (let i = 1; i < values.length; i += 2) values[i] = ((bits[i]! >>> 8) % 200_000) / 1000 - 105;
    values.set([NaN, Infinity, -Infinity, 0, -0, 88.7229, -104, 1e-45, -1e-45, 3e38, -3e38], 0);
    const x = ConcreteTensor.fromData(values, [values.length], "float32");
    const got = (np.exp(x) as ConcreteTensor).toTypedArray();
    values.forEach((v, i) => {
      const want = f32(v);
      if (Number.isNaN(want)) expect(got[i]).toBeNaN();
      else expect(got[i]).toBe(want);
    });
  });

  it("a fused program with exp under jit (WebAssembly over [128, 10], JavaScript over [3, 3]) gives the eager bits", () => {
    for (const shape of [[128, 10], [3, 3]]) {
      const size = shape[0]! * shape[1]!;
      const [x, y, d, e] = [newVar(shape), newVar(shape), newVar(shape), newVar(shape)];
      const jaxpr: Jaxpr = { inVars: [x, y], eqns: [eqn(subP, [x, y], d), eqn(expP, [d], e)], outs: [v(e)] };
      const run = compile(jaxpr);
      expect(run.steps.map((s) => s.kind)).toEqual(["fused"]);
      const a = Float32Array.from({ length: size }, (_, i) => Math.fround(Math.sin(i * 1.7) * 60));
      const b = Float32Array.from({ length: size }, (_, i) => Math.fround(Math.cos(i * 0.3) * 50));
      const [out] = run([ConcreteTensor.fromData(a, shape, "float32"), ConcreteTensor.fromData(b, shape, "float32")]);
      const want = a.map((v, i) => f32(Math.fround(v - b[i]!)));
      expect(Array.from(out!.toTypedArray())).toEqual(Array.from(want));
    }
  });

  it("float64 keeps Math.exp", () => {
    const x = ConcreteTensor.fromData(Float64Array.of(1, -3.5, 700), [3], "float64");
    expect(Array.from((np.exp(x) as ConcreteTensor).toTypedArray())).toEqual([Math.exp(1), Math.exp(-3.5), Math.exp(700)]);
  });
});
