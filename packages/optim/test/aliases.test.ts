/**
 * Each optimiser alias, run for several steps on a nested float64 pytree, against its
 * published update rule written out here with plain JS numbers, element by element.
 */
import { describe, expect, it } from "vitest";
import { np, tree, Tensor, applyUpdates } from "@connex/core";
import {
  adagrad,
  adam,
  adamw,
  exponentialDecay,
  lion,
  OptimError,
  rmsprop,
  sgd,
  warmupCosineDecaySchedule,
  type GradientTransformation,
} from "../src/index.js";

// --- a nested parameter tree and deterministic gradients -----------------------------------

const SHAPES = { w: [2, 3], b: [3], s: [] as number[] };
const SIZES = { w: 6, b: 3, s: 1 };
const TOTAL = SIZES.w + SIZES.b + SIZES.s;

/** Params/gradients `{ dense: { w, b }, scale: s }` from flat values in leaf order w, b, s. */
function toTree(flat: readonly number[]): { dense: { w: Tensor; b: Tensor }; scale: Tensor } {
  const w = flat.slice(0, 6);
  const b = flat.slice(6, 9);
  const s = flat[9]!;
  return {
    dense: { w: np.reshape(np.array(w, { dtype: "float64" }), SHAPES.w), b: np.array(b, { dtype: "float64" }) },
    scale: np.array(s, { dtype: "float64" }),
  };
}

/** Flat values of such a tree, in the same leaf order. */
function flatValues(t: { dense: { w: Tensor; b: Tensor }; scale: Tensor }): number[] {
  return [...t.dense.w.toTypedArray(), ...t.dense.b.toTypedArray(), ...t.scale.toTypedArray()];
}

const INITIAL = [0.5, -1.2, 2.0, 0.3, -0.7, 1.1, 0.05, -0.4, 0.9, 1.5];

/** A gradient element for step `t` (1-based) and element `i`: varied signs and magnitudes. */
const gradientAt = (t: number, i: number): number => Math.sin(1.3 * t + 0.7 * i) * (0.2 + 0.3 * i) + 0.05 * (i - 4);

/** What one element goes through, per the published rule: `step` returns the parameter delta. */
interface ElementRule<S> {
  init(p: number): S;
  step(g: number, state: S, p: number, t: number): [number, S];
}

function expectClose(actual: readonly number[], expected: readonly number[], rtol = 1e-12, atol = 1e-15): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i]!;
    if (Math.abs(a - e) > atol + rtol * Math.abs(e)) {
      throw new Error(`element ${i}: got ${a}, expected ${e} (diff ${a - e})`);
    }
  });
}

/** Run `opt` and `rule` side by side for `steps` steps, comparing parameters after each. */
function checkAgainstRule<S>(opt: GradientTransformation, rule: ElementRule<S>, steps = 8): void {
  let params = toTree(INITIAL);
  let state = opt.init(params);
  let ref = INITIAL.slice();
  let refStates = ref.map((p) => rule.init(p));
  for (let t = 1; t <= steps; t++) {
    const g = Array.from({ length: TOTAL }, (_, i) => gradientAt(t, i));
    const [updates, newState] = opt.update(toTree(g), state, params);
    for (const u of tree.leaves(updates) as Tensor[]) expect(u.dtype).toBe("float64");
    params = applyUpdates(params, updates);
    state = newState;
    const next = ref.map((p, i) => rule.step(g[i]!, refStates[i]!, p, t));
    ref = ref.map((p, i) => p + next[i]![0]);
    refStates = next.map(([, s]) => s);
    expectClose(flatValues(params), ref);
  }
}

// --- the published rules ------------------------------------------------------------------

const sgdRule = (lr: (t: number) => number): ElementRule<null> => ({
  init: () => null,
  step: (g, _s, _p, t) => [-lr(t) * g, null],
});

/** Optax's `trace` form: `tr = g + mu * tr`, step `-lr * tr` (or `-lr * (g + mu * tr)`). */
const momentumRule = (lr: number, mu: number, nesterov: boolean): ElementRule<number> => ({
  init: () => 0,
  step: (g, tr, _p) => {
    const next = g + mu * tr;
    return [-lr * (nesterov ? g + mu * next : next), next];
  },
});

interface AdamState {
  m: number;
  v: number;
}
/** Adam with bias correction and eps outside the square root; AdamW adds `wd * p` inside the lr. */
const adamRule = (
  lr: (t: number) => number,
  { b1 = 0.9, b2 = 0.999, eps = 1e-8, epsRoot = 0, wd = 0 } = {},
): ElementRule<AdamState> => ({
  init: () => ({ m: 0, v: 0 }),
  step: (g, { m, v }, p, t) => {
    const m2 = b1 * m + (1 - b1) * g;
    const v2 = b2 * v + (1 - b2) * g * g;
    const mHat = m2 / (1 - b1 ** t);
    const vHat = v2 / (1 - b2 ** t);
    return [-lr(t) * (mHat / (Math.sqrt(vHat + epsRoot) + eps) + wd * p), { m: m2, v: v2 }];
  },
});

interface RmsState {
  v: number;
  m: number;
  tr: number;
}
const rmspropRule = (lr: number, { decay = 0.9, eps = 1e-8, centered = false, momentum = 0 } = {}): ElementRule<RmsState> => ({
  init: () => ({ v: 0, m: 0, tr: 0 }),
  step: (g, { v, m, tr }) => {
    const v2 = decay * v + (1 - decay) * g * g;
    const m2 = decay * m + (1 - decay) * g;
    const variance = centered ? v2 - m2 * m2 : v2;
    const step = -lr * (g / Math.sqrt(variance + eps));
    // Optax applies momentum after the learning rate: tr = step + momentum * tr.
    const tr2 = step + momentum * tr;
    return [momentum === 0 ? step : tr2, { v: v2, m: m2, tr: tr2 }];
  },
});

const adagradRule = (lr: number, initial = 0.1, eps = 1e-7): ElementRule<number> => ({
  init: () => initial,
  step: (g, s) => {
    const s2 = s + g * g;
    return [-lr * (g / Math.sqrt(s2 + eps)), s2];
  },
});

const lionRule = (lr: number, { b1 = 0.9, b2 = 0.99, wd = 1e-3 } = {}): ElementRule<number> => ({
  init: () => 0,
  step: (g, m, p) => [-lr * (Math.sign((1 - b1) * g + b1 * m) + wd * p), (1 - b2) * g + b2 * m],
});

// --- the checks -----------------------------------------------------------------------------

describe("sgd", () => {
  it("plain: p <- p - lr * g", () => checkAgainstRule(sgd(0.1), sgdRule(() => 0.1)));
  it("momentum in Optax's trace form", () => checkAgainstRule(sgd(0.05, { momentum: 0.9 }), momentumRule(0.05, 0.9, false)));
  it("nesterov momentum", () =>
    checkAgainstRule(sgd(0.05, { momentum: 0.8, nesterov: true }), momentumRule(0.05, 0.8, true)));
  it("a schedule: the first update uses count 0", () => {
    const schedule = exponentialDecay({ initValue: 0.2, transitionSteps: 2, decayRate: 0.5 });
    checkAgainstRule(sgd(schedule), sgdRule((t) => 0.2 * 0.5 ** ((t - 1) / 2)));
  });
});

describe("adam", () => {
  it("defaults: bias-corrected moments, eps outside the square root", () =>
    checkAgainstRule(adam(0.01), adamRule(() => 0.01)));
  it("a large eps and custom betas (eps placement shows)", () =>
    checkAgainstRule(adam(0.02, { b1: 0.5, b2: 0.8, eps: 0.1 }), adamRule(() => 0.02, { b1: 0.5, b2: 0.8, eps: 0.1 })));
  it("epsRoot goes inside the square root", () =>
    checkAgainstRule(adam(0.01, { epsRoot: 0.05 }), adamRule(() => 0.01, { epsRoot: 0.05 })));
  it("nesterov (NAdam): b1 * m / (1 - b1^(t+1)) + (1 - b1) * g / (1 - b1^t)", () => {
    const b1 = 0.9;
    const b2 = 0.999;
    const rule: ElementRule<AdamState> = {
      init: () => ({ m: 0, v: 0 }),
      step: (g, { m, v }, _p, t) => {
        const m2 = b1 * m + (1 - b1) * g;
        const v2 = b2 * v + (1 - b2) * g * g;
        const mHat = (b1 * m2) / (1 - b1 ** (t + 1)) + ((1 - b1) * g) / (1 - b1 ** t);
        return [-0.01 * (mHat / (Math.sqrt(v2 / (1 - b2 ** t)) + 1e-8)), { m: m2, v: v2 }];
      },
    };
    checkAgainstRule(adam(0.01, { nesterov: true }), rule);
  });
  it("b1 = 0 (RMS-like) is allowed", () => checkAgainstRule(adam(0.01, { b1: 0 }), adamRule(() => 0.01, { b1: 0 })));
  it("with a warmup-cosine schedule", () => {
    const schedule = warmupCosineDecaySchedule({ initValue: 0, peakValue: 0.1, warmupSteps: 3, decaySteps: 8, endValue: 0.01 });
    const lr = (t: number): number => {
      const c = t - 1;
      if (c < 3) return (0.1 * c) / 3;
      const k = Math.min(c - 3, 5);
      return 0.1 * ((1 - 0.1) * 0.5 * (1 + Math.cos((Math.PI * k) / 5)) + 0.1);
    };
    checkAgainstRule(adam(schedule), adamRule(lr), 10);
  });
});

describe("adamw", () => {
  it("decoupled decay: p <- p - lr * (adam(g) + wd * p)", () =>
    checkAgainstRule(adamw(0.01, { weightDecay: 0.1 }), adamRule(() => 0.01, { wd: 0.1 })));
  it("Optax's default weight decay is 1e-4", () =>
    checkAgainstRule(adamw(0.05), adamRule(() => 0.05, { wd: 1e-4 })));
  it("the mask limits the decay to the chosen leaves", () => {
    const opt = adamw(0.01, { weightDecay: 0.5, mask: { dense: { w: true, b: false }, scale: false } });
    let params = toTree(INITIAL);
    let state = opt.init(params);
    const decayed = adamRule(() => 0.01, { wd: 0.5 });
    const plain = adamRule(() => 0.01);
    let ref = INITIAL.slice();
    let refStates = ref.map(() => ({ m: 0, v: 0 }));
    for (let t = 1; t <= 4; t++) {
      const g = Array.from({ length: TOTAL }, (_, i) => gradientAt(t, i));
      const [updates, s] = opt.update(toTree(g), state, params);
      params = applyUpdates(params, updates);
      state = s;
      const next = ref.map((p, i) => (i < 6 ? decayed : plain).step(g[i]!, refStates[i]!, p, t));
      ref = ref.map((p, i) => p + next[i]![0]);
      refStates = next.map(([, st]) => st);
      expectClose(flatValues(params), ref);
    }
  });
  it("needs params", () => {
    const opt = adamw(0.01);
    const params = toTree(INITIAL);
    expect(() => opt.update(params, opt.init(params))).toThrow(/addDecayedWeights: needs the current parameters/);
  });
});

describe("rmsprop", () => {
  it("plain: g / sqrt(v + eps)", () => checkAgainstRule(rmsprop(0.01), rmspropRule(0.01)));
  it("a large eps", () => checkAgainstRule(rmsprop(0.01, { decay: 0.7, eps: 0.2 }), rmspropRule(0.01, { decay: 0.7, eps: 0.2 })));
  it("centred: g / sqrt(v - m² + eps)", () =>
    checkAgainstRule(rmsprop(0.01, { centered: true }), rmspropRule(0.01, { centered: true })));
  it("momentum after the learning rate", () =>
    checkAgainstRule(rmsprop(0.01, { momentum: 0.9 }), rmspropRule(0.01, { momentum: 0.9 })));
});

describe("adagrad", () => {
  it("defaults: accumulator from 0.1, eps 1e-7 inside the square root", () =>
    checkAgainstRule(adagrad(0.1), adagradRule(0.1)));
  it("custom accumulator and eps", () =>
    checkAgainstRule(adagrad(0.1, { initialAccumulatorValue: 1, eps: 0.01 }), adagradRule(0.1, 1, 0.01)));
});

describe("lion", () => {
  it("defaults: sign update, decoupled decay 1e-3", () => checkAgainstRule(lion(0.01), lionRule(0.01)));
  it("custom betas and weight decay", () =>
    checkAgainstRule(lion(0.003, { b1: 0.5, b2: 0.9, weightDecay: 0.2 }), lionRule(0.003, { b1: 0.5, b2: 0.9, wd: 0.2 })));
});

describe("dtypes", () => {
  it("float32 params get float32 states and updates; counts are int32", () => {
    const params = { w: np.array([1, 2, 3], { dtype: "float32" }) };
    const decay = exponentialDecay({ initValue: 0.1, transitionSteps: 1, decayRate: 0.9 });
    for (const opt of [adam(0.1), adam(decay), adamw(0.1), sgd(0.1, { momentum: 0.9 }), rmsprop(0.1), adagrad(0.1), lion(0.1)]) {
      const state = opt.init(params);
      const [updates, newState] = opt.update({ w: np.array([0.1, -0.2, 0.3], { dtype: "float32" }) }, state, params);
      expect((updates.w as Tensor).dtype).toBe("float32");
      for (const leaf of tree.leaves(newState) as Tensor[]) {
        expect(["float32", "int32"]).toContain(leaf.dtype);
      }
    }
    const [count] = tree.leaves(adam(0.1).init(params)) as Tensor[];
    expect(count!.dtype).toBe("int32");
  });
});

describe("hyperparameter validation", () => {
  const cases: [string, () => unknown, RegExp][] = [
    ["negative learning rate", () => adam(-1e-3), /adam: learning rate must be >= 0, got -0.001/],
    ["NaN learning rate", () => sgd(NaN), /sgd: learning rate must be a finite number, got NaN/],
    ["string learning rate", () => sgd("0.1" as unknown as number), /sgd: the learning rate must be a number or a schedule/],
    ["b1 = 1", () => adam(1e-3, { b1: 1 }), /adam: b1 must be in \[0, 1\), got 1/],
    ["b1 < 0", () => adamw(1e-3, { b1: -0.1 }), /adamw: b1 must be in \[0, 1\), got -0.1/],
    ["b2 > 1", () => adam(1e-3, { b2: 1.5 }), /adam: b2 must be in \[0, 1\), got 1.5/],
    ["eps < 0", () => adam(1e-3, { eps: -1e-8 }), /adam: eps must be >= 0, got -1e-8/],
    ["momentum = 1", () => sgd(0.1, { momentum: 1 }), /sgd: momentum must be in \[0, 1\), got 1/],
    ["rmsprop decay", () => rmsprop(0.1, { decay: 1.2 }), /rmsprop: decay must be in \[0, 1\), got 1.2/],
    ["negative weight decay", () => adamw(0.1, { weightDecay: -1 }), /adamw: weightDecay must be >= 0, got -1/],
    ["adagrad eps", () => adagrad(0.1, { eps: -1 }), /adagrad: eps must be >= 0, got -1/],
    ["lion b2", () => lion(0.1, { b2: 1 }), /lion: b2 must be in \[0, 1\), got 1/],
  ];
  for (const [name, make, message] of cases) {
    it(`rejects ${name}`, () => {
      expect(make).toThrow(OptimError);
      expect(make).toThrow(message);
    });
  }
});
