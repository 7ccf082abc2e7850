import { describe, expect, it } from "vitest";
import { grad, jit, vmap } from "@connex/autodiff";
import { AxisError, DTypeError, ValueError, nn, np } from "../../src/index.js";

describe("nn.oneHot", () => {
  it("encodes labels along a new last axis, float32 by default", () => {
    const out = nn.oneHot(np.array([0, 2, 1]), 3);
    expect(out.dtype).toBe("float32");
    expect(out.shape).toEqual([3, 3]);
    expect(out.toArray()).toEqual([
      [1, 0, 0],
      [0, 0, 1],
      [0, 1, 0],
    ]);
  });

  it("gives all-zero rows for labels outside [0, numClasses), as JAX", () => {
    expect(nn.oneHot(np.array([-1, 3, 1]), 3).toArray()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [0, 1, 0],
    ]);
    expect(nn.oneHot(np.array([5, 0], { dtype: "uint32" }), 2).toArray()).toEqual([
      [0, 0],
      [1, 0],
    ]);
  });

  it("takes a dtype, an axis, JS arrays, scalars and higher-rank labels", () => {
    expect(nn.oneHot(np.array([1]), 2, { dtype: "int32" }).dtype).toBe("int32");
    const asBool = nn.oneHot(np.array([1]), 2, { dtype: "bool" });
    expect(asBool.dtype).toBe("bool");
    expect(Array.from(asBool.toTypedArray())).toEqual([0, 1]);
    expect(nn.oneHot([0, 1], 2, { dtype: "float64" }).dtype).toBe("float64");
    expect(nn.oneHot(np.array(2), 3).toArray()).toEqual([0, 0, 1]);
    const t = nn.oneHot(np.array([[0, 1], [1, 1]]), 2);
    expect(t.shape).toEqual([2, 2, 2]);
    // axis 0: result[c, i] = labels[i] == c
    expect(nn.oneHot(np.array([0, 2]), 3, { axis: 0 }).toArray()).toEqual([
      [1, 0],
      [0, 0],
      [0, 1],
    ]);
    expect(nn.oneHot(np.array([], { dtype: "int32" }), 4).shape).toEqual([0, 4]);
    expect(nn.oneHot(np.array([1]), 0).shape).toEqual([1, 0]);
  });

  it("rejects float labels, bad numClasses, unknown options and out-of-range axes", () => {
    expect(() => nn.oneHot(np.array([0.5, 1.5]), 3)).toThrow(DTypeError);
    expect(() => nn.oneHot(np.array([0.5, 1.5]), 3)).toThrow(/integer dtype.*float32/);
    expect(() => nn.oneHot(np.array([0]), -1)).toThrow(ValueError);
    expect(() => nn.oneHot(np.array([0]), 2.5)).toThrow(/numClasses.*2\.5/);
    expect(() => nn.oneHot(np.array([0]), 2, { dtyp: "float32" } as never)).toThrow(/unknown option "dtyp"/);
    expect(() => nn.oneHot(np.array([0]), 2, { axis: 2 })).toThrow(AxisError);
    expect(() => nn.oneHot(np.array([0]), 2, { dtype: "float16" as never })).toThrow(DTypeError);
  });

  it("agrees under jit and vmap, and is constant for grad", () => {
    const labels = np.array([2, 0, 1, 3]);
    const eager = nn.oneHot(labels, 3).toArray();
    expect(jit((l: typeof labels) => nn.oneHot(l, 3))(labels).toArray()).toEqual(eager);
    expect(vmap((l: typeof labels) => nn.oneHot(l, 3))(labels).toArray()).toEqual(eager);
    const g = grad((x: typeof labels) => np.sum(np.multiply(nn.oneHot(np.array([1, 0]), 2), x)))(np.array([[1, 2], [3, 4]], { dtype: "float32" }));
    expect(g.toArray()).toEqual([
      [0, 1],
      [1, 0],
    ]);
  });
});
