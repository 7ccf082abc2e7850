import { describe, expect, it } from "vitest";
import * as np from "../../src/np/index.js";
import { ShapeError, ValueError } from "../../src/errors.js";
import type { Tensor } from "../../src/tensor.js";
import * as tree from "../../src/tree/index.js";
import { applyUpdates } from "../../src/tree/apply_updates.js";
import { Module } from "../../src/tree/module.js";
import { TreeStructureError } from "../../src/tree/structure_error.js";

const f32 = (data: number | number[]) => np.array(data, { dtype: "float32" });

class Layer extends Module {
  declare readonly w: Tensor;
  declare readonly b: Tensor;
  declare readonly steps: Tensor;
  declare readonly name: string;
  constructor(w: Tensor, b: Tensor) {
    super({ w, b, steps: np.array([0], { dtype: "int32" }), name: "layer" }, { static: ["name"] });
  }
}

describe("applyUpdates", () => {
  it("adds updates leaf by leaf", () => {
    const params = { a: f32([1, 2]), b: [f32(3)] };
    const out = applyUpdates(params, { a: f32([0.5, 0.5]), b: [f32(-1)] });
    expect(out.a.toArray()).toEqual([1.5, 2.5]);
    expect(out.b[0]!.toArray()).toEqual(2);
  });

  it("leaves a leaf, or a whole subtree, alone where the update is null", () => {
    const params = { a: f32([1, 2]), frozen: { x: f32([7]), y: 3 } };
    const out = applyUpdates(params, { a: null, frozen: null });
    expect(out.a).toBe(params.a);
    expect(out.frozen).toBe(params.frozen);
    const out2 = applyUpdates(params, { a: f32([1, 1]), frozen: { x: null, y: null } });
    expect(out2.a.toArray()).toEqual([2, 3]);
    expect(out2.frozen.x).toBe(params.frozen.x);
    expect(out2.frozen.y).toBe(3);
  });

  it("keeps the model's dtypes", () => {
    const p = f32([1, 2]);
    const out = applyUpdates({ p }, { p: np.array([0.25, 0.5], { dtype: "float64" }) });
    expect(out.p.dtype).toBe("float32");
    expect(out.p.toArray()).toEqual([1.25, 2.5]);
    const f64 = np.array([1], { dtype: "float64" });
    expect(applyUpdates([f64], [np.array([0.1], { dtype: "float64" })])[0]!.dtype).toBe("float64");
  });

  it("updates modules, keeping class, statics and untrained fields", () => {
    const m = new Layer(np.ones([2]), np.zeros([2]));
    const updates = tree.map((x: Tensor) => (x.dtype === "float32" ? np.multiply(np.onesLike(x), 0.5) : null), m);
    const out = applyUpdates(m, updates);
    expect(out).toBeInstanceOf(Layer);
    expect(Object.isFrozen(out)).toBe(true);
    expect(out.w.toArray()).toEqual([1.5, 1.5]);
    expect(out.b.toArray()).toEqual([0.5, 0.5]);
    expect(out.steps).toBe(m.steps);
    expect(out.name).toBe("layer");
  });

  it("does not modify the model or the updates", () => {
    const params = { a: f32([1, 2]) };
    const updates = { a: f32([1, 1]) };
    const pa = params.a;
    const ua = updates.a;
    applyUpdates(params, updates);
    expect(params.a).toBe(pa);
    expect(updates.a).toBe(ua);
    expect(pa.toArray()).toEqual([1, 2]);
    expect(ua.toArray()).toEqual([1, 1]);
  });

  it("rejects mismatched structures, non-tensor leaves and shape changes", () => {
    expect(() => applyUpdates({ a: np.zeros([2]) }, { b: np.zeros([2]) })).toThrow(TreeStructureError);
    expect(() => applyUpdates({ a: np.zeros([2]) }, { b: np.zeros([2]) })).toThrow("expected keys [b], found keys [a]");
    expect(() => applyUpdates({ a: 3 }, { a: np.zeros([1]) })).toThrow(ValueError);
    expect(() => applyUpdates({ a: 3 }, { a: np.zeros([1]) })).toThrow("falls on a number (3) in the model at .a");
    expect(() => applyUpdates({ a: [np.zeros([2])] }, { a: [np.zeros([3, 2])] })).toThrow(ShapeError);
    expect(() => applyUpdates({ a: [np.zeros([2])] }, { a: [np.zeros([3, 2])] })).toThrow("at .a[0] would change the leaf's shape [2]");
  });
});
