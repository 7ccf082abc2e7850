import { describe, expect, it } from "vitest";
import * as np from "../../src/np/index.js";
import { ValueError } from "../../src/errors.js";
import type { Tensor } from "../../src/tensor.js";
import * as tree from "../../src/tree/index.js";
import { Module } from "../../src/tree/module.js";
import { treeAt } from "../../src/tree/tree_at.js";

const relu = (x: Tensor): Tensor => np.maximum(x, 0);
let constructions = 0;

class Linear extends Module {
  declare readonly weight: Tensor;
  declare readonly bias: Tensor | null;
  declare readonly act: (x: Tensor) => Tensor;
  constructor(w: Tensor, b: Tensor | null) {
    constructions++;
    super({ weight: w, bias: b, act: relu }, { static: ["act"] });
  }
}

class MLP extends Module {
  declare readonly layers: readonly Linear[];
  declare readonly depth: number;
  constructor(layers: Linear[]) {
    super({ layers, depth: layers.length }, { static: ["depth"] });
  }
}

const mlp = () => new MLP([new Linear(np.ones([2, 2]), np.zeros([2])), new Linear(np.ones([1, 2]), null)]);

describe("treeAt on modules", () => {
  it("replaces a leaf, sharing every untouched node and leaf", () => {
    const m = mlp();
    const b = np.array([5, 5]);
    const before = constructions;
    const r = treeAt((t) => t.layers[0]!.bias, m, b);
    expect(constructions).toBe(before);
    expect(r).toBeInstanceOf(MLP);
    expect(r.layers[0]).toBeInstanceOf(Linear);
    expect(r.layers[0]!.bias).toBe(b);
    expect(r.layers[0]!.weight).toBe(m.layers[0]!.weight);
    expect(r.layers[1]).toBe(m.layers[1]);
    expect(r.depth).toBe(2);
    expect(Object.isFrozen(r)).toBe(true);
    expect(Object.isFrozen(r.layers)).toBe(true);
    expect(Object.isFrozen(r.layers[0])).toBe(true);
    expect(tree.structure(r).equals(tree.structure(m))).toBe(true);
    // the original is untouched
    expect((m.layers[0]!.bias as Tensor).toArray()).toEqual([0, 0]);
  });

  it("replaces a null field and whole subtrees", () => {
    const m = mlp();
    const b = np.zeros([1]);
    const r = treeAt((t) => t.layers[1]!.bias, m, b);
    expect(r.layers[1]!.bias).toBe(b);
    const l = new Linear(np.zeros([3, 3]), null);
    const r2 = treeAt((t) => t.layers[1]!, m, l);
    expect(r2.layers[1]).toBe(l);
    expect(r2.layers[0]).toBe(m.layers[0]);
    const newLayers = [l];
    const r3 = treeAt((t) => t.layers, m, newLayers);
    expect(r3.layers).toEqual([l]);
    expect(Object.isFrozen(r3.layers)).toBe(true);
    expect(Object.isFrozen(newLayers)).toBe(false);
  });

  it("replaces several parts at once, and computes replacements with replaceFn", () => {
    const m = mlp();
    const r = treeAt((t) => [t.layers[0]!.weight, t.layers[1]!.weight], m, undefined, {
      replaceFn: (w: Tensor) => np.multiply(w, 3),
    });
    expect(r.layers[0]!.weight.toArray()).toEqual([[3, 3], [3, 3]]);
    expect(r.layers[1]!.weight.toArray()).toEqual([[3, 3]]);
    expect(r.layers[0]!.bias).toBe(m.layers[0]!.bias);
    const a = np.zeros([2, 2]);
    const b = np.zeros([1, 2]);
    const r2 = treeAt((t) => [t.layers[0]!.weight, t.layers[1]!.weight], m, [a, b]);
    expect(r2.layers[0]!.weight).toBe(a);
    expect(r2.layers[1]!.weight).toBe(b);
  });

  it("lets where use static fields to navigate", () => {
    const m = mlp();
    const z = np.zeros([1, 2]);
    expect(treeAt((t) => t.layers[t.depth - 1]!.weight, m, z).layers[1]!.weight).toBe(z);
  });
});

describe("treeAt on plain trees", () => {
  it("finds number leaves and shared leaves by position, not by value", () => {
    const t = { a: 1, b: 1, c: [1, 1] };
    expect(treeAt((x) => x.b, t, 2)).toEqual({ a: 1, b: 2, c: [1, 1] });
    expect(treeAt((x) => x.c[1], t, 2)).toEqual({ a: 1, b: 1, c: [1, 2] });
    const shared = np.zeros([2]);
    const s = { p: shared, q: shared };
    const r = treeAt((x) => x.q, s, np.ones([2]));
    expect(r.p).toBe(shared);
    expect(r.q === shared).toBe(false);
  });

  it("keeps key order, untouched siblings by reference, and does not modify the input", () => {
    const inner = { z: 1 };
    const t = { y: [0, 1], x: inner, w: 5 };
    const r = treeAt((v) => v.y[0], t, 9);
    expect(Object.keys(r)).toEqual(["y", "x", "w"]);
    expect(r.x).toBe(inner);
    expect(t.y).toEqual([0, 1]);
    expect(Object.isFrozen(r.y)).toBe(false);
  });

  it("updates Maps and the root itself", () => {
    const m = new Map<string, number[]>([["a", [1]], ["b", [2]]]);
    const r = treeAt((v) => v.get("b")![0], m, 7);
    expect([...r]).toEqual([["a", [1]], ["b", [7]]]);
    expect(r.get("a")).toBe(m.get("a"));
    expect(m.get("b")).toEqual([2]);
    expect(treeAt((v) => v, { a: 1 }, 3)).toBe(3);
  });

  it("treats isLeaf subtrees as selectable leaves", () => {
    const t = { a: [1, 2], b: 3 };
    expect(treeAt((v) => v.a, t, "x", { isLeaf: Array.isArray })).toEqual({ a: "x", b: 3 });
  });

  it("rebuilds registered nodes", () => {
    class Box {
      constructor(readonly items: unknown[]) {}
    }
    tree.registerNode(Box, { flatten: (b) => [b.items, null], unflatten: (_, items) => new Box(items) });
    const r = treeAt((b: Box) => b.items[1], new Box([1, 2]), 5);
    expect(r).toBeInstanceOf(Box);
    expect(r.items).toEqual([1, 5]);
  });
});

describe("treeAt errors", () => {
  it("rejects values that are not parts of the tree", () => {
    const m = mlp();
    expect(() => treeAt((t) => t.depth, m, 3)).toThrow(ValueError);
    expect(() => treeAt((t) => t.depth, m, 3)).toThrow("where returned 2, which is not a node or leaf of the tree");
    expect(() => treeAt((t) => t.layers[0]!.act, m, relu)).toThrow("the function relu, which is not a node or leaf");
    expect(() => treeAt((t) => t.layers[0]!.act, m, relu)).toThrow("use module.replace for static fields");
    expect(() => treeAt(() => np.zeros([1]), m, 1)).toThrow("a tensor of shape [1], which is not a node");
    expect(() => treeAt((t) => [t.layers[0], {}], m, [1, 2])).toThrow("element 1 of the array where returned a Object");
  });

  it("rejects where functions that compute with leaves", () => {
    const m = mlp();
    expect(() => treeAt((t) => t.layers[0]!.weight.sum(), m, 1)).toThrow("where threw while selecting");
    expect(() => treeAt((t) => t.layers[0]!.weight.T, m, 1)).toThrow("where returned undefined, which is not a node or leaf");
  });

  it("rejects duplicate and nested selections", () => {
    const t = { a: { b: 1 } };
    expect(() => treeAt((v) => [v.a, v.a], t, [1, 2])).toThrow("where selected .a more than once");
    expect(() => treeAt((v) => [v.a, v.a.b], t, [1, 2])).toThrow("where selected both .a and .a.b inside it");
  });

  it("checks the replacement arguments", () => {
    const t = { a: 1, b: 2 };
    expect(() => treeAt((v) => [v.a, v.b], t, [1])).toThrow("where selected 2 parts, so replace must be an array of 2 values, got an array of length 1");
    expect(() => treeAt((v) => [v.a, v.b], t, 5)).toThrow("got number");
    expect(() => treeAt((v) => v.a, t, 5, { replaceFn: (x: number) => x })).toThrow("pass either replace or options.replaceFn, not both");
    expect(() => (treeAt as (...a: unknown[]) => unknown)((v: typeof t) => v.a, t)).toThrow("pass the replacement");
    expect(() => treeAt("a" as never, t, 1)).toThrow("where must be a function");
    expect(treeAt((v) => v.a, t, undefined)).toEqual({ a: undefined, b: 2 });
  });
});
