import { describe, expect, it } from "vitest";
import { np, type Tensor } from "@connex/core";
import { grad, jit, jvp, vmap, hessian } from "../src/index.js";

const f64 = (x: number | number[]) => np.array(x, { dtype: "float64" });

describe("nested transformations", () => {
  it("avoids perturbation confusion: d/dx [x * (d/dy (x + y))] = 1", () => {
    const f = (x: Tensor) => np.multiply(x, grad((y: Tensor) => np.add(x, y))(f64(1)) as Tensor);
    expect((grad(f)(f64(1)) as Tensor).item()).toBe(1);
  });

  it("differentiates through an inner gradient that closes over the outer variable", () => {
    // g(x) = d/dy (x * y^2) at y = 3 = 6x, so g'(x) = 6.
    const g = (x: Tensor) => grad((y: Tensor) => np.multiply(x, np.square(y)))(f64(3)) as Tensor;
    expect((grad(g)(f64(2)) as Tensor).item()).toBeCloseTo(6, 12);
  });

  it("composes jvp inside grad, vmap inside jit inside grad", () => {
    // h(x) = directional derivative of sum(x^3) along ones = sum(3x^2); grad h = 6x.
    const h = (x: Tensor) => jvp((v: Tensor) => np.sum(np.power(v, 3)), [x], [np.onesLike(x)])[1] as Tensor;
    expect((grad(h)(f64([1, 2])) as Tensor).toArray()).toEqual([6, 12]);
    const k = (w: Tensor) => np.sum(jit(vmap((xi: Tensor) => np.tanh(np.multiply(w, xi))))(f64([0.5, -1])) as Tensor);
    const gw = grad(k)(f64(0.3)) as Tensor;
    const expected = [0.5, -1].reduce((s, xi) => s + xi * (1 - Math.tanh(0.3 * xi) ** 2), 0);
    expect(gw.item()).toBeCloseTo(expected, 12);
  });

  it("hessian of a function with a cross term", () => {
    const hs = hessian((v: Tensor) => np.multiply(np.take(v, 0), np.square(np.take(v, 1))))(f64([2, 3])) as Tensor;
    expect(hs.toArray()).toEqual([[0, 6], [6, 4]]);
  });
});

describe("np functions through transformations", () => {
  it("vmap of vmap with a closure over the outer batched value equals the outer product", () => {
    const xs = f64([1, 2, 3]);
    const ys = f64([10, 20]);
    const out = vmap((x: Tensor) => vmap((y: Tensor) => np.multiply(x, y))(ys))(xs) as Tensor;
    expect(out.toArray()).toEqual([[10, 20], [20, 40], [30, 60]]);
  });

  it("grad flows through functional index updates, take, concatenate and sort", () => {
    const f = (v: Tensor) => {
      const u = np.at(v, 1).set(np.multiply(np.take(v, 0), 3)); // [v0, 3 v0, v2]
      const w = np.concatenate([u, np.sort(v)]); // sort(v) is a permutation of v
      return np.sum(np.square(w));
    };
    const v = f64([0.5, -2, 1.5]);
    // d/dv0 [v0^2 + 9 v0^2 + v2^2 + v0^2 + v1^2 + v2^2] = 22 v0; d/dv1 = 2 v1; d/dv2 = 4 v2
    expect((grad(f)(v) as Tensor).toArray()).toEqual([11, -4, 6]);
  });
});
