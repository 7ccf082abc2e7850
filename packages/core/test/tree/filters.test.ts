import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as np from "../../src/np/index.js";
import { ValueError } from "../../src/errors.js";
import type { Tensor } from "../../src/tensor.js";
import * as tree from "../../src/tree/index.js";
import { combine, filter, isArray, isInexactArray, partition } from "../../src/tree/filters.js";
import { Module } from "../../src/tree/module.js";
import { TreeStructureError } from "../../src/tree/structure_error.js";

/** Random nested trees whose leaves are numbers, strings and booleans (no null leaves: null is a node). */
const arbTree = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.integer(),
    fc.string({ maxLength: 2 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("node"), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 2 }), tie("node"), { maxKeys: 4 }),
  ),
})).node;

const isNumber = (x: unknown): boolean => typeof x === "number";

describe("isArray / isInexactArray", () => {
  it("recognise tensors and float tensors", () => {
    expect(isArray(np.zeros([2]))).toBe(true);
    expect(isArray(np.array([1], { dtype: "int32" }))).toBe(true);
    expect(isArray(1)).toBe(false);
    expect(isArray([1])).toBe(false);
    expect(isInexactArray(np.zeros([2]))).toBe(true);
    expect(isInexactArray(np.zeros([2], { dtype: "float64" }))).toBe(true);
    expect(isInexactArray(np.array([1], { dtype: "int32" }))).toBe(false);
    expect(isInexactArray(np.array([true]))).toBe(false);
    expect(isInexactArray(1.5)).toBe(false);
  });
});

describe("filter", () => {
  it("replaces unselected leaves by null, or by the given replacement", () => {
    const w = np.ones([2]);
    const t = { w, n: 3, s: "x", z: null };
    const kept = filter(t, isArray);
    expect(kept.w).toBe(w);
    expect(kept.n).toBeNull();
    expect(kept.s).toBeNull();
    expect(kept.z).toBeNull();
    expect(filter(t, isArray, { inverse: true })).toEqual({ w: null, n: 3, s: "x", z: null });
    expect(filter({ a: 1, b: "b" }, isNumber, { replace: 0 })).toEqual({ a: 1, b: 0 });
    expect(filter({ a: 1, b: "b" }, isNumber, { replace: undefined })).toEqual({ a: 1, b: undefined });
  });

  it("keeps inexact leaves of a module and its structure", () => {
    class M extends Module {
      declare readonly w: Tensor;
      declare readonly idx: Tensor;
      declare readonly scale: number;
      constructor() {
        super({ w: np.ones([2]), idx: np.array([0, 1], { dtype: "int32" }), scale: 2 });
      }
    }
    const m = new M();
    const f = filter(m, isInexactArray);
    expect(f).toBeInstanceOf(M);
    expect(f.w).toBe(m.w);
    expect(f.idx).toBeNull();
    expect(f.scale).toBeNull();
    expect(Object.isFrozen(f)).toBe(true);
  });

  it("accepts a filter spec: a prefix tree of booleans and predicates", () => {
    const t = { enc: { a: 1, b: "s" }, dec: [2, "t"], head: 3 };
    expect(filter(t, { enc: true, dec: isNumber, head: false })).toEqual({ enc: { a: 1, b: "s" }, dec: [2, null], head: null });
    expect(filter(t, { enc: true, dec: isNumber, head: false }, { inverse: true })).toEqual({ enc: { a: null, b: null }, dec: [null, "t"], head: 3 });
    expect(filter([1, 2], true)).toEqual([1, 2]);
    expect(() => filter(t, { enc: true })).toThrow(TreeStructureError);
    expect(() => filter(t, { enc: 1, dec: true, head: true } as never)).toThrow("a filter spec's leaves must be booleans or predicates, got number");
  });

  it("rejects predicates that do not return booleans", () => {
    expect(() => filter([1], (() => 1) as never)).toThrow(ValueError);
  });

  it("does not modify the tree", () => {
    const t = { a: [1, "x"] };
    filter(t, isNumber);
    expect(t).toEqual({ a: [1, "x"] });
  });
});

describe("partition and combine", () => {
  it("split and merge a tree", () => {
    const t = { a: 1, b: ["x", 2], c: null };
    const [nums, rest] = partition(t, isNumber);
    expect(nums).toEqual({ a: 1, b: [null, 2], c: null });
    expect(rest).toEqual({ a: null, b: ["x", null], c: null });
    expect(combine(nums, rest)).toEqual(t);
  });

  it("takes the first non-null leaf among several trees", () => {
    expect(combine({ a: null, b: null }, { a: 1, b: null }, { a: 2, b: 3 })).toEqual({ a: 1, b: 3 });
    expect(combine([null])).toEqual([null]);
  });

  it("rebuilds modules", () => {
    const m = new Module({ w: np.ones([2]), n: 3 });
    const [a, b] = partition(m, isArray);
    const back = combine(a, b) as Module & { w: Tensor; n: number };
    expect(back).toBeInstanceOf(Module);
    expect(back.w).toBe((m as Module & { w: Tensor }).w);
    expect(back.n).toBe(3);
  });

  it("names both structures when trees do not match", () => {
    expect(() => combine({ a: 1 }, { a: 1, b: 2 })).toThrow(TreeStructureError);
    expect(() => combine({ a: 1 }, { a: 1, b: 2 })).toThrow("tree 1: PyTreeDef({a: *})\n  tree 2: PyTreeDef({a: *, b: *})");
    expect(() => combine()).toThrow("combine: needs at least one tree");
  });

  it("satisfy combine(...partition(t, p)) = t, disjointness and filter inverse laws (property)", () => {
    const preds = [isNumber, (x: unknown) => typeof x === "string", (x: unknown) => x === true, () => true, () => false];
    fc.assert(
      fc.property(arbTree, fc.constantFrom(...preds), (t, p) => {
        const [a, b] = partition(t, p);
        expect(combine(a, b)).toEqual(t);
        expect(combine(b, a)).toEqual(t);
        const nullLeaf = { isLeaf: (x: unknown) => x === null };
        expect(tree.structure(a, nullLeaf).equals(tree.structure(t, nullLeaf))).toBe(true);
        expect(tree.structure(b, nullLeaf).equals(tree.structure(t, nullLeaf))).toBe(true);
        const la = tree.leaves(a, { isLeaf: (x) => x === null });
        const lb = tree.leaves(b, { isLeaf: (x) => x === null });
        const lt = tree.leaves(t, { isLeaf: (x) => x === null });
        la.forEach((x, i) => {
          // exactly one side holds each leaf of t (null nodes of t stay null on both sides)
          if (lt[i] === null) expect([x, lb[i]]).toEqual([null, null]);
          else expect((x === null) !== (lb[i] === null)).toBe(true);
          if (x !== null) expect(p(x)).toBe(true);
          if (lb[i] !== null) expect(p(lb[i])).toBe(false);
        });
        expect(filter(t, p, { inverse: true })).toEqual(b);
        expect(filter(t, () => true)).toEqual(t);
        expect(filter(a, p)).toEqual(a);
      }),
      { numRuns: 300 },
    );
  });
});
