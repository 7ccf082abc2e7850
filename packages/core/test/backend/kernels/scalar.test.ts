import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as s from "../../../src/backend/kernels/scalar.js";

describe("scalar semantics", () => {
  it("roundHalfEven rounds ties to even, other values to nearest", () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999, 2.5001].map(s.roundHalfEven)).toEqual([0, 2, 2, -0, -2, -2, 2, 3]);
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), (v) => {
        const r = s.roundHalfEven(v);
        expect(Math.abs(r - v)).toBeLessThanOrEqual(0.5);
        if (Math.abs(r - v) === 0.5) expect(r % 2 === 0).toBe(true);
      }),
    );
  });

  it("sign and logistic", () => {
    expect([-3, 0, 4].map(s.sign)).toEqual([-1, 0, 1]);
    expect(Object.is(s.sign(-0), -0)).toBe(true);
    expect(s.sign(NaN)).toBeNaN();
    expect(s.logistic(0)).toBe(0.5);
    expect(s.logistic(-800)).toBe(0);
    expect(s.logistic(800)).toBe(1);
    expect(s.logistic(-40)).toBeCloseTo(Math.exp(-40), 30);
  });

  it("integer division, remainder and powers follow C / XLA", () => {
    expect(s.truncatingDivide(-7, 2)).toBe(-3);
    expect(s.truncatingDivide(5, 0)).toBe(-1);
    expect(s.truncatingRemainder(-7, 2)).toBe(-1);
    expect(s.truncatingRemainder(5, 0)).toBe(5);
    expect(Object.is(s.truncatingRemainder(-4, 2), 0)).toBe(true);
    expect(s.integerPower(3, 4, "int32")).toBe(81);
    expect(s.integerPower(2, 32, "int32")).toBe(0);
    expect(s.integerPower(3, 21, "uint32")).toBe(3 ** 21 % 2 ** 32);
    expect(s.integerPower(-1, -3, "int32")).toBe(-1);
    expect(s.integerPower(2, -1, "int32")).toBe(0);
    expect(s.wrappingMultiply(65536, 65536)).toBe(0);
  });

  it("shifts with out-of-range amounts", () => {
    expect(s.shiftLeft(1, 32)).toBe(0);
    expect(s.shiftRightLogical(-1, 28)).toBe(15);
    expect(s.shiftRightLogical(-1, -1)).toBe(0);
    expect(s.shiftRightArithmetic(-8, 100)).toBe(-1);
    expect(s.shiftRightArithmetic(8, 32)).toBe(0);
  });
});
