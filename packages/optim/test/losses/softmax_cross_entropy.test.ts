import { describe, expect, it } from "vitest";
import { checkGrads, grad, jit, vmap } from "@connex/autodiff";
import { AxisError, DTypeError, IndexError, ShapeError, np, type Tensor } from "@connex/core";
import { softmaxCrossEntropy, softmaxCrossEntropyWithIntegerLabels } from "../../src/index.js";

const f64 = (x: number[] | number[][]) => np.array(x, { dtype: "float64" });
const f32 = (x: number[] | number[][]) => np.array(x, { dtype: "float32" });
const LOGITS = [
  [2.0, 1.0, 0.1],
  [-1.5, 0.3, 4.2],
  [1e4, 0.0, -1e4],
  [-1e4, 1e4, 0.0],
];
const LABELS = [0, 2, 1, 1];
const SOFT = [
  [0.7, 0.2, 0.1],
  [0, 0, 1],
  [0.5, 0.5, 0],
  [0, 1, 0],
];
// NumPy float64 references (stable log-sum-exp; see the commit message for the script).
const INT_REF = [0.41703001627783376, 0.023313981645314286, 1e4, 0];
const SOFT_REF = [0.80703001627783377, 0.023313981645314286, 5000, 0];

function expectClose(got: Tensor, want: number[], rtol: number, atol = 0) {
  const g = Array.from(got.toTypedArray());
  expect(g).toHaveLength(want.length);
  g.forEach((v, i) => expect(Math.abs(v - want[i]!), `element ${i}: got ${v}, want ${want[i]}`).toBeLessThanOrEqual(atol + rtol * Math.abs(want[i]!)));
}

describe("softmaxCrossEntropyWithIntegerLabels", () => {
  it("matches NumPy, including logits of ±1e4, in float64 and float32", () => {
    expectClose(softmaxCrossEntropyWithIntegerLabels(f64(LOGITS), np.array(LABELS)), INT_REF, 1e-14);
    const out32 = softmaxCrossEntropyWithIntegerLabels(f32(LOGITS), np.array(LABELS));
    expect(out32.dtype).toBe("float32");
    expectClose(out32, INT_REF, 1e-6, 1e-7);
    expect(softmaxCrossEntropyWithIntegerLabels(f32(LOGITS), np.array(LABELS, { dtype: "uint32" })).shape).toEqual([4]);
  });

  it("equals softmaxCrossEntropy with one-hot labels, over any class axis", () => {
    const oneHot = f64(LABELS.map((l) => [0, 1, 2].map((c) => (c === l ? 1 : 0))));
    expectClose(softmaxCrossEntropy(f64(LOGITS), oneHot), INT_REF, 1e-14);
    const transposed = np.transpose(f64(LOGITS));
    expectClose(softmaxCrossEntropyWithIntegerLabels(transposed, np.array(LABELS), { axis: 0 }), INT_REF, 1e-14);
    const batched = np.reshape(f64(LOGITS), [2, 2, 3]);
    const out = softmaxCrossEntropyWithIntegerLabels(batched, np.array([[0, 2], [1, 1]]));
    expect(out.shape).toEqual([2, 2]);
    expectClose(out, INT_REF, 1e-14);
  });

  it("has correct float64 gradients (finite differences) and finite ones at ±1e4", () => {
    const labels = np.array([0, 2, 1]);
    const logits = f64([[0.3, -1.2, 2.0], [1.5, 0.1, -0.7], [-2.0, 0.4, 0.9]]);
    checkGrads((z: Tensor) => softmaxCrossEntropyWithIntegerLabels(z, labels), [logits], { modes: ["fwd", "rev"] });
    const g = grad((z: Tensor) => np.sum(softmaxCrossEntropyWithIntegerLabels(z, np.array(LABELS))))(f32(LOGITS));
    const values = Array.from(g.toTypedArray());
    expect(values.every(Number.isFinite)).toBe(true);
    // softmax - onehot: row 2 (label 1, logit 0 vs 1e4) is [1, -1, 0]
    expect(values.slice(6, 9)).toEqual([1, -1, 0]);
  });

  it("agrees under jit and vmap", () => {
    const z = f32(LOGITS);
    const y = np.array(LABELS);
    const eager = softmaxCrossEntropyWithIntegerLabels(z, y).toArray();
    expect(jit(softmaxCrossEntropyWithIntegerLabels)(z, y).toArray()).toEqual(eager);
    expect(vmap((zi: Tensor, yi: Tensor) => softmaxCrossEntropyWithIntegerLabels(zi, yi))(z, y).toArray()).toEqual(eager);
  });

  it("rejects out-of-range labels naming the value and index, and bad dtypes and shapes", () => {
    const z = f32(LOGITS);
    expect(() => softmaxCrossEntropyWithIntegerLabels(z, np.array([0, 3, 1, 1]))).toThrow(IndexError);
    expect(() => softmaxCrossEntropyWithIntegerLabels(z, np.array([0, 1, -1, 1]))).toThrow(/label -1 at index \[2\] is out of range for 3 classes/);
    expect(() => softmaxCrossEntropyWithIntegerLabels(np.reshape(z, [2, 2, 3]), np.array([[0, 1], [1, 7]]))).toThrow(/label 7 at index \[1, 1\]/);
    expect(() => softmaxCrossEntropyWithIntegerLabels(z, f32([0, 1, 1, 1]))).toThrow(DTypeError);
    expect(() => softmaxCrossEntropyWithIntegerLabels(np.array([[1, 2]]), np.array([0]))).toThrow(/logits must be float32 or float64, got int32/);
    expect(() => softmaxCrossEntropyWithIntegerLabels(z, np.array([0, 1]))).toThrow(ShapeError);
    expect(() => softmaxCrossEntropyWithIntegerLabels(z, np.array([0, 1, 1, 1]), { axis: 2 })).toThrow(AxisError);
    expect(() => softmaxCrossEntropyWithIntegerLabels(f32([1]) as Tensor, np.array(0), { axis: 0 })).not.toThrow();
    expect(() => softmaxCrossEntropyWithIntegerLabels(np.array(1.5), np.array(0))).toThrow(/0-d/);
  });
});

describe("softmaxCrossEntropy", () => {
  it("matches NumPy for soft labels, including ±1e4 logits and zero labels on -1e4", () => {
    expectClose(softmaxCrossEntropy(f64(LOGITS), f64(SOFT)), SOFT_REF, 1e-14);
    expectClose(softmaxCrossEntropy(f32(LOGITS), f32(SOFT)), SOFT_REF, 1e-6, 1e-6);
  });

  it("gives finite losses and gradients where a zero-label logit is -inf (masked classes)", () => {
    const z = f64([[0, -Infinity, 1]]);
    const y = f64([[0.5, 0, 0.5]]);
    const loss = softmaxCrossEntropy(z, y).item();
    const lse = Math.log(1 + Math.E);
    expect(loss).toBeCloseTo(0.5 * lse + 0.5 * (lse - 1), 14);
    const g = grad((zz: Tensor) => np.sum(softmaxCrossEntropy(zz, y)))(z);
    expect(Array.from(g.toTypedArray()).every(Number.isFinite)).toBe(true);
  });

  it("has correct float64 gradients in logits and labels", () => {
    const z = f64([[0.3, -1.2, 2.0], [1.5, 0.1, -0.7]]);
    const y = f64([[0.2, 0.5, 0.3], [1, 0, 0]]);
    checkGrads((zz: Tensor, yy: Tensor) => softmaxCrossEntropy(zz, yy), [z, y], { modes: ["fwd", "rev"] });
  });

  it("agrees under jit and vmap", () => {
    const eager = softmaxCrossEntropy(f32(LOGITS), f32(SOFT)).toArray();
    expect(jit((a: Tensor, b: Tensor) => softmaxCrossEntropy(a, b))(f32(LOGITS), f32(SOFT)).toArray()).toEqual(eager);
    expect(vmap((a: Tensor, b: Tensor) => softmaxCrossEntropy(a, b))(f32(LOGITS), f32(SOFT)).toArray()).toEqual(eager);
  });

  it("rejects integer logits and mismatched shapes, hinting at integer labels", () => {
    expect(() => softmaxCrossEntropy(np.array([[1, 2]]), f32([[0, 1]]))).toThrow(DTypeError);
    expect(() => softmaxCrossEntropy(f32(LOGITS), np.array(LABELS))).toThrow(/\[4, 3\] and \[4\].*softmaxCrossEntropyWithIntegerLabels/);
    expect(() => softmaxCrossEntropy(f32(LOGITS), f32([[1, 0, 0]]))).toThrow(ShapeError);
  });
});
