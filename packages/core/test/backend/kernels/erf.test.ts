import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { erf, erfc, erfinvFloat32, erfinvFloat64 } from "../../../src/backend/kernels/erf.js";

describe("erf and erfc", () => {
  it("known values (math.erf / math.erfc)", () => {
    expect(erf(0.5)).toBeCloseTo(0.5204998778130465, 15);
    expect(erf(-2)).toBeCloseTo(-0.9953222650189527, 15);
    expect(Object.is(erf(-0), -0)).toBe(true);
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erf(NaN)).toBeNaN();
    // erfc keeps relative precision in the tail, where 1 - erf would round to 0.
    expect(Math.abs(erfc(5) / 1.5374597944280351e-12 - 1)).toBeLessThan(1e-14);
    expect(Math.abs(erfc(10) / 2.088487583762545e-45 - 1)).toBeLessThan(1e-14);
    expect(erfc(30)).toBe(0);
    expect(erfc(-1)).toBeCloseTo(1.842700792949715, 15);
  });

  it("is odd and increasing, with erf + erfc = 1", () => {
    fc.assert(
      fc.property(fc.double({ min: -8, max: 8, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (x, dx) => {
        expect(erf(-x)).toBe(-erf(x));
        expect(erf(x + dx)).toBeGreaterThanOrEqual(erf(x));
        expect(Math.abs(erf(x) + erfc(x) - 1)).toBeLessThan(1e-15);
      }),
    );
  });
});

describe("erfinv", () => {
  it("inverts erf to full float64 precision (checked through erfc in the tails)", () => {
    fc.assert(
      fc.property(fc.double({ min: -1, max: 1, noNaN: true, minExcluded: true, maxExcluded: true }), (y) => {
        const x = erfinvFloat64(y);
        if (Math.abs(y) <= 0.5) expect(Math.abs(erf(x) - y)).toBeLessThanOrEqual(2.3e-16 * Math.max(Math.abs(y), 1e-300) * 4);
        else expect(Math.abs(erfc(Math.abs(x)) / (1 - Math.abs(y)) - 1)).toBeLessThan(1e-13);
      }),
    );
  });

  it("float32 follows Giles' polynomial to ~2 ulp of the true value", () => {
    for (const y of [0.1, 0.5, -0.7, 0.99, 0.999999, 1 - 2 ** -24]) {
      const want = erfinvFloat64(Math.fround(y));
      expect(Math.abs(erfinvFloat32(y) - want) / want).toBeLessThan(3e-6);
      expect(Math.fround(erfinvFloat32(y))).toBe(erfinvFloat32(y));
    }
  });

  it("edge values in both precisions", () => {
    for (const f of [erfinvFloat32, erfinvFloat64]) {
      expect(f(1)).toBe(Infinity);
      expect(f(-1)).toBe(-Infinity);
      expect(f(1.5)).toBeNaN();
      expect(f(NaN)).toBeNaN();
      expect(f(0)).toBe(0);
    }
    expect(erfinvFloat64(1e-300)).toBeCloseTo((Math.sqrt(Math.PI) / 2) * 1e-300, 310);
  });
});
