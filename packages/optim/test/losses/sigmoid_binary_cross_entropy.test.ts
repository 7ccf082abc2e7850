import { describe, expect, it } from "vitest";
import { checkGrads, grad, jit, vmap } from "@connex/autodiff";
import { DTypeError, ShapeError, np, type Tensor } from "@connex/core";
import { sigmoidBinaryCrossEntropy } from "../../src/index.js";

const Z = [-1e4, -30, -2, 0, 0.5, 3, 40, 1e4];
const Y = [1, 0, 0.3, 1, 0, 0, 1, 0];
// NumPy float64: y · softplus(-z) + (1 - y) · softplus(z) with a stable softplus.
const REF = [1e4, 9.357622968839737e-14, 0.7269280110429726, 0.6931471805599453, 0.9740769841801067, 3.048587351573742, 4.248354255291589e-18, 1e4];

describe("sigmoidBinaryCrossEntropy", () => {
  it("matches NumPy in float64 and float32, including logits of ±1e4", () => {
    const got = Array.from(sigmoidBinaryCrossEntropy(np.array(Z, { dtype: "float64" }), np.array(Y, { dtype: "float64" })).toTypedArray());
    got.forEach((v, i) => expect(Math.abs(v - REF[i]!)).toBeLessThanOrEqual(1e-14 * REF[i]! + 1e-300));
    const got32 = sigmoidBinaryCrossEntropy(np.array(Z, { dtype: "float32" }), np.array(Y, { dtype: "float32" }));
    expect(got32.dtype).toBe("float32");
    Array.from(got32.toTypedArray()).forEach((v, i) => expect(Math.abs(v - REF[i]!)).toBeLessThanOrEqual(1e-6 * REF[i]! + 1e-12));
  });

  it("has correct float64 gradients and finite float32 gradients at ±1e4", () => {
    const z = np.array([-3, -0.4, 0.2, 2.5], { dtype: "float64" });
    const y = np.array([0, 1, 0.25, 1], { dtype: "float64" });
    checkGrads((a: Tensor, b: Tensor) => sigmoidBinaryCrossEntropy(a, b), [z, y], { modes: ["fwd", "rev"] });
    const g = grad((a: Tensor) => np.sum(sigmoidBinaryCrossEntropy(a, np.array(Y, { dtype: "float32" }))))(np.array(Z, { dtype: "float32" }));
    const values = Array.from(g.toTypedArray());
    // d/dz = sigmoid(z) - y
    expect(values[0]).toBe(-1);
    expect(values[7]).toBe(1);
    expect(values.every(Number.isFinite)).toBe(true);
  });

  it("agrees under jit and vmap", () => {
    const z = np.reshape(np.array(Z, { dtype: "float32" }), [4, 2]);
    const y = np.reshape(np.array(Y, { dtype: "float32" }), [4, 2]);
    const eager = sigmoidBinaryCrossEntropy(z, y).toArray();
    expect(jit(sigmoidBinaryCrossEntropy)(z, y).toArray()).toEqual(eager);
    expect(vmap((a: Tensor, b: Tensor) => sigmoidBinaryCrossEntropy(a, b))(z, y).toArray()).toEqual(eager);
  });

  it("rejects integer logits and mismatched shapes", () => {
    expect(() => sigmoidBinaryCrossEntropy(np.array([1, 2]), np.array([0, 1]))).toThrow(DTypeError);
    expect(() => sigmoidBinaryCrossEntropy(np.array([1.5, 2]), np.array([[0, 1]]))).toThrow(ShapeError);
  });
});
