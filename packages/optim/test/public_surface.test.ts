/**
 * The calling conventions over optim's whole public surface, one table entry per export: a
 * wrong-typed argument (a learning rate that is neither a number nor a schedule, a string
 * hyperparameter) and an unknown option name (`beta1` for `b1`) throw an `OptimError` naming
 * it, at construction. The table must list every export, so a new export fails here until it
 * is audited.
 */
import { describe, expect, it } from "vitest";
import { CoreError, np } from "@connex/core";
import * as optim from "../src/index.js";
import { OptimError } from "../src/index.js";

interface Entry {
  /** A call with an argument of the wrong type. */
  wrong?: () => unknown;
  /** A call with the option name `bogus`. */
  unknown?: () => unknown;
  /** Why an export has no call checks. */
  note?: string;
}

const bogus = { bogus: 1 } as never;
const str = "0.1" as never;
const withLr = (f: (lr: never, options?: never) => unknown): Entry => ({ wrong: () => f(str), unknown: () => f(1e-3 as never, bogus) });
const withOptions = (f: (options?: never) => unknown): Entry => ({ wrong: () => f({ [firstKey(f)]: str } as never), unknown: () => f(bogus) });
const schedule = (f: (options: never) => unknown, valid: Record<string, unknown>): Entry => ({
  wrong: () => f({ ...valid, initValue: str } as never),
  unknown: () => f({ ...valid, bogus: 1 } as never),
});
/** The first hyperparameter of each options-only transformation (given a string in the wrong-type check). */
function firstKey(f: unknown): string {
  const keys = new Map<unknown, string>([
    [optim.scaleByAdam, "b1"],
    [optim.scaleByRms, "decay"],
    [optim.scaleByStddev, "decay"],
    [optim.scaleByRss, "eps"],
    [optim.scaleByLion, "b1"],
    [optim.addDecayedWeights, "weightDecay"],
  ]);
  return keys.get(f) ?? "bogus";
}

const table: Record<keyof typeof optim, Entry> = {
  applyUpdates: { wrong: () => optim.applyUpdates([np.ones([1])], str) },
  OptimError: { note: "error class" },
  chain: { wrong: () => optim.chain(str) },
  identity: { note: "takes no argument" },
  globalNorm: { note: "takes any pytree: non-array leaves (static fields) count as absent by design" },
  safeInt32Increment: { wrong: () => optim.safeInt32Increment(str) },
  scale: { wrong: () => optim.scale(str) },
  scaleByLearningRate: withLr(optim.scaleByLearningRate),
  scaleBySchedule: { wrong: () => optim.scaleBySchedule(str) },
  setToZero: { note: "takes no argument" },
  scaleByAdam: withOptions(optim.scaleByAdam),
  trace: { wrong: () => optim.trace({ decay: str }), unknown: () => optim.trace({ decay: 0.9, ...(bogus as object) }) },
  scaleByRms: withOptions(optim.scaleByRms),
  scaleByStddev: withOptions(optim.scaleByStddev),
  scaleByRss: withOptions(optim.scaleByRss),
  scaleByLion: withOptions(optim.scaleByLion),
  clip: { wrong: () => optim.clip(str) },
  clipByGlobalNorm: { wrong: () => optim.clipByGlobalNorm(str) },
  addDecayedWeights: withOptions(optim.addDecayedWeights),
  maskedTransform: { wrong: () => optim.maskedTransform(str, {}) },
  masked: { wrong: () => optim.masked(str, {}) },
  multiTransform: { wrong: () => optim.multiTransform(str, {}) },
  applyIfFinite: { wrong: () => optim.applyIfFinite(optim.identity(), str) },
  constantSchedule: { wrong: () => optim.constantSchedule(str) },
  polynomialSchedule: schedule(optim.polynomialSchedule, { initValue: 1, endValue: 0, power: 1, transitionSteps: 10 }),
  linearSchedule: schedule(optim.linearSchedule, { initValue: 1, endValue: 0, transitionSteps: 10 }),
  exponentialDecay: schedule(optim.exponentialDecay, { initValue: 1, transitionSteps: 10, decayRate: 0.5 }),
  cosineDecaySchedule: schedule(optim.cosineDecaySchedule, { initValue: 1, decaySteps: 10 }),
  warmupCosineDecaySchedule: schedule(optim.warmupCosineDecaySchedule, { initValue: 0, peakValue: 1, warmupSteps: 2, decaySteps: 10 }),
  piecewiseConstantSchedule: schedule(optim.piecewiseConstantSchedule, { initValue: 1 }),
  joinSchedules: { wrong: () => optim.joinSchedules(str, []) },
  sgd: withLr(optim.sgd),
  adam: withLr(optim.adam),
  adamw: withLr(optim.adamw),
  rmsprop: withLr(optim.rmsprop),
  adagrad: withLr(optim.adagrad),
  lion: withLr(optim.lion),
  softmaxCrossEntropy: {
    wrong: () => optim.softmaxCrossEntropy(np.zeros([2, 3]), np.zeros([2, 3]), str),
    unknown: () => optim.softmaxCrossEntropy(np.zeros([2, 3]), np.zeros([2, 3]), bogus),
  },
  softmaxCrossEntropyWithIntegerLabels: {
    wrong: () => optim.softmaxCrossEntropyWithIntegerLabels(np.zeros([2, 3]), str),
    unknown: () => optim.softmaxCrossEntropyWithIntegerLabels(np.zeros([2, 3]), np.zeros([2], { dtype: "int32" }), bogus),
  },
  sigmoidBinaryCrossEntropy: { wrong: () => optim.sigmoidBinaryCrossEntropy(str, np.zeros([2])) },
  squaredError: { wrong: () => optim.squaredError(str) },
  l2Loss: { wrong: () => optim.l2Loss(np.zeros([2]), str) },
};

describe("@connex/optim public surface", () => {
  it("has one table entry per export, and none for names it does not export", () => {
    expect(Object.keys(table).sort()).toEqual(Object.keys(optim).sort());
  });
  const entries = Object.entries(table);
  it("every function has a wrong-type check or a note saying why not", () => {
    for (const [name, e] of entries) expect(e.wrong !== undefined || e.note !== undefined, name).toBe(true);
  });
  it.each(entries.filter(([, e]) => e.wrong !== undefined))("%s rejects a wrong-typed argument with a typed error", (_n, e) => {
    // OptimError for optim's own checks; core's typed errors where the argument reaches np first.
    let thrown: unknown;
    try {
      e.wrong!();
    } catch (err) {
      thrown = err;
    }
    expect(thrown instanceof OptimError || thrown instanceof CoreError, String(thrown)).toBe(true);
  });
  it.each(entries.filter(([, e]) => e.unknown !== undefined))("%s rejects an unknown option, naming it and itself", (name, e) => {
    expect(e.unknown!).toThrow(OptimError);
    expect(e.unknown!).toThrow(/unknown option "bogus"/);
    expect(e.unknown!).toThrow(new RegExp(`^${name}:`));
  });
  it("the softmax cross-entropies take the class axis positionally or as { axis }", () => {
    const logits = np.array([[2, 1], [0.5, 3], [1, 1]]);
    const labels = np.array([[1, 0], [0, 1], [0, 0]]);
    expect(optim.softmaxCrossEntropy(logits, labels, 0).toArray()).toEqual(optim.softmaxCrossEntropy(logits, labels, { axis: 0 }).toArray());
    const ints = np.array([0, 2], { dtype: "int32" });
    expect(optim.softmaxCrossEntropyWithIntegerLabels(logits, ints, 0).toArray()).toEqual(optim.softmaxCrossEntropyWithIntegerLabels(logits, ints, { axis: 0 }).toArray());
  });
  it("adam(1e-3, { beta1 }) names beta1 and lists the known names", () => {
    expect(() => optim.adam(1e-3, { beta1: 0.9 } as never)).toThrow(/adam: unknown option "beta1" \(known: b1, b2/);
  });
});
