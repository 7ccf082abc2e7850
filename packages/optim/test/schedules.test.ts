import { describe, expect, it } from "vitest";
import { np, Tensor } from "@connex/core";
import {
  constantSchedule,
  cosineDecaySchedule,
  exponentialDecay,
  joinSchedules,
  linearSchedule,
  OptimError,
  piecewiseConstantSchedule,
  polynomialSchedule,
  warmupCosineDecaySchedule,
  type Schedule,
} from "../src/index.js";

/** The schedule at `counts`, as numbers and as int32 tensor counts, both compared to `expected`. */
function expectValues(schedule: Schedule, counts: number[], expected: (c: number) => number): void {
  for (const c of counts) {
    const want = expected(c);
    expect(schedule(c)).toBeCloseTo(want, 12);
    const fromTensor = schedule(np.array(c, { dtype: "int32" }));
    expect(fromTensor).toBeInstanceOf(Tensor);
    expect(fromTensor.shape).toEqual([]);
    expect(fromTensor.item()).toBeCloseTo(want, 12);
  }
}

const COUNTS = [0, 1, 2, 3, 5, 7, 10, 11, 15, 20, 40];

describe("constantSchedule", () => {
  it("is constant", () => expectValues(constantSchedule(0.3), COUNTS, () => 0.3));
});

describe("polynomialSchedule / linearSchedule", () => {
  it("interpolates after transitionBegin, then holds endValue", () =>
    expectValues(linearSchedule({ initValue: 1, endValue: 0.2, transitionSteps: 8, transitionBegin: 2 }), COUNTS, (c) => {
      const k = Math.min(Math.max(c - 2, 0), 8);
      return 0.8 * (1 - k / 8) + 0.2;
    }));
  it("applies the power", () =>
    expectValues(polynomialSchedule({ initValue: 2, endValue: 0, power: 3, transitionSteps: 10 }), COUNTS, (c) => {
      const k = Math.min(c, 10);
      return 2 * (1 - k / 10) ** 3;
    }));
  it("transitionSteps <= 0 gives the constant initValue (as Optax)", () =>
    expectValues(linearSchedule({ initValue: 0.5, endValue: 0, transitionSteps: 0 }), COUNTS, () => 0.5));
});

describe("exponentialDecay", () => {
  it("decays continuously", () =>
    expectValues(exponentialDecay({ initValue: 2, transitionSteps: 4, decayRate: 0.5 }), COUNTS, (c) => 2 * 0.5 ** (c / 4)));
  it("staircase, transitionBegin and an end value floor", () =>
    expectValues(
      exponentialDecay({ initValue: 1, transitionSteps: 3, decayRate: 0.1, transitionBegin: 2, staircase: true, endValue: 1e-3 }),
      COUNTS,
      (c) => (c <= 2 ? 1 : Math.max(0.1 ** Math.floor((c - 2) / 3), 1e-3)),
    ));
  it("a growth rate with an end value ceiling", () =>
    expectValues(exponentialDecay({ initValue: 1, transitionSteps: 1, decayRate: 2, endValue: 100 }), COUNTS, (c) =>
      Math.min(2 ** c, 100),
    ));
  it("decayRate 0 gives the constant initValue (as Optax)", () =>
    expectValues(exponentialDecay({ initValue: 0.7, transitionSteps: 5, decayRate: 0 }), COUNTS, () => 0.7));
});

describe("cosineDecaySchedule", () => {
  it("follows the half cosine to alpha * initValue", () =>
    expectValues(cosineDecaySchedule({ initValue: 0.5, decaySteps: 10, alpha: 0.1 }), COUNTS, (c) => {
      const k = Math.min(c, 10);
      return 0.5 * (0.9 * 0.5 * (1 + Math.cos((Math.PI * k) / 10)) + 0.1);
    }));
  it("with an exponent", () =>
    expectValues(cosineDecaySchedule({ initValue: 1, decaySteps: 20, exponent: 2 }), COUNTS, (c) => {
      const k = Math.min(c, 20);
      return (0.5 * (1 + Math.cos((Math.PI * k) / 20))) ** 2;
    }));
  it("rejects decaySteps <= 0", () => {
    expect(() => cosineDecaySchedule({ initValue: 1, decaySteps: 0 })).toThrow(OptimError);
    expect(() => cosineDecaySchedule({ initValue: 1, decaySteps: 0 })).toThrow(/cosineDecaySchedule: decaySteps must be > 0, got 0/);
  });
});

describe("warmupCosineDecaySchedule", () => {
  it("warms up linearly, then decays to endValue", () =>
    expectValues(
      warmupCosineDecaySchedule({ initValue: 0.01, peakValue: 1, warmupSteps: 5, decaySteps: 15, endValue: 0.1 }),
      COUNTS,
      (c) => {
        if (c < 5) return 0.99 * (c / 5) + 0.01;
        const k = Math.min(c - 5, 10);
        return 0.9 * 0.5 * (1 + Math.cos((Math.PI * k) / 10)) + 0.1;
      },
    ));
  it("rejects decaySteps <= warmupSteps", () =>
    expect(() => warmupCosineDecaySchedule({ initValue: 0, peakValue: 1, warmupSteps: 5, decaySteps: 5 })).toThrow(
      /warmupCosineDecaySchedule: decaySteps \(5\) must be greater than warmupSteps \(5\)/,
    ));
});

describe("piecewiseConstantSchedule", () => {
  const expected = (c: number): number => (c < 3 ? 2 : c < 10 ? 2 * 0.5 : 2 * 0.5 * 0.1);
  it("scales from each boundary on (object form, unsorted keys)", () =>
    expectValues(piecewiseConstantSchedule({ initValue: 2, boundariesAndScales: { 10: 0.1, 3: 0.5 } }), COUNTS, expected));
  it("accepts a Map and pairs", () => {
    expectValues(piecewiseConstantSchedule({ initValue: 2, boundariesAndScales: new Map([[3, 0.5], [10, 0.1]]) }), COUNTS, expected);
    expectValues(piecewiseConstantSchedule({ initValue: 2, boundariesAndScales: [[10, 0.1], [3, 0.5]] }), COUNTS, expected);
  });
  it("rejects negative scales", () =>
    expect(() => piecewiseConstantSchedule({ initValue: 1, boundariesAndScales: { 5: -1 } })).toThrow(
      /piecewiseConstantSchedule: scales must be >= 0, got -1 at boundary 5/,
    ));
});

describe("joinSchedules", () => {
  it("switches at the boundaries and restarts the count of each piece", () => {
    const joined = joinSchedules(
      [constantSchedule(1), linearSchedule({ initValue: 0, endValue: 1, transitionSteps: 4 }), (c: Tensor) => np.multiply(c, 10)],
      [5, 12],
    );
    expectValues(joined, COUNTS, (c) => (c < 5 ? 1 : c < 12 ? Math.min(c - 5, 4) / 4 : 10 * (c - 12)));
  });
  it("user schedules returning numbers keep float64 precision", () => {
    const joined = joinSchedules([() => 0.1, () => 0.3], [2]);
    expect(joined(0)).toBe(0.1);
    expect(joined(2)).toBe(0.3);
  });
  it("checks the number of boundaries", () =>
    expect(() => joinSchedules([constantSchedule(1), constantSchedule(2)], [])).toThrow(
      /joinSchedules: 2 schedules need 1 boundaries, got 0/,
    ));
});

describe("schedule arguments", () => {
  it("rejects non-finite hyperparameters and counts", () => {
    expect(() => exponentialDecay({ initValue: NaN, transitionSteps: 1, decayRate: 0.5 })).toThrow(
      /exponentialDecay: initValue must be a finite number, got NaN/,
    );
    expect(() => constantSchedule(1)(Infinity)).toThrow(/constantSchedule: count must be a finite number/);
    expect(() => constantSchedule(1)("3" as unknown as number)).toThrow(/constantSchedule: the step count must be a number or a tensor/);
  });
  it("a float32 tensor count works too (the result is float64)", () => {
    const value = exponentialDecay({ initValue: 1, transitionSteps: 2, decayRate: 0.5 })(np.array(3, { dtype: "float32" }));
    expect(value.dtype).toBe("float64");
    expect(value.item()).toBeCloseTo(0.5 ** 1.5, 14);
  });
});

describe("schedules on traced counts", () => {
  it("work under vmap (np ops, no host-side Math on the count)", async () => {
    const { vmap } = await import("@connex/autodiff");
    const schedules: [Schedule, number[]][] = [
      [exponentialDecay({ initValue: 1, transitionSteps: 3, decayRate: 0.5, staircase: true, transitionBegin: 1 }), []],
      [warmupCosineDecaySchedule({ initValue: 0, peakValue: 1, warmupSteps: 4, decaySteps: 12 }), []],
      [piecewiseConstantSchedule({ initValue: 1, boundariesAndScales: { 3: 0.5, 8: 0.5 } }), []],
      [linearSchedule({ initValue: 1, endValue: 0, transitionSteps: 10 }), []],
    ];
    const counts = np.arange(0, 14, 1, { dtype: "int32" });
    for (const [schedule] of schedules) {
      const batched = vmap((c: Tensor) => schedule(c))(counts) as Tensor;
      const expected = Array.from({ length: 14 }, (_, c) => schedule(c));
      expect(batched.shape).toEqual([14]);
      Array.from(batched.toTypedArray()).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 12));
    }
  });
});
