import { describe, expect, it } from "vitest";
import type { Eqn, Jaxpr } from "../../../src/jaxpr.js";
import { compile } from "../../../src/backend/compile/compile.js";
import { mergeJointEquations } from "../../../src/backend/compile/merge_joint.js";
import { addP, mulP } from "../../../src/primitives/arithmetic.js";
import { geluTanhDerivativeP, geluTanhP, geluTanhWithDerivativeP } from "../../../src/primitives/unary.js";
import { ConcreteTensor } from "../../../src/tensor.js";
import { definePrimitive, type Primitive } from "../../../src/primitive.js";
import { bind1 } from "../../../src/trace.js";
import { eqn, newVar, v } from "./jaxpr_builders.js";

const jointAB: Primitive = definePrimitive({ name: "test_joint_ab", outputBuffers: "fresh", abstractEval: ([x]) => [x!, x!], impl: ([x]) => [x!, x!] });
const jointB: Primitive = definePrimitive({ name: "test_joint_b", outputBuffers: "fresh", abstractEval: ([x]) => [x!], impl: ([x]) => [x!] });
const jointA: Primitive = definePrimitive({ name: "test_joint_a", outputBuffers: "fresh", abstractEval: ([x]) => [x!], impl: ([x]) => [x!], jointWith: () => ({ partner: jointB, joint: jointAB }) });

/** float32 values of every kind GELU meets (both tails, zero, a NaN), `n` of them. */
function values(n: number, dtype: "float32" | "float64" = "float32"): ConcreteTensor {
  const data = dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = i === 3 ? NaN : Math.sin(i * 1.7) * 7;
  return ConcreteTensor.fromData(data, [n], dtype);
}

const names = (eqns: readonly Eqn[]) => eqns.map((e) => e.prim.name);

/**
 * A training step's pattern: y = gelu(x), a product in between, then the derivative at x for
 * the backward pass and the chain rule's product: [y · w, ct · gelu'(x)].
 */
function forwardAndBackward(n: number, dtype: "float32" | "float64" = "float32"): { jaxpr: Jaxpr; eqns: Eqn[] } {
  const [x, w, ct, y, yw, d, dx] = [newVar([n], dtype), newVar([n], dtype), newVar([n], dtype), newVar([n], dtype), newVar([n], dtype), newVar([n], dtype), newVar([n], dtype)];
  const eqns = [eqn(geluTanhP, [x], y), eqn(mulP, [y, w], yw), eqn(geluTanhDerivativeP, [x], d), eqn(mulP, [ct, d], dx)];
  return { jaxpr: { inVars: [x, w, ct], eqns, outs: [v(yw), v(dx)] }, eqns };
}

describe("mergeJointEquations", () => {
  it("merges gelu_tanh and gelu_tanh_derivative of one float32 operand into one equation at the earlier one's place", () => {
    const { jaxpr, eqns } = forwardAndBackward(256);
    const merged = mergeJointEquations(jaxpr);
    expect(names(merged.eqns)).toEqual(["gelu_tanh_with_derivative", "mul", "mul"]);
    const joint = merged.eqns[0]!;
    expect(joint.prim).toBe(geluTanhWithDerivativeP);
    expect(joint.inputs).toBe(eqns[0]!.inputs);
    // The two results keep their variables: every reader still finds them.
    expect(joint.outputs).toEqual([eqns[0]!.outputs[0], eqns[2]!.outputs[0]]);
    // The input jaxpr is left as it was.
    expect(names(jaxpr.eqns)).toEqual(["gelu_tanh", "mul", "gelu_tanh_derivative", "mul"]);
  });

  it("merges when the derivative comes first too, and each operand's pair on its own", () => {
    const [a, b, ga, gb, da, db] = [newVar([100]), newVar([100]), newVar([100]), newVar([100]), newVar([100]), newVar([100])];
    const jaxpr: Jaxpr = {
      inVars: [a, b],
      eqns: [eqn(geluTanhDerivativeP, [a], da), eqn(geluTanhP, [b], gb), eqn(geluTanhP, [a], ga), eqn(geluTanhDerivativeP, [b], db)],
      outs: [v(ga), v(gb), v(da), v(db)],
    };
    const merged = mergeJointEquations(jaxpr);
    expect(names(merged.eqns)).toEqual(["gelu_tanh_with_derivative", "gelu_tanh_with_derivative"]);
    expect(merged.eqns.map((e) => e.outputs)).toEqual([
      [ga, da],
      [gb, db],
    ]);
  });

  it("leaves alone what would not run as WebAssembly kernels (small or float64 operands), unpaired equations and other operands", () => {
    for (const { jaxpr } of [forwardAndBackward(63), forwardAndBackward(256, "float64")]) expect(mergeJointEquations(jaxpr)).toBe(jaxpr);
    const [x, z, y, d] = [newVar([300]), newVar([300]), newVar([300]), newVar([300])];
    const different: Jaxpr = { inVars: [x, z], eqns: [eqn(geluTanhP, [x], y), eqn(geluTanhDerivativeP, [z], d)], outs: [v(y), v(d)] };
    expect(mergeJointEquations(different)).toBe(different);
    const alone: Jaxpr = { inVars: [x], eqns: [eqn(geluTanhP, [x], y), eqn(addP, [y, x], d)], outs: [v(d)] };
    expect(mergeJointEquations(alone)).toBe(alone);
  });

  it("pairs equations of equal params only, and reads a constant operand by identity", () => {
    // Test primitives: `test_joint_a` names `test_joint_b` as its partner for any operands.
    const x = newVar([8]);
    const [ya, yb, za, zb] = [newVar([8]), newVar([8]), newVar([8]), newVar([8])];
    const constant = ConcreteTensor.fromData(new Float32Array(8), [8], "float32");
    const other = ConcreteTensor.fromData(new Float32Array(8), [8], "float32");
    const onConstant = (prim: typeof jointA, c: ConcreteTensor, out: typeof x, params: unknown = {}): Eqn => ({ prim, params, inputs: [{ kind: "const", value: c }], outputs: [out] });
    const differentParams: Jaxpr = { inVars: [x], eqns: [eqn(jointA, [x], ya, { k: 1 }), eqn(jointB, [x], yb, { k: 2 })], outs: [v(ya), v(yb)] };
    expect(mergeJointEquations(differentParams)).toBe(differentParams);
    const equalParams: Jaxpr = { inVars: [x], eqns: [eqn(jointA, [x], ya, { k: 1 }), eqn(jointB, [x], yb, { k: 1 })], outs: [v(ya), v(yb)] };
    expect(mergeJointEquations(equalParams).eqns.map((e) => [e.prim.name, e.params])).toEqual([["test_joint_ab", { k: 1 }]]);
    const constants: Jaxpr = { inVars: [], eqns: [onConstant(jointA, constant, ya), onConstant(jointB, other, yb), onConstant(jointB, constant, za), onConstant(jointA, other, zb)], outs: [v(ya), v(yb), v(za), v(zb)] };
    expect(mergeJointEquations(constants).eqns.map((e) => e.outputs)).toEqual([
      [ya, za],
      [zb, yb],
    ]);
  });

  it("a compiled program with a merged pair gives the bits of each equation's own impl, on the WebAssembly path and on one thread's scalar path", () => {
    for (const n of [4099, 256, 64]) {
      const { jaxpr } = forwardAndBackward(n);
      const run = compile(jaxpr);
      expect(run.steps.some((s) => s.kind === "eqn" && s.eqn.prim === geluTanhWithDerivativeP)).toBe(true);
      const [x, w, ct] = [values(n), values(n), values(n)];
      const [yw, dx] = run([x, w, ct]);
      const expectedYw = bind1(mulP, [bind1(geluTanhP, [x]), w]).toTypedArray();
      const expectedDx = bind1(mulP, [ct, bind1(geluTanhDerivativeP, [x])]).toTypedArray();
      expect(Array.from(yw!.toTypedArray())).toEqual(Array.from(expectedYw));
      expect(Array.from(dx!.toTypedArray())).toEqual(Array.from(expectedDx));
    }
  });
});

describe("gelu_tanh_with_derivative", () => {
  it("gives gelu_tanh's and gelu_tanh_derivative's results bit for bit, for float32 (kernel and scalar lengths) and float64", () => {
    for (const x of [values(5000), values(70), values(10), values(300, "float64")]) {
      const [value, derivative] = geluTanhWithDerivativeP.impl([x], {});
      expect(value!.dtype).toBe(x.dtype);
      expect(Array.from(value!.toTypedArray())).toEqual(Array.from(bind1(geluTanhP, [x]).toTypedArray()));
      expect(Array.from(derivative!.toTypedArray())).toEqual(Array.from(bind1(geluTanhDerivativeP, [x]).toTypedArray()));
    }
  });

  it("reads a strided view as its values, and names itself when the dtype is wrong", () => {
    const x = values(400);
    const strided = ConcreteTensor.view(x, [200], [2], 1);
    const [value] = geluTanhWithDerivativeP.impl([strided], {});
    expect(Array.from(value!.toTypedArray())).toEqual(Array.from(bind1(geluTanhP, [ConcreteTensor.fromData(Float32Array.from(strided.toTypedArray()), [200], "float32")]).toTypedArray()));
    expect(() => geluTanhWithDerivativeP.abstractEval([{ shape: [3], dtype: "int32", weakType: false }], {})).toThrow(/gelu_tanh_with_derivative/);
  });
});
