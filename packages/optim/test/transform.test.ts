/**
 * Properties every transformation shares: `chain`/`identity` composition, `null` leaves passing
 * through, nested and Module pytrees, purity (no input mutated), states as pytrees (vmap).
 */
import { describe, expect, it } from "vitest";
import { np, tree, Module, Tensor, applyUpdates } from "@connex/core";
import {
  adagrad,
  adam,
  adamw,
  applyIfFinite,
  chain,
  clip,
  clipByGlobalNorm,
  identity,
  lion,
  maskedTransform,
  multiTransform,
  OptimError,
  rmsprop,
  scale,
  scaleByAdam,
  scaleByLearningRate,
  scaleByStddev,
  sgd,
  trace,
  exponentialDecay,
  type GradientTransformation,
} from "../src/index.js";

const f64 = (x: number | number[] | number[][]): Tensor => np.array(x, { dtype: "float64" });

/** Every transformation the package builds, with a name for messages. */
const ALL: [string, () => GradientTransformation][] = [
  ["sgd", () => sgd(0.1)],
  ["sgd+nesterov", () => sgd(0.1, { momentum: 0.9, nesterov: true })],
  ["adam", () => adam(0.01)],
  ["adam+schedule", () => adam(exponentialDecay({ initValue: 0.1, transitionSteps: 2, decayRate: 0.5 }))],
  ["adamw", () => adamw(0.01, { weightDecay: 0.1 })],
  ["rmsprop", () => rmsprop(0.01, { centered: true, momentum: 0.5, biasCorrection: true })],
  ["adagrad", () => adagrad(0.1)],
  ["lion", () => lion(0.01)],
  ["clip", () => clip(0.5)],
  ["clipByGlobalNorm", () => chain(clipByGlobalNorm(0.5), sgd(0.1))],
  ["masked", () => maskedTransform(adam(0.1), { a: true, nested: { b: false, c: true }, frozen: true })],
  ["multiTransform", () => multiTransform({ x: adam(0.1), y: sgd(0.2, { momentum: 0.5 }) }, { a: "x", nested: "y", frozen: "x" })],
  ["applyIfFinite", () => applyIfFinite(adam(0.1), 2)],
];

const makeParams = () => ({ a: f64([1, -2]), nested: { b: f64([[0.5, 1.5]]), c: f64(3) }, frozen: f64([7, 8]) });
const makeGrads = (k: number) => ({
  a: f64([0.3 * k, -0.1]),
  nested: { b: f64([[-0.2, 0.4 * k]]), c: f64(0.25) },
  frozen: null,
});

/** A deep snapshot of a pytree's structure and values, to detect any mutation. */
function snapshot(t: unknown): string {
  const [leaves, def] = tree.flatten(t, { isLeaf: (x: unknown) => x === null });
  return JSON.stringify([String(def), leaves.map((x) => (x instanceof Tensor ? [x.dtype, x.shape, x.toArray()] : x))]);
}

describe("identity and chain", () => {
  it("identity returns its updates unchanged", () => {
    const g = makeGrads(1);
    const [out, state] = identity().update(g, identity().init(makeParams()));
    expect(out).toBe(g);
    expect(state).toEqual({});
  });
  it("chain feeds each output to the next and keeps the states in order", () => {
    const opt = chain(scale(2), trace({ decay: 0.5 }), scaleByLearningRate(0.1));
    const params = { w: f64([1, 2]) };
    let state = opt.init(params);
    expect(Array.isArray(state) && state.length === 3).toBe(true);
    const [first, afterFirst] = opt.update({ w: f64([1, -1]) }, state, params);
    expect(first.w.toArray()).toEqual([-0.2, 0.2]);
    let u: { w: Tensor };
    [u, state] = opt.update({ w: f64([1, -1]) }, afterFirst, params);
    // The trace of 2g: 2, then 2 + 0.5 * 2 = 3; times -0.1.
    const [u0, u1] = u.w.toArray() as number[];
    expect(u0).toBeCloseTo(-0.3, 15);
    expect(u1).toBeCloseTo(0.3, 15);
    expect((state[1] as { trace: { w: Tensor } }).trace.w.toArray()).toEqual([3, -3]);
  });
  it("chain rejects a state that is not its own", () => {
    const opt = chain(scale(1), scale(2));
    expect(() => opt.update({ w: f64(1) }, [{}] as unknown[])).toThrow(/chain: expected a state array of length 2/);
  });
});

describe("null leaves", () => {
  for (const [name, make] of ALL) {
    it(`${name}: a null gradient leaves its parameter alone; others are unaffected`, () => {
      const opt = make();
      const params = makeParams();
      let state = opt.init(params);
      let p = params;
      // The same run with a non-null gradient on `frozen` gives the same values elsewhere.
      const full = make();
      let fullState = full.init(params);
      let q = params;
      for (let k = 1; k <= 3; k++) {
        const g = makeGrads(k);
        const [u, s] = opt.update(g, state, p);
        expect(u.frozen).toBeNull();
        p = applyUpdates(p, u);
        state = s;
        const [uf, sf] = full.update({ ...g, frozen: f64([0, 0]) }, fullState, q);
        q = applyUpdates(q, uf);
        fullState = sf;
      }
      expect(p.frozen).toBe(params.frozen);
      expect(p.a.toArray()).toEqual(q.a.toArray());
      expect(p.nested.b.toArray()).toEqual(q.nested.b.toArray());
      expect(p.nested.c.toArray()).toEqual(q.nested.c.toArray());
      expect(p.a.toArray()).not.toEqual(params.a.toArray());
    });
  }
  it("params filtered to null get null state, and the structures still line up", () => {
    const opt = adam(0.1);
    const params = { w: f64([1, 2]), skip: null };
    const state = opt.init(params) as unknown[];
    const adamState = state[0] as { mu: { w: Tensor; skip: null } };
    expect(adamState.mu.skip).toBeNull();
    const [u] = opt.update({ w: f64([1, 1]), skip: null }, state, params);
    expect(u.skip).toBeNull();
  });
  it("an update where init saw no tensor is an error naming the transformation", () => {
    const opt = scaleByAdam();
    const state = opt.init({ w: null });
    expect(() => opt.update({ w: f64([1]) }, state)).toThrow(/scaleByAdam: got an update for a leaf that has no optimiser state/);
  });
  it("trees that do not line up are reported with both structures", () => {
    const opt = scaleByAdam();
    const state = opt.init({ w: f64([1]) });
    expect(() => opt.update({ v: f64([1]) }, state)).toThrow(OptimError);
    expect(() => opt.update({ v: f64([1]) }, state)).toThrow(/scaleByAdam: tree structures differ: PyTreeDef\(\{v: \*\}\) and PyTreeDef\(\{w: \*\}\)/);
  });
});

describe("purity", () => {
  for (const [name, make] of ALL) {
    it(`${name}: init and update mutate none of their inputs`, () => {
      const opt = make();
      const params = makeParams();
      const paramsBefore = snapshot(params);
      const state = opt.init(params);
      expect(snapshot(params)).toBe(paramsBefore);
      const grads = makeGrads(1);
      const gradsBefore = snapshot(grads);
      const stateBefore = snapshot(state);
      const [, state2] = opt.update(grads, state, params);
      opt.update(makeGrads(2), state2, params);
      expect(snapshot(params)).toBe(paramsBefore);
      expect(snapshot(grads)).toBe(gradsBefore);
      expect(snapshot(state)).toBe(stateBefore);
      // Same inputs, same outputs: update is a function of its arguments only.
      const [again] = opt.update(grads, state, params);
      const [first] = opt.update(grads, state, params);
      expect(snapshot(again)).toBe(snapshot(first));
    });
  }
});

class Linear extends Module {
  declare readonly weight: Tensor;
  declare readonly bias: Tensor;
  declare readonly name: string;
  constructor(weight: Tensor, bias: Tensor) {
    super({ weight, bias, name: "linear" }, { static: ["name"] });
  }
}

describe("Modules", () => {
  it("optimise a Module; the result is a Module with the same static fields", () => {
    const model = new Linear(f64([[1, 2], [3, 4]]), f64([0.5, -0.5]));
    const opt = adamw(0.1);
    const state = opt.init(model);
    const grads = new Linear(f64([[0.1, 0.2], [0.3, 0.4]]), f64([1, -1]));
    const [updates, newState] = opt.update(grads, state, model);
    expect(updates).toBeInstanceOf(Linear);
    const next = applyUpdates(model, updates);
    expect(next).toBeInstanceOf(Linear);
    expect(next.name).toBe("linear");
    expect(tree.structure(newState).equals(tree.structure(state))).toBe(true);
    // Adam's first step moves every element by about -lr * sign(g), plus the decay term.
    const w = next.weight.toArray() as number[][];
    expect(w[0]![0]).toBeCloseTo(1 - 0.1 * (1 + 1e-4 * 1), 6);
  });
});

describe("states are pytrees", () => {
  it("a vmapped adam update over a batch of parameter sets matches per-example updates", async () => {
    const { vmap } = await import("@connex/autodiff");
    const opt = adam(0.1);
    const batchParams = { w: f64([[1, 2], [3, 4], [5, 6]]) };
    const batchGrads = { w: f64([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]]) };
    const step = (p: { w: Tensor }, g: { w: Tensor }) => {
      const [u, s] = opt.update(g, opt.init(p), p);
      const [u2] = opt.update(g, s, p);
      return [u, u2];
    };
    const [u1, u2] = vmap(step)(batchParams, batchGrads) as [{ w: Tensor }, { w: Tensor }];
    for (let i = 0; i < 3; i++) {
      const p = { w: np.take(batchParams.w, i, 0) };
      const g = { w: np.take(batchGrads.w, i, 0) };
      const [e1, e2] = step(p, g);
      expect((np.take(u1.w, i, 0)).toArray()).toEqual(e1!.w.toArray());
      expect((np.take(u2.w, i, 0)).toArray()).toEqual(e2!.w.toArray());
    }
  });
  it("scaleByStddev keeps mu and nu; states flatten to tensors only", () => {
    const state = scaleByStddev({ biasCorrection: true }).init({ w: f64([1, 2]) });
    const leaves = tree.leaves(state);
    expect(leaves.length).toBe(3);
    expect(leaves.every((x) => x instanceof Tensor)).toBe(true);
  });
});
