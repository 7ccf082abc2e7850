import { describe, expect, it } from "vitest";
import { bind1, definePrimitive, MissingRuleError, np, type Tensor } from "@connex/core";
import { grad, jvp, vmap } from "../src/index.js";

// A primitive with only an eager kernel: every transformation must refuse it by name.
const doubleP = definePrimitive({
  name: "test_double_without_rules",
  abstractEval: ([x]) => [x!],
  impl: ([x]) => [np.multiply(x!, 2).concrete()],
});
const double = (x: Tensor) => bind1(doubleP, [x]);

describe("a primitive without rules", () => {
  const x = np.array([1, 2], { dtype: "float64" });
  it("runs eagerly", () => {
    expect(double(x).toArray()).toEqual([2, 4]);
  });
  it("fails under grad, jvp and vmap naming the primitive and the transformation", () => {
    expect(() => grad((v: Tensor) => np.sum(double(v)))(x)).toThrow(MissingRuleError);
    expect(() => grad((v: Tensor) => np.sum(double(v)))(x)).toThrow(/test_double_without_rules.*vjp rule.*grad/);
    expect(() => jvp(double, [x], [x])).toThrow(/test_double_without_rules.*jvp rule/);
    expect(() => vmap(double)(np.ones([3, 2]))).toThrow(/test_double_without_rules.*batch rule.*vmap/);
  });
});
