import { describe, expect, it } from "vitest";
import { formatNumber, formatTable, withRatio, type ResultRow } from "./report.js";

const ours: ResultRow = { suite: "step", variant: "connex jit", median: 30, unit: "ms/step" };
const tfjs: ResultRow = { suite: "step", variant: "tfjs-wasm", median: 60, unit: "ms/step" };

describe("withRatio", () => {
  it("appends median / reference median, leaving the input row as it was", () => {
    const before = structuredClone(ours);
    const out = withRatio(ours, tfjs);
    expect(out.ratios).toEqual([{ to: "tfjs-wasm", value: 0.5 }]);
    expect(out.met).toBeUndefined();
    expect(ours).toEqual(before);
  });

  it("records whether a target is met", () => {
    expect(withRatio(ours, tfjs, { max: 0.5 })).toMatchObject({ target: "<= 0.5x tfjs-wasm", met: true });
    expect(withRatio(ours, tfjs, { max: 0.4 })).toMatchObject({ met: false });
  });

  it("accumulates ratios to several references and can name the reference", () => {
    const numpy: ResultRow = { ...tfjs, variant: "numpy", median: 10 };
    const out = withRatio(withRatio(ours, tfjs), numpy, { label: "NumPy" });
    expect(out.ratios).toEqual([
      { to: "tfjs-wasm", value: 0.5 },
      { to: "NumPy", value: 3 },
    ]);
  });

  it("refuses to compare different units unless asked to", () => {
    const epoch: ResultRow = { suite: "step", variant: "neataptic", median: 0.5, unit: "ms/epoch" };
    expect(() => withRatio(ours, epoch)).toThrow(/cannot compare connex jit \(ms\/step\) with neataptic \(ms\/epoch\)/);
    expect(withRatio(ours, epoch, { allowUnits: true }).ratios![0]!.value).toBe(60);
  });
});

describe("formatNumber", () => {
  it("keeps three significant digits", () => {
    expect(formatNumber(0.012345)).toBe("0.0123");
    expect(formatNumber(1.2345)).toBe("1.23");
    expect(formatNumber(123.45)).toBe("123");
    expect(formatNumber(12345.6)).toBe("12346");
    expect(formatNumber(0)).toBe("0");
    expect(formatNumber(-2.5)).toBe("-2.50");
    expect(formatNumber(Number.NaN)).toBe("NaN");
  });
});

describe("formatTable", () => {
  it("prints a header, one line per row, ratios, targets, and a blank line between suites", () => {
    const rows = [withRatio(ours, tfjs, { max: 1 }), tfjs, { suite: "other", variant: "x", median: 2, unit: "MB" }];
    const lines = formatTable(rows).split("\n");
    expect(lines[0]).toMatch(/^suite\s+variant\s+median\s+unit\s+ratio\s+target\s+ok$/);
    expect(lines[2]).toMatch(/connex jit\s+30.0\s+ms\/step\s+0.500x tfjs-wasm\s+<= 1x tfjs-wasm\s+yes$/);
    expect(lines[3]).toMatch(/tfjs-wasm\s+60.0\s+ms\/step$/);
    expect(lines[4]).toBe("");
    expect(lines[5]).toMatch(/^other\s+x\s+2.00\s+MB$/);
    expect(formatTable([withRatio(ours, tfjs, { max: 0.1 })])).toMatch(/NO$/);
  });
});
