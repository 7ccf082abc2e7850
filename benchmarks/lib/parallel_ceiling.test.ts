import { describe, expect, it } from "vitest";
import { ceilingRatio, measureParallelCeiling } from "./parallel_ceiling.js";

describe("ceilingRatio", () => {
  it("is the slowest thread's time over the threads' work done on one thread", () => {
    expect(ceilingRatio(100, [100, 110])).toBeCloseTo(0.55, 12);
    expect(ceilingRatio(100, [50, 200, 100])).toBeCloseTo(200 / 300, 12);
    // One thread at once: the same loop, the same time.
    expect(ceilingRatio(80, [80])).toBe(1);
  });

  it("refuses times that are not positive, naming them", () => {
    expect(() => ceilingRatio(0, [1, 1])).toThrow(/one 0/);
    expect(() => ceilingRatio(1, [])).toThrow(RangeError);
    expect(() => ceilingRatio(1, [1, Number.NaN])).toThrow(/many \[1, NaN\]/);
  });
});

describe("measureParallelCeiling", () => {
  it("times the loop on one thread and on each of N threads at once", async () => {
    const r = await measureParallelCeiling(2, 200_000);
    expect(r.threads).toBe(2);
    expect(r.oneMs).toBeGreaterThan(0);
    expect(r.manyMs).toHaveLength(2);
    for (const ms of r.manyMs) expect(ms).toBeGreaterThan(0);
    expect(r.ratio).toBe(Math.max(...r.manyMs) / (2 * r.oneMs));
  });

  it("rejects a thread count below 2 and a non-positive loop length", async () => {
    await expect(measureParallelCeiling(1, 1000)).rejects.toThrow(/threads must be an integer >= 2, got 1/);
    await expect(measureParallelCeiling(2.5, 1000)).rejects.toThrow(RangeError);
    await expect(measureParallelCeiling(2, 0)).rejects.toThrow(/n must be a positive integer, got 0/);
  });
});
