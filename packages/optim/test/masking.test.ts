import { describe, expect, it } from "vitest";
import { np, tree, Tensor } from "@connex/core";
import { adam, addDecayedWeights, maskedTransform, multiTransform, OptimError, scale, setToZero, sgd } from "../src/index.js";

const f64 = (x: number | number[] | number[][]): Tensor => np.array(x, { dtype: "float64" });
const params = () => ({ enc: { w: f64([[1, 2]]), b: f64([3]) }, head: { w: f64([[4], [5]]), b: f64([6]) } });
const grads = () => ({ enc: { w: f64([[0.5, 0.5]]), b: f64([0.5]) }, head: { w: f64([[0.5], [0.5]]), b: f64([0.5]) } });

describe("maskedTransform", () => {
  it("applies the inner transformation where the mask is true, passes the rest through", () => {
    const opt = maskedTransform(scale(10), { enc: { w: true, b: false }, head: { w: false, b: true } });
    const [u] = opt.update(grads(), opt.init(params()));
    expect(u.enc.w.toArray()).toEqual([[5, 5]]);
    expect(u.enc.b.toArray()).toEqual([0.5]);
    expect(u.head.w.toArray()).toEqual([[0.5], [0.5]]);
    expect(u.head.b.toArray()).toEqual([5]);
  });
  it("accepts a prefix mask (a boolean covers a whole subtree)", () => {
    const opt = maskedTransform(scale(10), { enc: true, head: false });
    const [u] = opt.update(grads(), opt.init(params()));
    expect(u.enc.b.toArray()).toEqual([5]);
    expect(u.head.b.toArray()).toEqual([0.5]);
  });
  it("accepts a function of the parameters (decay matrices only)", () => {
    const opt = addDecayedWeights({ weightDecay: 0.1, mask: (p: unknown) => tree.map((x: Tensor | null) => x !== null && x.ndim > 1, p) });
    const [u] = opt.update(grads(), opt.init(params()), params());
    expect((u.enc.w.toArray() as number[][])[0]![1]).toBeCloseTo(0.5 + 0.1 * 2, 15);
    expect(u.enc.b.toArray()).toEqual([0.5]);
  });
  it("keeps inner state only for masked-in leaves", () => {
    const opt = maskedTransform(adam(0.1), { enc: true, head: false });
    const state = opt.init(params());
    const [adamState] = state.innerState as [{ mu: { enc: unknown; head: { w: unknown } } }];
    expect(adamState.mu.head.w).toBeNull();
    expect(tree.leaves(adamState.mu.enc).length).toBe(2);
  });
  it("reports masks that do not fit the parameters", () => {
    const opt = maskedTransform(scale(2), { enc: true, other: false });
    expect(() => opt.init(params())).toThrow(OptimError);
    expect(() => opt.init(params())).toThrow(/maskedTransform: the mask\/labels structure .* is not a prefix of the parameters' structure/);
    expect(() => maskedTransform(scale(2), { enc: "yes", head: true }).init(params())).toThrow(
      /maskedTransform: mask leaves must be booleans, got string yes/,
    );
  });
});

describe("multiTransform", () => {
  it("gives each labelled group its own transformation and state", () => {
    const opt = multiTransform({ train: sgd(0.1, { momentum: 0.5 }), frozen: setToZero() }, { enc: "frozen", head: "train" });
    let state = opt.init(params());
    expect(Object.keys(state.innerStates)).toEqual(["train", "frozen"]);
    let u = grads();
    [u, state] = opt.update(grads(), state, params());
    [u, state] = opt.update(grads(), state, params());
    expect(u.enc.w.toArray()).toEqual([[0, 0]]);
    // Momentum trace 0.5 then 0.5 + 0.5 * 0.5 = 0.75, times -0.1.
    expect((u.head.b.toArray() as number[])[0]).toBeCloseTo(-0.075, 15);
  });
  it("labels can be a function of the parameters", () => {
    const opt = multiTransform({ a: scale(2), b: scale(3) }, (p: unknown) => tree.map((x: Tensor | null) => (x !== null && x.ndim > 1 ? "a" : "b"), p));
    const [u] = opt.update(grads(), opt.init(params()));
    expect(u.head.w.toArray()).toEqual([[1], [1]]);
    expect(u.head.b.toArray()).toEqual([1.5]);
  });
  it("rejects labels without a transformation", () => {
    const opt = multiTransform({ a: scale(2) }, { enc: "a", head: "missing" });
    expect(() => opt.init(params())).toThrow(/multiTransform: no transformation for label\(s\) "missing"; transforms has "a"/);
  });
});
