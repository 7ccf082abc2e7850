import { describe, expect, it } from "vitest";
import { formatLoss } from "../../src/viz/format_loss.js";

describe("viz.formatLoss", () => {
  it("formats losses compactly: 4 significant digits, exponent form below 1e-3 and from 1e5", () => {
    expect(formatLoss(0.000123456)).toBe("1.235e-4");
    expect(formatLoss(0.5)).toBe("0.5000");
    expect(formatLoss(123456)).toBe("1.235e5");
    expect(formatLoss(undefined)).toBe("-");
    expect(formatLoss(Number.NaN)).toBe("NaN");
  });

  it("keeps zero, negatives and infinities readable", () => {
    expect(formatLoss(0)).toBe("0.000");
    expect(formatLoss(-0.25)).toBe("-0.2500");
    expect(formatLoss(Number.POSITIVE_INFINITY)).toBe("Infinity");
  });
});
