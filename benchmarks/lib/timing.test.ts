import { describe, expect, it } from "vitest";
import { calibratedPlan, median, timeCalls, timeOnce } from "./timing.js";

describe("median", () => {
  it("is the middle value (odd count) or the mean of the middle two (even count)", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it("does not reorder its input", () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it("rejects an empty list", () => {
    expect(() => median([])).toThrow(/median: no values/);
  });
});

describe("timeCalls", () => {
  it("makes warmup + rounds * iterations calls and reports one figure per round", () => {
    let calls = 0;
    const { medianMs, roundsMs } = timeCalls(() => void calls++, { warmup: 3, rounds: 4, iterations: 5 });
    expect(calls).toBe(3 + 4 * 5);
    expect(roundsMs).toHaveLength(4);
    expect(medianMs).toBe(median(roundsMs));
    expect(roundsMs.every((ms) => ms >= 0)).toBe(true);
  });

  it("measures time per call, not per round", () => {
    const busyMs = (ms: number) => {
      const end = performance.now() + ms;
      while (performance.now() < end);
    };
    const { medianMs } = timeCalls(() => busyMs(2), { warmup: 0, rounds: 3, iterations: 4 });
    expect(medianMs).toBeGreaterThanOrEqual(2);
    expect(medianMs).toBeLessThan(50); // generous: shared machines preempt
  });

  it("rejects plans that cannot produce a figure", () => {
    expect(() => timeCalls(() => {}, { warmup: 0, rounds: 0, iterations: 1 })).toThrow(/rounds must be an integer >= 1, got 0/);
    expect(() => timeCalls(() => {}, { warmup: -1, rounds: 1, iterations: 1 })).toThrow(/warmup must be an integer >= 0/);
    expect(() => timeCalls(() => {}, { warmup: 0, rounds: 1, iterations: 1.5 })).toThrow(/iterations must be an integer >= 1, got 1.5/);
  });
});

describe("timeOnce", () => {
  it("calls the function the given number of times", () => {
    let calls = 0;
    expect(timeOnce(() => void calls++, 7)).toBeGreaterThanOrEqual(0);
    expect(calls).toBe(7);
  });

  it("rejects a non-positive call count", () => {
    expect(() => timeOnce(() => {}, 0)).toThrow(/iterations must be an integer >= 1, got 0/);
  });
});

describe("calibratedPlan", () => {
  it("gives slow functions fewer calls per round than fast ones", () => {
    const slow = () => {
      const end = performance.now() + 2;
      while (performance.now() < end);
    };
    const slowPlan = calibratedPlan(slow, { roundMs: 10, rounds: 3, warmup: 0 });
    const fastPlan = calibratedPlan(() => Math.sqrt(2), { roundMs: 10, rounds: 3, warmup: 0 });
    expect(slowPlan.iterations).toBeLessThanOrEqual(5);
    expect(fastPlan.iterations).toBeGreaterThan(slowPlan.iterations);
    expect(slowPlan.rounds).toBe(3);
  });
});
