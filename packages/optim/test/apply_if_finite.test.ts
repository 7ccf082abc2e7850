import { describe, expect, it } from "vitest";
import { np, Tensor } from "@connex/core";
import { applyIfFinite, OptimError, sgd, type ApplyIfFiniteState } from "../src/index.js";

const f64 = (x: number[]): Tensor => np.array(x, { dtype: "float64" });

describe("applyIfFinite", () => {
  it("skips non-finite steps (zero updates, inner state kept), then applies after too many in a row", () => {
    const opt = applyIfFinite(sgd(1, { momentum: 0.5 }), 2);
    const params = { w: f64([0, 0]), frozen: null };
    let state = opt.init(params);
    const step = (g: number[]) => {
      const [u, s] = opt.update({ w: f64(g), frozen: null }, state, params);
      state = s;
      expect(u.frozen).toBeNull();
      return u.w.toArray() as number[];
    };
    const counters = (s: ApplyIfFiniteState) => [s.notfiniteCount.item(), s.lastFinite.item(), s.totalNotfinite.item()];

    expect(step([1, 2])).toEqual([-1, -2]);
    expect(counters(state)).toEqual([0, 1, 0]);
    expect(step([NaN, 1])).toEqual([0, 0]);
    expect(counters(state)).toEqual([1, 0, 1]);
    expect(step([1, Infinity])).toEqual([0, 0]);
    expect(counters(state)).toEqual([2, 0, 2]);
    // The momentum was not touched by the two skipped steps: trace = 1 + 0.5 * 1.
    expect(step([1, 2])).toEqual([-1.5, -3]);
    expect(counters(state)).toEqual([0, 1, 2]);
    step([NaN, 0]);
    step([NaN, 0]);
    // A third bad step in a row exceeds maxConsecutiveErrors = 2 and goes through.
    const third = step([NaN, 0]);
    expect(Number.isNaN(third[0])).toBe(true);
    expect(counters(state)).toEqual([3, 0, 5]);
  });
  it("validates maxConsecutiveErrors", () => {
    expect(() => applyIfFinite(sgd(1), -1)).toThrow(OptimError);
    expect(() => applyIfFinite(sgd(1), 1.5)).toThrow(/applyIfFinite: maxConsecutiveErrors must be an integer, got 1.5/);
  });
});
