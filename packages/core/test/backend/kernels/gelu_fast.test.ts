import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GELU_FAST, geluTanhDerivativeF32, geluTanhF32 } from "../../../src/backend/kernels/gelu_fast.js";
import { GELU_PARALLEL_MIN, geluBothF32Wasm, geluF32Wasm, wasmGeluAvailable } from "../../../src/backend/kernels/wasm/gelu_wasm.js";
import { GELU_LANES, geluModuleBytes } from "../../../src/backend/kernels/wasm/gelu_kernels.js";
import { webAssembly } from "../../../src/backend/kernels/wasm/webassembly_api.js";
import { allocateResident, releaseResident } from "../../../src/backend/resident_storage.js";
import { numThreads, setNumThreads } from "../../../src/backend/threads/config.js";
import { waitForThreads } from "../../../src/backend/threads/pool.js";

const initialThreads = numThreads();

const C = Math.sqrt(2 / Math.PI);
/** GELU (tanh approximation) in its sigmoid form with Math.exp: accurate to float64 rounding. */
const exact = (v: number) => v / (1 + Math.exp(-2 * C * (v + 0.044715 * v * v * v)));
const exactDerivative = (v: number) => {
  const s = 1 / (1 + Math.exp(-2 * C * (v + 0.044715 * v * v * v)));
  return s + v * 2 * C * (1 + 3 * 0.044715 * v * v) * s * (1 - s);
};
const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 1e-30, 3e38, -3e38, 9, -9, 20, -20, 60, -60];

describe("GELU for float32 (sigmoid form, polynomial exp, float32 arithmetic)", () => {
  /** |2u| at v: the exp's argument, whose rounding the result's relative error scales with. */
  const twoU = (v: number) => Math.abs(2 * C * (v + 0.044715 * v * v * v));

  it("is within (3 + 2|2u|) float32 epsilons of the exact value, its derivative within 3e-7 (property)", () => {
    fc.assert(
      fc.property(fc.double({ min: -40, max: 40, noNaN: true }), (x) => {
        const v = Math.fround(x);
        const got = geluTanhF32(v);
        expect(Math.fround(got)).toBe(got);
        const want = exact(v);
        // Values below float32's normal range keep fewer digits: an absolute allowance there.
        expect(Math.abs(got - want)).toBeLessThanOrEqual(2 ** -23 * (3 + 2 * twoU(v)) * Math.abs(want) + 2 ** -126);
        expect(Math.abs(geluTanhDerivativeF32(v) - exactDerivative(v))).toBeLessThanOrEqual(3e-7);
      }),
      { numRuns: 3000 },
    );
  });

  it("near zero and for positive inputs, within 3 units in the last place of the exact value", () => {
    for (let x = -1; x <= 8; x += 0.0137) {
      const v = Math.fround(x);
      const want = exact(v);
      const ulp = 2 ** (Math.floor(Math.log2(Math.abs(want))) - 23);
      if (want !== 0) expect(Math.abs(geluTanhF32(v) - want), `x = ${v}`).toBeLessThanOrEqual(3 * ulp);
    }
  });

  it("derivative agrees with central differences of the function", () => {
    // Steps of 1/64: float32 rounding of the values (~1e-7) costs ~1e-5 of the quotient.
    for (let x = -8; x <= 8; x += 0.37) {
      const v = Math.fround(x);
      const h = 1 / 64;
      const fd = (geluTanhF32(v + h) - geluTanhF32(v - h)) / (2 * h);
      expect(Math.abs(geluTanhDerivativeF32(v) - fd), `x = ${v}`).toBeLessThanOrEqual(2e-4);
    }
    expect(geluTanhDerivativeF32(0)).toBe(0.5);
  });

  it("special values: NaN stays NaN, +inf gives +inf, -inf gives NaN (as the tanh form), tails are exact limits", () => {
    expect(geluTanhF32(NaN)).toBeNaN();
    expect(geluTanhDerivativeF32(NaN)).toBeNaN();
    expect(geluTanhF32(Infinity)).toBe(Infinity);
    expect(geluTanhDerivativeF32(Infinity)).toBe(1);
    expect(geluTanhF32(-Infinity)).toBeNaN();
    expect(geluTanhDerivativeF32(-Infinity)).toBe(0);
    expect(Object.is(geluTanhF32(-0), -0)).toBe(true);
    const big = Math.fround(3e38);
    expect(Object.is(geluTanhF32(-big), -0)).toBe(true); // σ is 0 past the clamp: the limit
    expect(geluTanhF32(big)).toBe(big);
    expect(geluTanhDerivativeF32(big)).toBe(1);
    expect(Object.is(geluTanhDerivativeF32(-big), 0)).toBe(true);
    // Past the input clamp (|x| > 16) the results are the limits, x³ never overflowing.
    for (const x of [16, 17, 1e10, 1e20]) {
      const v = Math.fround(x);
      expect(geluTanhF32(v)).toBe(v);
      expect(geluTanhF32(-v)).toBe(-0);
      expect(geluTanhDerivativeF32(v)).toBe(1);
      expect(geluTanhDerivativeF32(-v)).toBe(0);
    }
    expect(GELU_FAST.taylor[0]).toBe(1);
  });

  it("its constants are float32 values (the kernel splats them as f32.const)", () => {
    const { taylor, ...scalars } = GELU_FAST;
    for (const c of [...Object.values(scalars), ...taylor]) expect(Math.fround(c)).toBe(c);
  });

  it("the WebAssembly kernels equal the scalar functions bit for bit, at any length (property)", () => {
    expect(wasmGeluAvailable()).toBe(true);
    fc.assert(
      fc.property(fc.array(fc.float({ noDefaultInfinity: false }), { minLength: 0, maxLength: 70 }), fc.boolean(), (xs, derivative) => {
        const src = Float32Array.from([...xs, ...SPECIAL]);
        const out = new Float32Array(src.length);
        geluF32Wasm(src, out, derivative);
        const f = derivative ? geluTanhDerivativeF32 : geluTanhF32;
        src.forEach((v, i) => expect(Object.is(out[i], Math.fround(f(v)))).toBe(true));
      }),
      { numRuns: 300 },
    );
  });

  it("a long array (the kernel's many iterations) leaves the output beyond its length alone", () => {
    const n = 10_007;
    const src = new Float32Array(n).map((_, i) => Math.fround(Math.sin(i) * 12));
    const out = new Float32Array(n + 3).fill(7);
    geluF32Wasm(src, out.subarray(0, n), false);
    for (let i = 0; i < n; i += 97) expect(out[i]).toBe(Math.fround(geluTanhF32(src[i]!)));
    expect(Array.from(out.subarray(n))).toEqual([7, 7, 7]);
  });

  it("reads resident inputs and writes resident outputs in place, split across threads, with the bits of one thread and of the scalar functions", () => {
    const n = 3 * GELU_PARALLEL_MIN + 5;
    const values = new Float32Array(n).map((_, i) => (i < SPECIAL.length ? SPECIAL[i]! : Math.fround(Math.sin(i) * 9)));
    const results: Float32Array[] = [];
    for (const threads of [1, 2]) {
      setNumThreads(threads);
      waitForThreads();
      for (const derivative of [false, true]) {
        const src = allocateResident(Float32Array, n)!;
        src.set(values);
        const out = allocateResident(Float32Array, n, false)!;
        const neighbour = allocateResident(Uint8Array, 1024)!;
        neighbour.fill(0xa5);
        geluF32Wasm(src, out, derivative);
        const f = derivative ? geluTanhDerivativeF32 : geluTanhF32;
        expect(out.every((v, i) => Object.is(v, Math.fround(f(values[i]!))))).toBe(true);
        expect(neighbour.every((v) => v === 0xa5)).toBe(true);
        // An ordinary output (copied out) gets the same bits from a resident input.
        const plain = new Float32Array(n);
        geluF32Wasm(src, plain, derivative);
        expect(plain.every((v, i) => Object.is(v, out[i]))).toBe(true);
        results.push(out.slice());
        for (const a of [src, out, neighbour]) releaseResident(a);
      }
    }
    setNumThreads(initialThreads);
    expect(results[0]!.every((v, i) => Object.is(v, results[2]![i]))).toBe(true);
    expect(results[1]!.every((v, i) => Object.is(v, results[3]![i]))).toBe(true);
  });

  it("the joint kernel gives the values and the derivatives of the two kernels bit for bit, at any length (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.float({ noDefaultInfinity: false }), { minLength: 0, maxLength: 70 }), (xs) => {
        const src = Float32Array.from([...xs, ...SPECIAL]);
        const [value, derivative] = [new Float32Array(src.length), new Float32Array(src.length)];
        geluBothF32Wasm(src, value, derivative);
        src.forEach((v, i) => {
          expect(Object.is(value[i], Math.fround(geluTanhF32(v)))).toBe(true);
          expect(Object.is(derivative[i], Math.fround(geluTanhDerivativeF32(v)))).toBe(true);
        });
      }),
      { numRuns: 300 },
    );
  });

  it("the joint kernel writes each output where it is: both resident, one resident and one copied out, split across threads", () => {
    const n = 2 * GELU_PARALLEL_MIN + 13;
    const values = new Float32Array(n).map((_, i) => (i < SPECIAL.length ? SPECIAL[i]! : Math.fround(Math.cos(i) * 11)));
    const expectedValue = values.map((v) => Math.fround(geluTanhF32(v)));
    const expectedDerivative = values.map((v) => Math.fround(geluTanhDerivativeF32(v)));
    const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
    for (const threads of [1, 2]) {
      setNumThreads(threads);
      waitForThreads();
      const src = allocateResident(Float32Array, n)!;
      src.set(values);
      const residentValue = allocateResident(Float32Array, n, false)!;
      const residentDerivative = allocateResident(Float32Array, n, false)!;
      const neighbour = allocateResident(Uint8Array, 1024)!;
      neighbour.fill(0xa5);
      geluBothF32Wasm(src, residentValue, residentDerivative);
      expect(same(residentValue, expectedValue)).toBe(true);
      expect(same(residentDerivative, expectedDerivative)).toBe(true);
      expect(neighbour.every((v) => v === 0xa5)).toBe(true);
      // Mixed: the value in place, the derivative through the scratch area, and the reverse; an
      // ordinary input copied in.
      const plainDerivative = new Float32Array(n);
      residentValue.fill(0);
      geluBothF32Wasm(src, residentValue, plainDerivative);
      expect(same(residentValue, expectedValue) && same(plainDerivative, expectedDerivative)).toBe(true);
      const plainValue = new Float32Array(n);
      residentDerivative.fill(0);
      geluBothF32Wasm(Float32Array.from(values), plainValue, residentDerivative);
      expect(same(plainValue, expectedValue) && same(residentDerivative, expectedDerivative)).toBe(true);
      for (const a of [src, residentValue, residentDerivative, neighbour]) releaseResident(a);
    }
    setNumThreads(initialThreads);
  });
});

describe("geluModuleBytes", () => {
  const memoryImport = { module: "env", name: "memory", minPages: 1 };

  it("kernels built with any multiple of four lanes per iteration give the same bits", () => {
    const wasm = webAssembly!;
    const memory = new wasm.Memory({ initial: 1 });
    const f32 = new Float32Array(memory.buffer);
    const n = 3 * GELU_LANES * 4; // a multiple of every lane count below
    for (let i = 0; i < n; i++) f32[i] = Math.fround((i - n / 2) / 37);
    const outputs = [4, 8, GELU_LANES, 3 * GELU_LANES].map((lanes) => {
      const kernels = new wasm.Instance(new wasm.Module(geluModuleBytes(memoryImport, lanes)), { env: { memory } }).exports as Record<string, (...a: number[]) => void>;
      kernels.gelu_both_f32!(0, 4 * n, 8 * n, n);
      return [...f32.subarray(n, 3 * n)];
    });
    for (const out of outputs.slice(1)) expect(out).toEqual(outputs[0]);
    expect(outputs[0]!.slice(0, n)).toEqual([...f32.subarray(0, n)].map((v) => geluTanhF32(v)));
  });

  it("rejects lanes that are not a positive multiple of four, naming the count", () => {
    for (const lanes of [0, 6, -4, 2.5]) expect(() => geluModuleBytes(memoryImport, lanes)).toThrow(new RangeError(`geluModuleBytes: lanes must be a positive multiple of 4, got ${lanes}`));
  });
});
