import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as np from "../../src/np/index.js";
import { ValueError } from "../../src/errors.js";
import * as tree from "../../src/tree/index.js";
import { TreeStructureError } from "../../src/tree/index.js";

/** Random nested pytrees of numbers, strings, null/undefined, arrays, plain objects and Maps. */
const arbTree = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.integer(),
    fc.string({ maxLength: 3 }),
    fc.constant(null),
    fc.constant(undefined),
    fc.array(tie("node"), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 3 }), tie("node"), { maxKeys: 4 }),
    fc.array(fc.tuple(fc.integer(), tie("node")), { maxLength: 3 }).map((entries) => new Map(entries)),
  ),
})).node;

describe("tree.flatten", () => {
  it("lists leaves in the documented order: arrays by index, object keys sorted, Maps in insertion order", () => {
    const f = (x: number) => x;
    const t = { b: [1, "s"], a: new Map<unknown, unknown>([["z", 2], ["y", true]]), c: { f } };
    const [leaves, def] = tree.flatten(t);
    expect(leaves).toEqual([2, true, 1, "s", f]);
    expect(def.numLeaves).toBe(5);
    expect(def.toString()).toBe('PyTreeDef({a: Map{"z" => *, "y" => *}, b: [*, *], c: {f: *}})');
  });

  it("sorts keys as strings whatever order the object lists them in (integer-like keys come first in Object.keys, in numeric order)", () => {
    // Object.keys gives 1, 2, 10, b, a; sorted as strings: 1, 10, 2, a, b.
    const t = { b: "b", a: "a", 10: "ten", 2: "two", 1: "one" };
    expect(tree.leaves(t)).toEqual(["one", "ten", "two", "a", "b"]);
    // Already in order, and a single key: unchanged.
    expect(tree.leaves({ a: 1, b: 2, c: 3 })).toEqual([1, 2, 3]);
    expect(tree.leaves({ z: 1 })).toEqual([1]);
    // Property: the leaves follow the keys sorted, for any insertion order.
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ maxLength: 4 }), { maxLength: 8 }), (keys) => {
        const o: Record<string, string> = {};
        for (const k of keys) o[k] = k;
        expect(tree.leaves(o)).toEqual(Object.keys(o).sort());
      }),
    );
  });

  it("treats null and undefined as nodes without children, tensors and class instances as leaves", () => {
    class Thing {}
    const thing = new Thing();
    const x = np.array([1, 2]);
    const [leaves, def] = tree.flatten([null, undefined, x, thing]);
    expect(leaves).toHaveLength(2);
    expect(leaves[0]).toBe(x);
    expect(leaves[1]).toBe(thing);
    expect(def.toString()).toBe("PyTreeDef([null, undefined, *, *])");
    expect(tree.flatten(null)[1].numLeaves).toBe(0);
  });

  it("renders the brief's example and quotes keys that are not identifiers", () => {
    expect(tree.structure({ b: [1, 2], a: 3 }).toString()).toBe("PyTreeDef({a: *, b: [*, *]})");
    expect(tree.structure({ "my key": 1 }).toString()).toBe('PyTreeDef({"my key": *})');
  });

  it("stops at subtrees that isLeaf accepts", () => {
    const t = { a: [1, 2], b: { c: 3 } };
    const [leaves, def] = tree.flatten(t, { isLeaf: (x) => Array.isArray(x) });
    expect(leaves).toEqual([[1, 2], 3]);
    expect(leaves[0]).toBe(t.a);
    expect(def.toString()).toBe("PyTreeDef({a: *, b: {c: *}})");
    expect(tree.leaves([1, null], { isLeaf: (x) => x === null })).toEqual([1, null]);
  });

  it("does not modify the tree", () => {
    const t = { b: [2, 1], a: 1 };
    tree.flatten(t);
    expect(Object.keys(t)).toEqual(["b", "a"]);
    expect(t.b).toEqual([2, 1]);
  });
});

describe("tree.unflatten", () => {
  it("round-trips random trees (property)", () => {
    fc.assert(
      fc.property(arbTree, (t) => {
        const [leaves, def] = tree.flatten(t);
        const back = tree.unflatten(def, leaves);
        expect(tree.structure(back).equals(def)).toBe(true);
        expect(tree.leaves(back)).toEqual(leaves);
        expect(back).toEqual(t);
      }),
      { numRuns: 300 },
    );
  });

  it("places new leaves and uses them by reference", () => {
    const [, def] = tree.flatten({ a: 1, b: [2, null] });
    const x = np.array([1]);
    const out = tree.unflatten<{ a: unknown; b: unknown[] }>(def, [x, "y"]);
    expect(out.a).toBe(x);
    expect(out.b).toEqual(["y", null]);
    expect(Object.keys(out)).toEqual(["a", "b"]);
  });

  it("keeps null-prototype objects null-prototype", () => {
    const t = Object.assign(Object.create(null) as Record<string, number>, { a: 1 });
    const [leaves, def] = tree.flatten(t);
    const back = tree.unflatten<Record<string, number>>(def, leaves);
    expect(Object.getPrototypeOf(back)).toBeNull();
    expect(back.a).toBe(1);
    expect(def.equals(tree.structure({ a: 1 }))).toBe(false);
  });

  it("rejects a wrong number of leaves, naming the structure", () => {
    const def = tree.structure({ a: 1, b: [2, 3] });
    expect(() => tree.unflatten(def, [1, 2])).toThrow(ValueError);
    expect(() => tree.unflatten(def, [1, 2])).toThrow("PyTreeDef({a: *, b: [*, *]}) has 3 leaves, got 2");
    expect(() => tree.unflatten({} as tree.TreeDef, [])).toThrow("expected a TreeDef");
  });
});

describe("TreeDef equality and key", () => {
  it("is equal for trees that differ only in their leaves", () => {
    const a = tree.structure({ x: [1, 2], y: null });
    const b = tree.structure({ y: null, x: [np.zeros([3]), "leaf"] });
    expect(a.equals(b)).toBe(true);
    expect(a.key).toBe(b.key);
  });

  it("distinguishes kinds, keys, lengths, null from undefined, and Map keys", () => {
    const defs = [
      tree.structure([1, 2]),
      tree.structure([1, 2, 3]),
      tree.structure({ 0: 1, 1: 2 }),
      tree.structure({ a: 1, b: 2 }),
      tree.structure({ a: 1, c: 2 }),
      tree.structure([null]),
      tree.structure([undefined]),
      tree.structure([[1], 2]),
      tree.structure(new Map([["a", 1], ["b", 2]])),
      tree.structure(new Map([["b", 1], ["a", 2]])),
      tree.structure(new Map([[1, 1], [2, 2]])),
      tree.structure(1),
    ];
    const keys = new Set(defs.map((d) => d.key));
    expect(keys.size).toBe(defs.length);
    for (let i = 0; i < defs.length; i++) {
      for (let j = 0; j < defs.length; j++) expect(defs[i]!.equals(defs[j]!)).toBe(i === j);
    }
  });

  it("certainlyEquals never claims equality that equals denies, and finds it between rebuilt trees (property)", () => {
    fc.assert(
      fc.property(arbTree, arbTree, (s, t) => {
        const a = tree.structure(s);
        const b = tree.structure(t);
        if (a.certainlyEquals(b)) expect(a.equals(b)).toBe(true);
        // A tree rebuilt from a treedef always matches it (plain data, no statics to doubt).
        expect(tree.structure(tree.unflatten(a, tree.leaves(s))).certainlyEquals(a)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("staticCertainlyEqual trusts identity only where the key follows identity", () => {
    const f = (x: number) => x;
    const mutable = [1, 2];
    expect(tree.staticCertainlyEqual(f, f)).toBe(true);
    expect(tree.staticCertainlyEqual("a", "a")).toBe(true);
    expect(tree.staticCertainlyEqual(NaN, NaN)).toBe(true);
    expect(tree.staticCertainlyEqual(mutable, mutable)).toBe(false); // keyed by content: could change
    expect(tree.staticCertainlyEqual(f, (x: number) => x)).toBe(false);
    expect(tree.staticEquals([1, 2], [1, 2])).toBe(true); // the exact comparison still says equal
  });

  it("agrees with deep equality of structure on random trees (property)", () => {
    fc.assert(
      fc.property(arbTree, arbTree, (s, t) => {
        const a = tree.structure(s);
        const b = tree.structure(t);
        const shapeOf = (x: unknown) => tree.unflatten(tree.structure(x), tree.leaves(x).map(() => 0));
        // JSON.stringify alone would print undefined as null (or drop the key); keep them apart.
        // Null-prototype objects are their own node kind (they rebuild as such), so mark them too.
        const text = (x: unknown) =>
          JSON.stringify(x, (_key, v: unknown) => {
            if (v === undefined) return "<undefined>";
            if (v !== null && typeof v === "object" && !Array.isArray(v) && Object.getPrototypeOf(v) === null) return { "<null-prototype>": { ...v } };
            return v;
          });
        expect(a.equals(b)).toBe(a.toString() === b.toString() && text(shapeOf(s)) === text(shapeOf(t)));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("tree.map", () => {
  it("maps one tree, keeping null and undefined nodes", () => {
    expect(tree.map((x: number) => x * 2, { a: 1, b: [2, null], c: undefined })).toEqual({ a: 2, b: [4, null], c: undefined });
  });

  it("maps several trees leaf by leaf", () => {
    const out = tree.map((a: number, b: number, c: number) => a + 10 * b + 100 * c, { p: [1, 2], q: 3 }, { q: 6, p: [4, 5] }, { p: [7, 8], q: 9 });
    expect(out).toEqual({ p: [741, 852], q: 963 });
  });

  it("works on tensors", () => {
    const out = tree.map((x: ReturnType<typeof np.array>, y: ReturnType<typeof np.array>) => np.add(x, y), [np.array([1, 2])], [np.array([10, 20])]);
    expect(out[0]!.toArray()).toEqual([11, 22]);
  });

  it("passes a whole subtree of a later tree where the first has a leaf", () => {
    const out = tree.map((a: number, b: unknown) => [a, b], { x: 1 }, { x: { deep: [1, 2] } });
    expect(out).toEqual({ x: [1, { deep: [1, 2] }] });
  });

  it("rejects null in a later tree where the first has a leaf, unless isLeaf accepts it", () => {
    expect(() => tree.map((a: number, b: number) => a + b, { x: 1 }, { x: null })).toThrow(TreeStructureError);
    expect(() => tree.map((a: number, b: number) => a + b, { x: 1 }, { x: null })).toThrow(/tree 2 does not match .* at \.x: found null/);
    const out = tree.map({ isLeaf: (x) => x === null }, (a: number | null, b: number | null) => (a === null || b === null ? null : a + b), { x: 1, y: null }, { x: null, y: 2 });
    expect(out).toEqual({ x: null, y: null });
  });

  it("names both structures when a later tree does not match", () => {
    const run = () => tree.map((a: number, b: number) => a + b, { a: 1, b: [2, 3] }, { a: 1, b: [2] });
    expect(run).toThrow(TreeStructureError);
    expect(run).toThrow("expected: PyTreeDef({a: *, b: [*, *]})");
    expect(run).toThrow("got:      PyTreeDef({a: *, b: [*]})");
    expect(run).toThrow("at .b: expected an array of length 2, found an array of length 1");
    expect(() => tree.map((a: number) => a, { a: 1 }, { b: 1 })).toThrow("expected keys [a], found keys [b]");
    expect(() => tree.map((a: number) => a, [null], [1])).toThrow("expected null, found a number");
  });

  it("rejects calls without a function or a tree", () => {
    expect(() => (tree.map as (...a: unknown[]) => unknown)(1, [1])).toThrow(ValueError);
    expect(() => (tree.map as (...a: unknown[]) => unknown)({}, 1)).toThrow("expected the function");
    expect(() => (tree.map as (...a: unknown[]) => unknown)((x: number) => x)).toThrow("no tree given");
  });

  it("does not modify its inputs", () => {
    const a = { x: [1, 2] };
    const b = { x: [3, 4] };
    tree.map((p: number, q: number) => p + q, a, b);
    expect(a).toEqual({ x: [1, 2] });
    expect(b).toEqual({ x: [3, 4] });
  });
});

describe("tree.registerNode", () => {
  class Pair {
    constructor(
      readonly first: unknown,
      readonly second: unknown,
      readonly label: string,
    ) {}
  }
  tree.registerNode(Pair, {
    flatten: (p) => [[p.first, p.second], p.label],
    unflatten: (label, [a, b]) => new Pair(a, b, label),
  });

  it("flattens registered classes into their children and rebuilds them", () => {
    const t = { p: new Pair(1, [2, 3], "lbl") };
    const [leaves, def] = tree.flatten(t);
    expect(leaves).toEqual([1, 2, 3]);
    expect(def.toString()).toBe('PyTreeDef({p: Pair<"lbl">(*, [*, *])})');
    const back = tree.unflatten<{ p: Pair }>(def, [10, 20, 30]);
    expect(back.p).toBeInstanceOf(Pair);
    expect(back.p).toEqual(new Pair(10, [20, 30], "lbl"));
    expect(tree.map((x: number) => x + 1, new Pair(1, 2, "q"))).toEqual(new Pair(2, 3, "q"));
  });

  it("puts the aux data in the treedef", () => {
    expect(tree.structure(new Pair(1, 2, "a")).equals(tree.structure(new Pair(3, 4, "a")))).toBe(true);
    expect(tree.structure(new Pair(1, 2, "a")).equals(tree.structure(new Pair(1, 2, "b")))).toBe(false);
    expect(() => tree.map((x: number) => x, new Pair(1, 2, "a"), new Pair(1, 2, "b"))).toThrow("the aux data of Pair differs");
    expect(tree.isRegisteredNode(Pair)).toBe(true);
  });

  it("matches only the exact class, not subclasses", () => {
    class SubPair extends Pair {}
    const sub = new SubPair(1, 2, "s");
    expect(tree.leaves(sub)).toEqual([sub]);
  });

  it("rejects built-in node types, tensors, repeats and bad definitions", () => {
    const def = { flatten: () => [[], null] as const, unflatten: () => ({}) };
    expect(() => tree.registerNode(Array, def)).toThrow("Array is a built-in pytree node type");
    expect(() => tree.registerNode(Map, def)).toThrow(ValueError);
    expect(() => tree.registerNode(np.array([1]).constructor as new () => unknown, def)).toThrow("tensors are always leaves");
    expect(() => tree.registerNode(Pair, def)).toThrow("Pair is already registered");
    class NoDef {}
    expect(() => tree.registerNode(NoDef, {} as never)).toThrow("needs flatten(node) and unflatten(aux, children)");
  });
});

describe("tree.leavesWithPath and formatPath", () => {
  it("gives each leaf's path in flattening order", () => {
    const got = tree.leavesWithPath({ b: [1, { c: 2 }], a: null, "x y": 3 });
    expect(got).toEqual([
      [["b", 0], 1],
      [["b", 1, "c"], 2],
      [["x y"], 3],
    ]);
    expect(got.map(([p]) => tree.formatPath(p))).toEqual([".b[0]", ".b[1].c", '["x y"]']);
    expect(tree.formatPath([])).toBe("(root)");
  });

  it("agrees with flatten on random trees (property)", () => {
    fc.assert(
      fc.property(arbTree, (t) => {
        expect(tree.leavesWithPath(t).map(([, x]) => x)).toEqual(tree.leaves(t));
      }),
    );
  });
});

describe("tree.flattenUpTo", () => {
  it("returns the subtrees at the leaves of a prefix structure, null included", () => {
    const def = tree.structure({ a: 0, b: [0, 0] });
    expect(tree.flattenUpTo(def, { a: [1, 2], b: [null, { c: 3 }] })).toEqual([[1, 2], null, { c: 3 }]);
  });
});

describe("static keys", () => {
  it("compares primitives and plain data structurally, other objects by identity", () => {
    const f = () => 1;
    expect(tree.staticEquals({ a: [1, "x", null] }, { a: [1, "x", null] })).toBe(true);
    expect(tree.staticEquals({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(tree.staticEquals([1], ["1"])).toBe(false);
    expect(tree.staticEquals(0, -0)).toBe(false);
    expect(tree.staticEquals(NaN, NaN)).toBe(true);
    expect(tree.staticEquals(f, f)).toBe(true);
    expect(tree.staticEquals(f, () => 1)).toBe(false);
    expect(tree.staticEquals(new Map(), new Map())).toBe(false);
    expect(tree.staticEquals({ f }, { f })).toBe(true);
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(tree.staticKey(cyclic)).toMatch(/^\[o#\d+\]$/);
  });
});
