import { describe, expect, it } from "vitest";
import { np, Tensor } from "@connex/core";
import { clip, clipByGlobalNorm, globalNorm, OptimError } from "../src/index.js";

const f64 = (x: number | number[]): Tensor => np.array(x, { dtype: "float64" });

describe("globalNorm", () => {
  it("is the L2 norm of all leaves together, nulls skipped", () => {
    expect(globalNorm({ a: f64([3, 0]), b: [f64(4), null], c: f64([12]) }).item()).toBeCloseTo(13, 14);
  });
  it("is 0 for a tree without tensors", () => expect(globalNorm({ a: null }).item()).toBe(0));
});

describe("clipByGlobalNorm", () => {
  it("rescales to maxNorm when the norm exceeds it", () => {
    const [u] = clipByGlobalNorm(1).update({ a: f64([3, 0]), b: f64([4]), c: null }, {});
    expect((u.a.toArray() as number[])[0]).toBeCloseTo(0.6, 15);
    expect((u.b.toArray() as number[])[0]).toBeCloseTo(0.8, 15);
    expect(u.c).toBeNull();
    expect(globalNorm(u).item()).toBeCloseTo(1, 14);
  });
  it("leaves updates within the bound alone", () => {
    const [u] = clipByGlobalNorm(10).update({ a: f64([3, 0]), b: f64([4]) }, {});
    expect(u.a.toArray()).toEqual([3, 0]);
    expect(u.b.toArray()).toEqual([4]);
  });
  it("keeps float32 updates float32", () => {
    const [u] = clipByGlobalNorm(1).update({ a: np.array([30, 40], { dtype: "float32" }) }, {});
    expect(u.a.dtype).toBe("float32");
    expect(u.a.toArray()).toEqual([Math.fround(0.6), Math.fround(0.8)]);
  });
  it("rejects maxNorm <= 0", () => {
    expect(() => clipByGlobalNorm(0)).toThrow(OptimError);
    expect(() => clipByGlobalNorm(-1)).toThrow(/clipByGlobalNorm: maxNorm must be > 0, got -1/);
  });
});

describe("clip", () => {
  it("clips elementwise to [-maxDelta, maxDelta]", () => {
    const [u] = clip(1).update({ a: f64([-3, 0.5, 2]), b: null }, {});
    expect(u.a.toArray()).toEqual([-1, 0.5, 1]);
    expect(u.b).toBeNull();
  });
  it("rejects a negative maxDelta", () => expect(() => clip(-0.1)).toThrow(/clip: maxDelta must be >= 0, got -0.1/));
});
