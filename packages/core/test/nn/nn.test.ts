import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { ConcreteTensor, type Tensor } from "../../src/tensor.js";
import { bind1 } from "../../src/trace.js";
import { transposeP } from "../../src/primitives/shape.js";
import { array } from "../../src/np/asarray.js";
import * as nn from "../../src/nn/index.js";

type Encoded = number | "nan" | "inf" | "-inf";
const fixtures = JSON.parse(readFileSync(new URL("../fixtures/elementwise.json", import.meta.url), "utf8")).nn;
const decode = (v: Encoded): number => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v);
const x64 = ConcreteTensor.fromData(Float64Array.from((fixtures.x as Encoded[]).map(decode)), fixtures.shape, "float64");
const vals = (t: Tensor) => Array.from(t.toTypedArray());

function expectClose(got: Tensor, expected: Encoded[], rtol = 1e-12) {
  const g = vals(got);
  expect(g).toHaveLength(expected.length);
  expected.map(decode).forEach((want, i) => {
    expect(Math.abs(g[i]! - want), `element ${i}: got ${g[i]}, want ${want}`).toBeLessThanOrEqual(rtol * Math.abs(want) + 1e-14);
  });
}

describe("nn functions match NumPy (float64)", () => {
  it.each([
    ["relu", (x: Tensor) => nn.relu(x)],
    ["gelu", (x: Tensor) => nn.gelu(x)],
    ["geluExact", (x: Tensor) => nn.gelu(x, { approximate: false })],
    ["sigmoid", (x: Tensor) => nn.sigmoid(x)],
    ["softplus", (x: Tensor) => nn.softplus(x)],
    ["silu", (x: Tensor) => nn.silu(x)],
    ["tanh", (x: Tensor) => nn.tanh(x)],
    ["softmax", (x: Tensor) => nn.softmax(x)],
    ["softmaxAxis0", (x: Tensor) => nn.softmax(x, { axis: 0 })],
    ["logSoftmax", (x: Tensor) => nn.logSoftmax(x)],
    ["logsumexp", (x: Tensor) => nn.logsumexp(x)],
    ["standardize", (x: Tensor) => nn.standardize(x)],
  ] as const)("%s", (name, f) => {
    const out = f(x64);
    expect(out.dtype).toBe("float64");
    expectClose(out, fixtures[name], name === "standardize" ? 1e-9 : 1e-12);
  });
});

describe("nn functions: dtypes, stability and options", () => {
  it("keep float32, promote integers to float32, and work on 0-d and transposed input", () => {
    expect(nn.gelu(array([1, 2], { dtype: "float32" })).dtype).toBe("float32");
    expect(nn.sigmoid(array([0, 1])).dtype).toBe("float32");
    expect(nn.sigmoid(array(0)).item()).toBe(0.5);
    expect(nn.relu(array([-1, 2])).dtype).toBe("int32");
    const x = array([[1, 2], [3, 4]], { dtype: "float32" });
    const xt = bind1(transposeP, [x], { permutation: [1, 0] });
    expect(nn.softmax(xt, { axis: 0 }).toArray()).toEqual(transposeArray(nn.softmax(x, { axis: 1 })));
  });

  it("gelu (tanh approximation) in float32 keeps its digits in the tails, the same bits from the scalar loop and the kernel", () => {
    const xs = [-9, -6, -2.5, -1, -0.1, 0, 1e-4, 0.3, 1, 2.5, 6, 9];
    // The exact value to float64 accuracy: ½(1 + tanh u) = 1 / (1 + e^{-2u}) has no cancellation.
    const twoU = (v: number) => 2 * Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v);
    const exact = (v: number) => v / (1 + Math.exp(-twoU(v)));
    const results: number[][] = [];
    for (const n of [xs.length, 100]) {
      // 12 values take the scalar loop, 100 the WebAssembly kernel: the same bits either way.
      const inputs = Array.from({ length: n }, (_, i) => xs[i % xs.length]!);
      const f32 = vals(nn.gelu(array(inputs, { dtype: "float32" })));
      // float32 arithmetic: relative error within (3 + 2|2u|) epsilons (the exp's argument is a
      // rounded float32), where float32's tanh form gives 0 from x ≈ -5.16.
      inputs.forEach((v, i) => {
        const want = exact(Math.fround(v));
        expect(Math.abs(f32[i]! - want), `x = ${v}`).toBeLessThanOrEqual(2 ** -23 * (3 + 2 * Math.abs(twoU(v))) * Math.abs(want));
      });
      results.push(f32.slice(0, xs.length));
    }
    expect(results[1]).toEqual(results[0]);
    expect(results[0]![0]).toBeLessThan(0); // gelu(-9) ≈ -1.3e-28, not 0
    // float64 keeps the tanh form as written (NumPy's and JAX's), within rounding of it.
    const f64 = vals(nn.gelu(array(xs, { dtype: "float64" })));
    f64.forEach((v, i) => expect(Math.abs(v - 0.5 * xs[i]! * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (xs[i]! + 0.044715 * xs[i]! ** 3))))).toBeLessThanOrEqual(1e-15));
    expect(vals(nn.gelu(array([-Infinity, Infinity, NaN], { dtype: "float64" })))).toEqual([NaN, Infinity, NaN]);
  });

  it("relu passes NaN through and zeroes -inf", () => {
    const r = vals(nn.relu(array([NaN, -Infinity, 0, -0.5])));
    expect(r[0]).toBeNaN();
    expect(r.slice(1)).toEqual([0, 0, 0]);
  });

  it("softplus and sigmoid are stable for |x| > 100", () => {
    expect(vals(nn.softplus(array([1000, -1000, 150, -150], { dtype: "float32" })))).toEqual([1000, 0, 150, Math.fround(Math.exp(-150))]);
    expect(vals(nn.sigmoid(array([1000, -1000])))).toEqual([1, 0]);
    expect(nn.softplus(0).item()).toBeCloseTo(Math.LN2, 6);
  });

  it("softmax and logSoftmax subtract the max: huge inputs do not overflow", () => {
    const s = vals(nn.softmax(array([1000, 1000], { dtype: "float32" })));
    expect(s).toEqual([0.5, 0.5]);
    expect(vals(nn.logSoftmax(array([1000, 1000], { dtype: "float32" })))).toEqual([-Math.fround(Math.LN2), -Math.fround(Math.LN2)]);
    expect(nn.softmax(array([[1, 2, 3]]), { axis: null }).shape).toEqual([1, 3]);
  });

  it("logsumexp: -inf entries, all -inf slices, keepdims and axis", () => {
    const x = array([[-Infinity, 0], [-Infinity, -Infinity]], { dtype: "float64" });
    expect(vals(nn.logsumexp(x))).toEqual([0, -Infinity]);
    expect(nn.logsumexp(x, { keepdims: true }).shape).toEqual([2, 1]);
    expect(vals(nn.logsumexp(array([1000, 1000], { dtype: "float64" }))) [0]).toBeCloseTo(1000 + Math.LN2, 10);
    const y = array([[0, 0, 0], [0, 0, 0]], { dtype: "float64" });
    expect(vals(nn.logsumexp(y, { axis: 0 }))).toEqual([Math.LN2, Math.LN2, Math.LN2]);
    expect(vals(nn.logsumexp(y, { axis: null }))[0]).toBeCloseTo(Math.log(6), 14);
    expect(vals(nn.logsumexp(array([Infinity, 0], { dtype: "float64" })))).toEqual([Infinity]);
  });

  it("standardize: zero mean and unit variance; given mean/variance and epsilon are used", () => {
    const z = vals(nn.standardize(array([1, 2, 3], { dtype: "float64" }), { epsilon: 0 }));
    expect(z[0]).toBeCloseTo(-Math.sqrt(1.5), 12);
    expect(z[1]).toBeCloseTo(0, 12);
    const g = vals(nn.standardize(array([1, 2, 3], { dtype: "float64" }), { mean: 1, variance: 4, epsilon: 0 }));
    expect(g).toEqual([0, 0.5, 1]);
    expect(nn.standardize(array([[1, 2], [3, 5]], { dtype: "float64" }), { axis: 0, epsilon: 0 }).toArray()).toEqual([[-1, -1], [1, 1]]);
  });

  it("identity returns its input; no function mutates its input", () => {
    const data = Float32Array.from([-1, 2]);
    const x = ConcreteTensor.fromData(data, [2], "float32");
    expect(nn.identity(x)).toBe(x);
    for (const f of [nn.relu, nn.gelu, nn.softplus, nn.softmax, nn.standardize]) f(x);
    expect(Array.from(data)).toEqual([-1, 2]);
  });
});

function transposeArray(t: Tensor): number[][] {
  const a = t.toArray() as number[][];
  return a[0]!.map((_, j) => a.map((row) => row[j]!));
}
