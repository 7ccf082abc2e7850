import { describe, expect, it } from "vitest";
import { inspect } from "node:util";
import { produce } from "immer";
import * as np from "../../src/np/index.js";
import { ValueError } from "../../src/errors.js";
import type { Tensor } from "../../src/tensor.js";
import * as tree from "../../src/tree/index.js";
import { Module, moduleLayout } from "../../src/tree/module.js";

const relu = (x: Tensor): Tensor => np.maximum(x, 0);
const identity = (x: Tensor): Tensor => x;

let linearConstructions = 0;

class Linear extends Module {
  declare readonly weight: Tensor;
  declare readonly bias: Tensor;
  declare readonly act: (x: Tensor) => Tensor;
  constructor(w: Tensor, b: Tensor, act: (x: Tensor) => Tensor = relu) {
    linearConstructions++;
    super({ weight: w, bias: b, act }, { static: ["act"] });
  }
  forward(x: Tensor): Tensor {
    return this.act(np.add(np.matmul(this.weight, x), this.bias));
  }
}

class Stack extends Module {
  declare readonly layers: readonly Linear[];
  declare readonly config: { readonly sizes: readonly number[]; readonly name: string };
  constructor(layers: Linear[], config: { sizes: number[]; name: string }) {
    super({ layers, config }, { static: ["config"] });
  }
}

const lin = () => new Linear(np.array([[1, 0], [0, 1]]), np.array([0.5, -0.5]));

describe("Module construction", () => {
  it("defines the fields as enumerable own properties in declared order", () => {
    const m = lin();
    expect(Object.keys(m)).toEqual(["weight", "bias", "act"]);
    expect(m.act).toBe(relu);
    expect(m.forward(np.array([1, 1])).toArray()).toEqual([1.5, 0.5]);
    expect(m).toBeInstanceOf(Linear);
    expect(m).toBeInstanceOf(Module);
  });

  it("freezes the instance: assignment and new properties throw", () => {
    const m = lin();
    expect(Object.isFrozen(m)).toBe(true);
    expect(() => {
      (m as { weight: unknown }).weight = np.zeros([2, 2]);
    }).toThrow(TypeError);
    expect(() => {
      (m as unknown as { extra: number }).extra = 1;
    }).toThrow(TypeError);
  });

  it("deeply freezes plain containers inside fields without freezing the caller's objects", () => {
    const layers = [lin(), lin()];
    const config = { sizes: [2, 2], name: "net" };
    const s = new Stack(layers, config);
    expect(Object.isFrozen(s.layers)).toBe(true);
    expect(Object.isFrozen(s.config)).toBe(true);
    expect(Object.isFrozen(s.config.sizes)).toBe(true);
    expect(() => (s.layers as Linear[]).push(lin())).toThrow(TypeError);
    expect(Object.isFrozen(layers)).toBe(false);
    expect(Object.isFrozen(config.sizes)).toBe(false);
    layers.push(lin());
    expect(s.layers).toHaveLength(2);
    expect(s.layers[0]).toBe(layers[0]);
  });

  it("shares containers that are already deeply frozen", () => {
    const s = new Stack([lin()], { sizes: [2], name: "a" });
    const t = new Stack(s.layers as Linear[], s.config as { sizes: number[]; name: string });
    expect(t.layers).toBe(s.layers);
    expect(t.config).toBe(s.config);
  });

  it("leaves Maps and functions as they are", () => {
    class Holder extends Module {
      declare readonly table: Map<string, number>;
      constructor(table: Map<string, number>) {
        super({ table });
      }
    }
    const table = new Map([["a", 1]]);
    const h = new Holder(table);
    expect(h.table).toBe(table);
    expect(Object.isFrozen(table)).toBe(false);
  });

  it("rejects static names that are not fields, fields hiding methods, and non-object fields", () => {
    class Bad extends Module {
      constructor(fields: Record<string, unknown>, statics: string[] = []) {
        super(fields, { static: statics });
      }
      method(): number {
        return 1;
      }
    }
    expect(() => new Bad({ a: 1 }, ["b"])).toThrow(ValueError);
    expect(() => new Bad({ a: 1 }, ["b"])).toThrow('Bad: static field "b" is not one of the fields (a)');
    expect(() => new Bad({ method: 1 })).toThrow('Bad: field "method" would hide a property of the class');
    expect(() => new Bad({ replace: 1 })).toThrow(ValueError);
    expect(() => new Bad({ toString: 1 })).toThrow(ValueError);
    expect(() => new Bad([1] as unknown as Record<string, unknown>)).toThrow("takes a plain object of fields, got an array");
    expect(() => new Module({ a: 1 }, { static: "a" as unknown as string[] })).toThrow("options.static must be an array");
  });

  it("makes a subclass with a class-field initialiser fail loudly (fields must use declare)", () => {
    class Undeclared extends Module {
      readonly x: number = 1;
      constructor() {
        super({ y: 2 });
      }
    }
    expect(() => new Undeclared()).toThrow(TypeError);
  });

  it("rejects reference cycles in fields", () => {
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(() => new Module({ c: cyclic })).toThrow("Module: a field contains a reference cycle");
  });
});

describe("Module as a pytree", () => {
  it("has its dynamic fields as children and its static fields in the treedef", () => {
    const m = lin();
    const [leaves, def] = tree.flatten(m);
    expect(leaves).toHaveLength(2);
    expect(leaves[0]).toBe(m.weight);
    expect(leaves[1]).toBe(m.bias);
    expect(def.toString()).toBe("PyTreeDef(Linear(weight=*, bias=*, act=<function relu>))");
  });

  it("compares static fields by identity for functions and structurally for plain data", () => {
    const a = lin();
    const b = new Linear(np.zeros([2, 2]), np.zeros([2]));
    const c = new Linear(np.zeros([2, 2]), np.zeros([2]), identity);
    expect(tree.structure(a).equals(tree.structure(b))).toBe(true);
    expect(tree.structure(a).equals(tree.structure(c))).toBe(false);
    const s1 = new Stack([a], { sizes: [2, 2], name: "n" });
    const s2 = new Stack([b], { sizes: [2, 2], name: "n" });
    const s3 = new Stack([b], { sizes: [2, 3], name: "n" });
    expect(tree.structure(s1).key).toBe(tree.structure(s2).key);
    expect(tree.structure(s1).equals(tree.structure(s3))).toBe(false);
    expect(() => tree.map((x: Tensor, y: Tensor) => np.add(x, y), s1, s3)).toThrow("static field Stack.config differs");
  });

  it("distinguishes module classes and layouts", () => {
    class Other extends Module {
      constructor(w: Tensor, b: Tensor) {
        super({ weight: w, bias: b, act: relu }, { static: ["act"] });
      }
    }
    const w = np.zeros([2, 2]);
    const b = np.zeros([2]);
    expect(tree.structure(new Other(w, b)).equals(tree.structure(new Linear(w, b)))).toBe(false);
    expect(tree.structure(new Module({ a: 1, b: 2 }, { static: ["a"] })).equals(tree.structure(new Module({ a: 1, b: 2 }, { static: ["b"] })))).toBe(false);
    expect(moduleLayout(new Linear(w, b))).toBe(moduleLayout(lin()));
  });

  it("unflattens without calling the constructor into a frozen instance sharing leaves", () => {
    const m = lin();
    const [leaves, def] = tree.flatten(m);
    const before = linearConstructions;
    const w2 = np.ones([2, 2]);
    const back = tree.unflatten<Linear>(def, [w2, leaves[1]]);
    expect(linearConstructions).toBe(before);
    expect(back).toBeInstanceOf(Linear);
    expect(Object.isFrozen(back)).toBe(true);
    expect(back.weight).toBe(w2);
    expect(back.bias).toBe(m.bias);
    expect(back.act).toBe(relu);
    expect(Object.keys(back)).toEqual(["weight", "bias", "act"]);
    expect(back.forward(np.array([1, 2])).toArray()).toEqual([3.5, 2.5]);
    expect(() => {
      (back as { bias: unknown }).bias = null;
    }).toThrow(TypeError);
  });

  it("freezes the containers it rebuilds inside modules", () => {
    const s = new Stack([lin(), lin()], { sizes: [2, 2], name: "n" });
    const back = tree.map((x: Tensor) => np.multiply(x, 2), s);
    expect(back).toBeInstanceOf(Stack);
    expect(Object.isFrozen(back.layers)).toBe(true);
    expect(back.config).toBe(s.config);
    expect(back.layers[1]!.weight.toArray()).toEqual([[2, 0], [0, 2]]);
    const plain = tree.map((x: number) => x, { a: [1] });
    expect(Object.isFrozen(plain.a)).toBe(false);
  });

  it("shares a rebuilt container with a new module instead of copying it (it is frozen all the way down)", () => {
    class Holder extends Module {
      declare readonly nested: readonly (readonly Tensor[])[];
      constructor(nested: Tensor[][]) {
        super({ nested });
      }
    }
    const h = new Holder([[np.ones([2])], [np.zeros([3])]]);
    const back = tree.map((x: Tensor) => np.add(x, 1), h);
    expect(Object.isFrozen(back.nested)).toBe(true);
    expect(Object.isFrozen(back.nested[0])).toBe(true);
    const again = new Holder(back.nested as Tensor[][]);
    expect(again.nested).toBe(back.nested);
    expect(again.nested[1]).toBe(back.nested[1]);
    expect(again.nested[1]![0]!.toArray()).toEqual([1, 1, 1]);
  });
});

describe("Module.replace", () => {
  it("returns an updated frozen copy sharing the other fields", () => {
    const m = lin();
    const b2 = np.zeros([2]);
    const r = m.replace({ bias: b2 });
    expect(r).toBeInstanceOf(Linear);
    expect(r === m).toBe(false);
    expect(r.bias).toBe(b2);
    expect(r.weight).toBe(m.weight);
    expect(Object.isFrozen(r)).toBe(true);
    expect(m.bias.toArray()).toEqual([0.5, -0.5]);
    expect(tree.structure(r).equals(tree.structure(m))).toBe(true);
  });

  it("can replace static fields, which changes the treedef", () => {
    const m = lin();
    const r = m.replace({ act: identity });
    expect(r.act).toBe(identity);
    expect(tree.structure(r).equals(tree.structure(m))).toBe(false);
  });

  it("freezes new plain values and rejects unknown fields", () => {
    const s = new Stack([lin()], { sizes: [2], name: "a" });
    const layers = [lin(), lin()];
    const r = s.replace({ layers });
    expect(Object.isFrozen(r.layers)).toBe(true);
    expect(Object.isFrozen(layers)).toBe(false);
    expect(() => lin().replace({ nope: 1 } as never)).toThrow('Linear.replace: unknown field "nope"; the fields are weight, bias, act');
    expect(() => lin().replace(null as never)).toThrow("expected a plain object of fields");
  });
});

describe("Module with immer", () => {
  it("supports produce recipes, keeping class, layout and freezing", () => {
    const s = new Stack([lin(), lin()], { sizes: [2, 2], name: "n" });
    const newBias = np.array([9, 9]);
    const next = produce(s, (draft) => {
      (draft.layers[1] as { bias: Tensor }).bias = newBias;
    });
    expect(next).toBeInstanceOf(Stack);
    expect(next === s).toBe(false);
    expect(next.layers[1]).toBeInstanceOf(Linear);
    expect(next.layers[1]!.bias).toBe(newBias);
    expect(next.layers[0]).toBe(s.layers[0]);
    expect(next.config).toBe(s.config);
    expect(s.layers[1]!.bias.toArray()).toEqual([0.5, -0.5]);
    expect(Object.isFrozen(next)).toBe(true);
    expect(Object.isFrozen(next.layers)).toBe(true);
    expect(() => {
      (next as { config: unknown }).config = null;
    }).toThrow(TypeError);
    expect(tree.structure(next).equals(tree.structure(s))).toBe(true);
    expect(tree.leaves(next)[3]).toBe(newBias);
  });
});

describe("Module display", () => {
  it("renders its fields in node's inspect", () => {
    const m = new Module({ a: 1, b: [2] });
    expect(inspect(m)).toBe("Module(a=1, b=[ 2 ])");
  });
});
