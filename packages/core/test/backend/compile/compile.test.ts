/**
 * The backend boundary `compile(jaxpr)` on hand-built jaxprs: the schedule follows the
 * primitives' lowering facts (fusable, `unfusedFor`), and the buffer plan follows
 * `outputBuffers` (an unmarked primitive is assumed to return views of its operands).
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../../src/backend/compile/compile.js";
import type { Atom, Eqn, Jaxpr } from "../../../src/jaxpr.js";
import { allPrimitives, definePrimitive } from "../../../src/primitive.js";
import { addP, mulP, subP } from "../../../src/primitives/arithmetic.js";
import { matmulP } from "../../../src/primitives/matmul.js";
import { broadcastInDimP, reduceSumP, reshapeP } from "../../../src/primitives/shape.js";
import { expP, sinP } from "../../../src/primitives/unary.js";
import { ConcreteTensor } from "../../../src/tensor.js";
import { MAX_MASKED_INPUTS } from "../../../src/backend/kernels/fusion.js";
import "../../../src/np/index.js";
import { eqn, newVar, v } from "./jaxpr_builders.js";


function counting(n: number, scale: number): ConcreteTensor {
  const data = new Float32Array(n * n);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 7) % 13) * scale;
  return ConcreteTensor.fromData(data, [n, n], "float32");
}

describe("compile(jaxpr)", () => {
  it("every built-in primitive states its output-buffer fact (fresh or view)", () => {
    const unmarked = [...allPrimitives().values()].filter((p) => !p.name.startsWith("test_") && p.outputBuffers === undefined).map((p) => p.name);
    expect(unmarked).toEqual([]);
  });

  it("fuses a chain of fusable equations into one loop and runs other equations alone", () => {
    const x = newVar([3]);
    const [a, b, c, d] = [newVar([3]), newVar([3]), newVar([3]), newVar([1, 3])];
    const jaxpr: Jaxpr = {
      inVars: [x],
      eqns: [eqn(sinP, [x], a), eqn(mulP, [a, a], b), eqn(addP, [b, x], c), eqn(reshapeP, [c], d, { newShape: [1, 3] })],
      outs: [v(d)],
    };
    const run = compile(jaxpr);
    expect(run.steps.map((s) => (s.kind === "fused" ? `fused(${s.eqns.map((e) => e.prim.name).join(",")})` : s.eqn.prim.name))).toEqual(["fused(sin,mul,add)", "reshape"]);
    const input = ConcreteTensor.fromData(Float32Array.of(0, 1, 2), [3], "float32");
    const [out] = run([input]);
    const expected = [0, 1, 2].map((t) => Math.fround(Math.fround(Math.fround(Math.sin(t)) ** 2) + t));
    expect(Array.from(out!.toTypedArray())).toEqual(expected);
    expect(out!.shape).toEqual([1, 3]);
  });

  it("keeps every fused loop within the inputs whose broadcast scalars it can track, splitting a chain that would read more", () => {
    // acc = x0; acc = acc * x_i + x_i for i = 1..40: a chain of 80 elementwise steps reading 41 inputs.
    const n = 40;
    const xs = Array.from({ length: n + 1 }, () => newVar([3]));
    const eqns: Eqn[] = [];
    let acc = xs[0]!;
    for (let i = 1; i <= n; i++) {
      const p = newVar([3]);
      const q = newVar([3]);
      eqns.push(eqn(mulP, [acc, xs[i]!], p), eqn(addP, [p, xs[i]!], q));
      acc = q;
    }
    const run = compile({ inVars: xs, eqns, outs: [v(acc)] });
    const fused = run.steps.filter((s) => s.kind === "fused");
    expect(fused.length).toBeGreaterThan(1);
    for (const s of fused) expect(s.inputs.length).toBeLessThanOrEqual(MAX_MASKED_INPUTS);
    expect(fused.reduce((count, s) => count + s.eqns.length, 0)).toBe(2 * n);
    const inputs = xs.map((_, i) => ConcreteTensor.fromData(Float32Array.of(0.5 + i / 64, -1 + i / 32, 2 - i / 16), [3], "float32"));
    const [out] = run(inputs);
    const want = [0, 1, 2].map((j) => {
      let r = inputs[0]!.toTypedArray()[j]!;
      for (let i = 1; i <= n; i++) {
        const x = inputs[i]!.toTypedArray()[j]!;
        r = Math.fround(Math.fround(r * x) + x);
      }
      return r;
    });
    expect(Array.from(out!.toTypedArray())).toEqual(want);
  });

  it("runs an equation whose primitive asks for it (unfusedFor) outside fused loops", () => {
    const loneP = definePrimitive({
      name: "test_unfused_neg",
      outputBuffers: "fresh",
      abstractEval: ([x]) => [x!],
      scalarKernel: () => (t: number) => -t,
      unfusedFor: () => true,
      impl: ([x]) => [ConcreteTensor.fromData(Float32Array.from(x!.toTypedArray(), (t) => -t), x!.shape, "float32")],
    });
    const x = newVar([4]);
    const [a, b] = [newVar([4]), newVar([4])];
    const run = compile({ inVars: [x], eqns: [eqn(sinP, [x], a), eqn(loneP, [a], b)], outs: [v(b)] });
    expect(run.steps.map((s) => (s.kind === "fused" ? "fused" : s.eqn.prim.name))).toEqual(["sin", "test_unfused_neg"]);
  });

  it("never hands back a fresh buffer that an unmarked primitive's escaping output may view", () => {
    // An unmarked primitive returning its operand (a view, as far as the executor may know):
    // the matmul's buffer escapes through it and must not be recycled into the next call.
    const identityP = definePrimitive({ name: "test_unmarked_identity", abstractEval: ([x]) => [x!], impl: ([x]) => [x!] });
    expect(identityP.outputBuffers).toBeUndefined();
    const n = 64; // 16 KiB of float32: large enough for the allocator to recycle
    const [a, b, m, out] = [newVar([n, n]), newVar([n, n]), newVar([n, n]), newVar([n, n])];
    const m2 = newVar([n, n]);
    const run = compile({ inVars: [a, b], eqns: [eqn(matmulP, [a, b], m), eqn(identityP, [m], out), eqn(matmulP, [out, b], m2)], outs: [v(out), v(m2)] });
    const [first] = run([counting(n, 1), counting(n, 0.5)]);
    const before = Array.from(first!.toTypedArray());
    for (let k = 0; k < 3; k++) run([counting(n, 2 + k), counting(n, 3)]);
    expect(Array.from(first!.toTypedArray())).toEqual(before);
  });

  it("keeps a fused loop's reused buffer out of an output reached through a view", () => {
    const x = newVar([64, 64]);
    const [s, r] = [newVar([64, 64]), newVar([4096])];
    const run = compile({ inVars: [x], eqns: [eqn(sinP, [x], s), eqn(reshapeP, [s], r, { newShape: [4096] })], outs: [v(r)] });
    const [first] = run([counting(64, 1)]);
    const before = Array.from(first!.toTypedArray());
    run([counting(64, 2)]);
    expect(Array.from(first!.toTypedArray())).toEqual(before);
  });

  describe("an equation that reads an open fused loop waits for the elementwise equations after it", () => {
    const names = (run: ReturnType<typeof compile>) => run.steps.map((s) => (s.kind === "fused" ? `fused(${s.eqns.map((e) => e.prim.name).join(",")})` : s.eqn.prim.name));
    /** Each equation's `impl` in trace order: the values the compiled program must give, bit for bit. */
    function interpret(jaxpr: Jaxpr, inputs: ConcreteTensor[]): ConcreteTensor[] {
      const env = new Map<number, ConcreteTensor>();
      jaxpr.inVars.forEach((x, i) => env.set(x.id, inputs[i]!));
      const read = (a: Atom) => (a.kind === "var" ? env.get(a.v.id)! : (a.value as ConcreteTensor));
      for (const e of jaxpr.eqns) e.prim.impl(e.inputs.map(read), e.params).forEach((t, k) => env.set(e.outputs[k]!.id, t as ConcreteTensor));
      return jaxpr.outs.map(read);
    }
    const bits = (t: ConcreteTensor) => Array.from(t.toTypedArray());
    const input = (shape: number[], scale: number) => {
      const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
      for (let i = 0; i < data.length; i++) data[i] = Math.fround(((i * 5) % 7) * scale - 1);
      return ConcreteTensor.fromData(data, shape, "float32");
    };

    it("the softmax's sum(s) traced between s and exp(s) no longer splits their loop", () => {
      // s = x - y; t = sum(s, 1); u = exp(s); z = sum(u, 1) - t
      const [x, y, s, t, u, w, z] = [newVar([4, 3]), newVar([4, 3]), newVar([4, 3]), newVar([4]), newVar([4, 3]), newVar([4]), newVar([4])];
      const jaxpr: Jaxpr = {
        inVars: [x, y],
        eqns: [eqn(subP, [x, y], s), eqn(reduceSumP, [s], t, { axes: [1] }), eqn(expP, [s], u), eqn(reduceSumP, [u], w, { axes: [1] }), eqn(subP, [w, t], z)],
        outs: [v(z), v(s)],
      };
      const run = compile(jaxpr);
      expect(names(run)).toEqual(["fused(sub,exp)", "reduce_sum", "reduce_sum", "sub"]);
      const args = [input([4, 3], 0.5), input([4, 3], 0.25)];
      const got = run(args);
      interpret(jaxpr, args).forEach((want, k) => expect(bits(got[k]!)).toEqual(bits(want)));
    });

    it("runs as soon as a later equation reads its result, with the loop it reads emitted first", () => {
      // s = sin(x); t = sum(s, 1); u = exp(s); b = broadcast(t); z = b * u
      const [x, s, t, u, b, z] = [newVar([4, 3]), newVar([4, 3]), newVar([4]), newVar([4, 3]), newVar([4, 3]), newVar([4, 3])];
      const jaxpr: Jaxpr = {
        inVars: [x],
        eqns: [
          eqn(sinP, [x], s),
          eqn(reduceSumP, [s], t, { axes: [1] }),
          eqn(expP, [s], u),
          eqn(broadcastInDimP, [t], b, { shape: [4, 3], broadcastDimensions: [0] }),
          eqn(mulP, [b, u], z),
        ],
        outs: [v(z)],
      };
      const run = compile(jaxpr);
      expect(names(run)).toEqual(["fused(sin,exp)", "reduce_sum", "broadcast_in_dim", "mul"]);
      const args = [input([4, 3], 0.75)];
      expect(bits(run(args)[0]!)).toEqual(bits(interpret(jaxpr, args)[0]!));
    });

    it("at most one waits: a second reader of an open loop first runs the one waiting, in trace order", () => {
      // s = sin(x); t = sum(s, 1); u = exp(s); m = s @ w; z = m + u (the product stays right after the loop)
      const [x, w, s, t, u, m, z] = [newVar([4, 4]), newVar([4, 4]), newVar([4, 4]), newVar([4]), newVar([4, 4]), newVar([4, 4]), newVar([4, 4])];
      const jaxpr: Jaxpr = {
        inVars: [x, w],
        eqns: [eqn(sinP, [x], s), eqn(reduceSumP, [s], t, { axes: [1] }), eqn(expP, [s], u), eqn(matmulP, [s, w], m), eqn(addP, [m, u], z)],
        outs: [v(t), v(m), v(z)],
      };
      const run = compile(jaxpr);
      expect(names(run)).toEqual(["fused(sin,exp)", "reduce_sum", "matmul", "add"]);
      const args = [input([4, 4], 0.5), input([4, 4], 0.125)];
      const got = run(args);
      interpret(jaxpr, args).forEach((want, k) => expect(bits(got[k]!)).toEqual(bits(want)));
    });
  });
});
