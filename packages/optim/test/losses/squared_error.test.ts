import { describe, expect, it } from "vitest";
import { checkGrads, jit, vmap } from "@connex/autodiff";
import { DTypeError, ShapeError, np, type Tensor } from "@connex/core";
import { l2Loss, squaredError } from "../../src/index.js";

describe("squaredError and l2Loss", () => {
  const p = np.array([[1, 2.5], [-3, 0]], { dtype: "float64" });
  const t = np.array([[0, 0.5], [1, 0]], { dtype: "float64" });

  it("compute (p - t)² and half of it, elementwise, unreduced", () => {
    expect(squaredError(p, t).toArray()).toEqual([[1, 4], [16, 0]]);
    expect(l2Loss(p, t).toArray()).toEqual([[0.5, 2], [8, 0]]);
    expect(squaredError(p).toArray()).toEqual([[1, 6.25], [9, 0]]);
    expect(l2Loss(p).toArray()).toEqual([[0.5, 3.125], [4.5, 0]]);
    expect(l2Loss(np.array([1e4], { dtype: "float32" })).toArray()).toEqual([5e7]);
    expect(squaredError(np.array([1.5], { dtype: "float32" }), np.array([0.5], { dtype: "float32" })).dtype).toBe("float32");
  });

  it("have correct float64 gradients: l2Loss's is the plain difference", () => {
    checkGrads((a: Tensor, b: Tensor) => squaredError(a, b), [p, t], { modes: ["fwd", "rev"] });
    checkGrads((a: Tensor, b: Tensor) => l2Loss(a, b), [p, t], { modes: ["fwd", "rev"] });
    checkGrads((a: Tensor) => l2Loss(a), [p], { modes: ["fwd", "rev"] });
  });

  it("agree under jit and vmap", () => {
    expect(jit((a: Tensor, b: Tensor) => l2Loss(a, b))(p, t).toArray()).toEqual(l2Loss(p, t).toArray());
    expect(vmap((a: Tensor, b: Tensor) => squaredError(a, b))(p, t).toArray()).toEqual(squaredError(p, t).toArray());
  });

  it("reject integer predictions and mismatched shapes", () => {
    expect(() => squaredError(np.array([1, 2]))).toThrow(DTypeError);
    expect(() => l2Loss(np.array([1, 2]), np.array([1.5, 2]))).toThrow(/predictions must be float32 or float64, got int32/);
    expect(() => squaredError(p, np.array([1, 2], { dtype: "float64" }))).toThrow(ShapeError);
    expect(() => l2Loss(p, np.array([[1, 2]], { dtype: "float64" }))).toThrow(/\[2, 2\] and \[1, 2\]/);
  });
});
