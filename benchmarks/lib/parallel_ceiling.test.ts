import { describe, expect, it } from "vitest";
import { ceilingRatio, measureParallelCeiling, parallelCeilingRows, ParallelCeilingRecorder, STREAM_BYTES } from "./parallel_ceiling.js";

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

  it("times the memory-streaming loop the same way", async () => {
    const r = await measureParallelCeiling(2, 1, "stream");
    expect(r.manyMs).toHaveLength(2);
    expect(r.oneMs).toBeGreaterThan(0);
    expect(r.ratio).toBe(Math.max(...r.manyMs) / (2 * r.oneMs));
  });

  it("rejects a thread count below 2, a non-positive loop length and an unknown loop, naming them", async () => {
    await expect(measureParallelCeiling(2, 1, "cache" as never)).rejects.toThrow(/kind must be "compute" or "stream", got "cache"/);
    await expect(measureParallelCeiling(1, 1000)).rejects.toThrow(/threads must be an integer >= 2, got 1/);
    await expect(measureParallelCeiling(2.5, 1000)).rejects.toThrow(RangeError);
    await expect(measureParallelCeiling(2, 0)).rejects.toThrow(/n must be a positive integer, got 0/);
  });
});

describe("parallelCeilingRows", () => {
  it("gives each loop's rows, one thread then N at once with its ratio, and none before a round", () => {
    const recorder = new ParallelCeilingRecorder(2, true);
    expect(parallelCeilingRows("s", recorder)).toEqual([]);
    recorder.rounds.push({ threads: 2, oneMs: 100, manyMs: [110, 104], ratio: 0.55 });
    recorder.streamRounds.push({ threads: 2, oneMs: 50, manyMs: [90, 95], ratio: 0.95 });
    const rows = parallelCeilingRows("s", recorder);
    expect(rows.map((r) => r.variant)).toEqual([
      "machine ceiling: 2 copies of a floating-point loop (no memory traffic), 1 thread",
      "machine ceiling: 2 copies of a floating-point loop (no memory traffic), 2 threads at once",
      `machine ceiling: 2 copies of a memory-streaming loop (${STREAM_BYTES >> 20} MiB arrays per thread), 1 thread`,
      `machine ceiling: 2 copies of a memory-streaming loop (${STREAM_BYTES >> 20} MiB arrays per thread), 2 threads at once`,
    ]);
    expect(rows.map((r) => r.median)).toEqual([200, 110, 100, 95]);
    expect(rows[1]!.ratios?.[0]?.value).toBeCloseTo(0.55, 12);
    expect(rows[3]!.ratios?.[0]?.value).toBeCloseTo(0.95, 12);
  });
});
