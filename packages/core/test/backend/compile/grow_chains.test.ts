import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Eqn, Jaxpr, Var } from "../../../src/jaxpr.js";
import { compile } from "../../../src/backend/compile/compile.js";
import { growChains } from "../../../src/backend/compile/grow_chains.js";
import { escapingSlots, recyclingPlan } from "../../../src/backend/compile/buffer_plan.js";
import { fuse } from "../../../src/backend/compile/fuse.js";
import { matmulP } from "../../../src/primitives/matmul.js";
import { addP } from "../../../src/primitives/arithmetic.js";
import { transposeP } from "../../../src/primitives/shape.js";
import { concatenateExtendP, concatenateOpenP, concatenateP } from "../../../src/primitives/concatenate.js";
import { ConcreteTensor } from "../../../src/tensor.js";
import { bind1 } from "../../../src/trace.js";
import { eqn, newVar, v } from "./jaxpr_builders.js";
import { residentAddress } from "../../../src/backend/resident_storage.js";
import { heapAvailable } from "../../../src/backend/threads/kernel_heap.js";

const names = (eqns: readonly Eqn[]) => eqns.map((e) => e.prim.name);

/** Deterministic values of `shape`, different per `seed`. */
function values(shape: number[], seed: number, dtype: "float32" | "float64" = "float32"): ConcreteTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.sin(i * 0.37 + seed * 1.3) * 3;
  return ConcreteTensor.fromData(data, shape, dtype);
}

const concat = (inputs: Var[], out: Var, axis = 0) => eqn(concatenateP, inputs, out, { axis });

/**
 * A densely connected network's forward pass: layer k reads the concatenation of the input and
 * every earlier layer's activations, `h_k = W_k · [x; h_1; ...; h_{k-1}]` (features-major,
 * `batch` columns), and every concatenation is also returned (so the test sees its value).
 */
function denseChain(layers: number, width: number, batch: number, returnJoined = true): { jaxpr: Jaxpr; inputs: ConcreteTensor[] } {
  const x = newVar([2, batch]);
  const weights: Var[] = [];
  const inputs = [values([2, batch], 0)];
  const eqns: Eqn[] = [];
  const pieces: Var[] = [x];
  const outs: Var[] = [];
  for (let k = 0; k < layers; k++) {
    const rows = 2 + k * width;
    const joined = newVar([rows, batch]);
    if (k > 0) {
      eqns.push(concat([...pieces], joined));
      if (returnJoined) outs.push(joined);
    }
    const w = newVar([width, rows]);
    weights.push(w);
    inputs.push(values([width, rows], k + 1));
    const h = newVar([width, batch]);
    eqns.push(eqn(matmulP, [w, k > 0 ? joined : x], h));
    pieces.push(h);
  }
  const last = newVar([2 + layers * width, batch]);
  eqns.push(concat([...pieces], last));
  if (returnJoined) outs.push(last);
  else {
    // The last concatenation's product with a weight, as an output layer's.
    const w = newVar([3, 2 + layers * width]);
    weights.push(w);
    inputs.push(values([3, 2 + layers * width], 99));
    const y = newVar([3, batch]);
    eqns.push(eqn(matmulP, [w, last], y));
    outs.push(y, pieces[pieces.length - 1]!);
  }
  return { jaxpr: { inVars: [x, ...weights], eqns, outs: outs.map(v) }, inputs };
}

/** The program evaluated equation by equation through each primitive's impl (no compile). */
function evaluate(jaxpr: Jaxpr, inputs: ConcreteTensor[]): ConcreteTensor[] {
  const env = new Map<number, ConcreteTensor>();
  jaxpr.inVars.forEach((x, i) => env.set(x.id, inputs[i]!));
  for (const e of jaxpr.eqns) {
    const outs = e.prim.impl(
      e.inputs.map((a) => (a.kind === "var" ? env.get(a.v.id)! : (a.value as ConcreteTensor))),
      e.params,
    );
    e.outputs.forEach((o, i) => env.set(o.id, outs[i]!));
  }
  return jaxpr.outs.map((a) => (a.kind === "var" ? env.get(a.v.id)! : (a.value as ConcreteTensor)));
}

const bits = (t: ConcreteTensor) => Array.from(t.toTypedArray());

describe("growChains", () => {
  it("turns concatenations that each extend the one before into one open and extends, capacity the last's rows", () => {
    const { jaxpr } = denseChain(4, 3, 5);
    const grown = growChains(jaxpr);
    expect(names(grown.eqns).filter((n) => n.startsWith("concatenate"))).toEqual(["concatenate_open", "concatenate_extend", "concatenate_extend", "concatenate_extend"]);
    const open = grown.eqns.find((e) => e.prim === concatenateOpenP)!;
    expect(open.params).toEqual({ capacity: 2 + 4 * 3 });
    // Each extend reads the previous result, then only the operands after the previous one's.
    const chain = grown.eqns.filter((e) => e.prim === concatenateOpenP || e.prim === concatenateExtendP);
    for (let k = 1; k < chain.length; k++) {
      expect(chain[k]!.inputs.length).toBe(2);
      expect(chain[k]!.inputs[0]).toEqual(v(chain[k - 1]!.outputs[0]!));
    }
    // Results keep their variables and places; the input program is left as it was.
    expect(grown.eqns.map((e) => e.outputs)).toEqual(jaxpr.eqns.map((e) => e.outputs));
    expect(names(jaxpr.eqns).filter((n) => n.startsWith("concatenate"))).toEqual(Array(4).fill("concatenate"));
  });

  it("leaves alone concatenations along another axis, with other operands or another order, and lone ones", () => {
    const [a, b, c] = [newVar([2, 3]), newVar([2, 3]), newVar([2, 3])];
    const [ab, abc, ba, bac, ab1, abc1] = [newVar([4, 3]), newVar([6, 3]), newVar([4, 3]), newVar([6, 3]), newVar([2, 6]), newVar([2, 9])];
    const programs: Jaxpr[] = [
      { inVars: [a, b, c], eqns: [concat([a, b], ab1, 1), concat([a, b, c], abc1, 1)], outs: [v(ab1), v(abc1)] },
      { inVars: [a, b, c], eqns: [concat([a, b], ab), concat([b, a, c], bac)], outs: [v(ab), v(bac)] },
      { inVars: [a, b, c], eqns: [concat([b, a], ba), concat([a, b, c], abc)], outs: [v(ba), v(abc)] },
      { inVars: [a, b], eqns: [concat([a, b], ab)], outs: [v(ab)] },
    ];
    for (const p of programs) expect(growChains(p)).toBe(p);
  });

  it("extends each equation once: a second extension of the same prefix stays a concatenation", () => {
    const [a, b, c, d] = [newVar([1, 4]), newVar([2, 4]), newVar([3, 4]), newVar([1, 4])];
    const [ab, abc, abd, abcd] = [newVar([3, 4]), newVar([6, 4]), newVar([4, 4]), newVar([7, 4])];
    const jaxpr: Jaxpr = { inVars: [a, b, c, d], eqns: [concat([a, b], ab), concat([a, b, c], abc), concat([a, b, d], abd), concat([a, b, c, d], abcd)], outs: [v(ab), v(abc), v(abd), v(abcd)] };
    const grown = growChains(jaxpr);
    expect(names(grown.eqns)).toEqual(["concatenate_open", "concatenate_extend", "concatenate", "concatenate_extend"]);
    expect(grown.eqns[0]!.params).toEqual({ capacity: 7 });
    const inputs = [values([1, 4], 1), values([2, 4], 2), values([3, 4], 3), values([1, 4], 4)];
    const expected = evaluate(jaxpr, inputs);
    const got = compile(jaxpr)(inputs);
    got.forEach((t, i) => expect(bits(t)).toEqual(bits(expected[i]!)));
  });

  it("a compiled chain gives every concatenation's and product's bits, call after call, and leaves its inputs as they were", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 70 }), (layers, width, batch) => {
        const { jaxpr, inputs } = denseChain(layers, width, batch);
        const before = inputs.map(bits);
        const run = compile(jaxpr);
        expect(run.steps.some((s) => s.kind === "eqn" && s.eqn.prim === concatenateExtendP)).toBe(true);
        const expected = evaluate(jaxpr, inputs).map(bits);
        const first = run(inputs);
        const second = run(inputs);
        // The first call's results are still theirs after the second (each call grows a new buffer).
        first.forEach((t, i) => expect(bits(t)).toEqual(expected[i]));
        second.forEach((t, i) => expect(bits(t)).toEqual(expected[i]));
        inputs.forEach((t, i) => expect(bits(t)).toEqual(before[i]));
      }),
      { numRuns: 25 },
    );
  });

  it("grows the layer inputs of a large float32 network in the kernel memory, where products read them in place: the same bits", () => {
    const { jaxpr, inputs } = denseChain(4, 128, 250, false);
    const expected = evaluate(jaxpr, inputs).map(bits);
    // Where each grown result lives: blocks of the kernel memory when threads are available
    // (compile binds each impl as it compiles, so it is wrapped first).
    const homes: number[] = [];
    const impl = concatenateExtendP.impl;
    concatenateExtendP.impl = (xs, params) => {
      const outs = impl.call(concatenateExtendP, xs, params);
      homes.push(residentAddress(outs[0]!.data));
      return outs;
    };
    try {
      const run = compile(jaxpr);
      for (let call = 0; call < 3; call++) run(inputs).forEach((t, i) => expect(bits(t)).toEqual(expected[i]));
    } finally {
      concatenateExtendP.impl = impl;
    }
    expect(homes.length).toBe(9);
    if (heapAvailable()) expect(homes.every((h) => h >= 0)).toBe(true);
  });
});

describe("the buffer plan of a grown chain", () => {
  it("hands a block back after the extend that copies it in, and the chain's buffer after its last reader (viewsOperands)", () => {
    // p1 = a·w, c1 = open([x, p1]), p2 = a·w2, c2 = extend(c1, p2), y = c2ᵀ·c2: every matmul result is fresh.
    const n = 32;
    const [x, a, w, w2] = [newVar([1, n]), newVar([n, n]), newVar([n, n]), newVar([n, n])];
    const [p1, c1, p2, c2, c2t, y] = [newVar([n, n]), newVar([n + 1, n]), newVar([n, n]), newVar([2 * n + 1, n]), newVar([n, 2 * n + 1]), newVar([n, n])];
    const eqns: Eqn[] = [
      eqn(matmulP, [a, w], p1),
      eqn(concatenateOpenP, [x, p1], c1, { capacity: 2 * n + 1 }),
      eqn(matmulP, [a, w2], p2),
      eqn(concatenateExtendP, [c1, p2], c2),
      eqn(transposeP, [c2], c2t, { permutation: [1, 0] }),
      eqn(matmulP, [c2t, c2], y),
    ];
    const jaxpr: Jaxpr = { inVars: [x, a, w, w2], eqns, outs: [v(y)] };
    const slotMap = new Map<number, number>();
    [...jaxpr.inVars, ...eqns.flatMap((e) => e.outputs)].forEach((x, i) => slotMap.set(x.id, i));
    const steps = fuse(jaxpr);
    const plan = recyclingPlan(steps, jaxpr, slotMap);
    const after = (x: Var) => [...plan].find(([, slots]) => slots.includes(slotMap.get(x.id)!))?.[0];
    expect(after(p2)).toBe(3); // right after the extend copied it in
    expect(after(p1)).toBe(1); // right after the open copied it in
    expect(after(c1)).toBe(5); // the chain's buffer: after the product reading c2 (and c2ᵀ)
    // Returned, the chain's result keeps its buffer (c1's) out of the plan, not the blocks copied in.
    const returned: Jaxpr = { ...jaxpr, outs: [v(y), v(c2)] };
    const escaping = escapingSlots(steps, returned, slotMap);
    expect(escaping.has(slotMap.get(c1.id)!)).toBe(true);
    expect(escaping.has(slotMap.get(p2.id)!)).toBe(false);
    const returnedPlan = recyclingPlan(steps, returned, slotMap);
    expect([...returnedPlan.values()].flat()).not.toContain(slotMap.get(c1.id)!);
    expect([...returnedPlan.values()].flat()).toContain(slotMap.get(p2.id)!);
    // And the program gives every value, call after call, with blocks handed back early.
    const inputs = [values([1, n], 1), values([n, n], 2), values([n, n], 3), values([n, n], 4)];
    const expected = evaluate(returned, inputs).map(bits);
    const run = compile(returned);
    const first = run(inputs);
    for (let call = 0; call < 3; call++) run(inputs).forEach((t, i) => expect(bits(t)).toEqual(expected[i]));
    first.forEach((t, i) => expect(bits(t)).toEqual(expected[i]));
  });
});

describe("concatenate_open and concatenate_extend", () => {
  const x = values([1, 3], 1);
  const h1 = values([2, 3], 2);
  const h2 = values([2, 3], 3);
  const h3 = values([1, 3], 4);

  it("are concatenations: extend writes after the latest result in place, and copies otherwise", () => {
    const [c1] = concatenateOpenP.impl([x, h1], { capacity: 6 });
    const [c2] = concatenateExtendP.impl([c1!, h2], {});
    expect(c2!.data).toBe(c1!.data);
    expect(bits(c2!)).toEqual(bits(bind1(concatenateP, [x, h1, h2], { axis: 0 }).concrete()));
    expect(bits(c1!)).toEqual(bits(bind1(concatenateP, [x, h1], { axis: 0 }).concrete()));
    // c1 is no longer the latest: extending it again must not write over c2's rows.
    const [other] = concatenateExtendP.impl([c1!, h3], {});
    expect(other!.data).not.toBe(c1!.data);
    expect(bits(other!)).toEqual(bits(bind1(concatenateP, [x, h1, h3], { axis: 0 }).concrete()));
    expect(bits(c2!)).toEqual(bits(bind1(concatenateP, [x, h1, h2], { axis: 0 }).concrete()));
    // Past the capacity, or from a tensor that no open made: a new concatenation.
    const [c3] = concatenateExtendP.impl([c2!, h2], {});
    expect(c3!.data).not.toBe(c2!.data);
    expect(bits(c3!)).toEqual(bits(bind1(concatenateP, [x, h1, h2, h2], { axis: 0 }).concrete()));
    const [plain] = concatenateExtendP.impl([h1, h2], {});
    expect(bits(plain!)).toEqual(bits(bind1(concatenateP, [h1, h2], { axis: 0 }).concrete()));
  });

  it("never write into an array they did not make: a view of a user's array is copied", () => {
    const big = values([6, 3], 9);
    const before = bits(big);
    const top = ConcreteTensor.view(big, [2, 3], [3, 1], 0);
    const [joined] = concatenateExtendP.impl([top, h2], {});
    expect(bits(big)).toEqual(before);
    expect(bits(joined!)).toEqual(bits(bind1(concatenateP, [top, h2], { axis: 0 }).concrete()));
    const [t] = transposeP.impl([values([3, 2], 5)], { permutation: [1, 0] });
    const [c] = concatenateOpenP.impl([t!, h1], { capacity: 4 });
    expect(bits(c!)).toEqual(bits(bind1(concatenateP, [t!, h1], { axis: 0 }).concrete()));
  });

  it("name themselves in shape, dtype and capacity errors", () => {
    const f32 = (shape: number[]) => ({ shape, dtype: "float32" as const, weakType: false });
    expect(() => concatenateOpenP.abstractEval([f32([2, 3]), f32([2, 4])], { capacity: 9 })).toThrow(/concatenate_open: shapes \[2, 3\], \[2, 4\] differ outside axis 0/);
    expect(() => concatenateExtendP.abstractEval([f32([2, 3]), { shape: [1, 3], dtype: "int32", weakType: false }], {})).toThrow(/concatenate_extend: operand dtypes differ/);
    expect(() => concatenateOpenP.abstractEval([f32([2, 3]), f32([1, 3])], { capacity: 2 })).toThrow(/concatenate_open: capacity 2 is not an integer at least the result's 3 rows/);
    expect(() => concatenateOpenP.abstractEval([f32([])], { capacity: 1 })).toThrow(/concatenate_open: axis 0 is invalid/);
    expect(() => concatenateExtendP.abstractEval([], {})).toThrow(/concatenate_extend: needs the prefix operand/);
  });

  it("concatenate names the growing forms along axis 0 only", () => {
    const f32 = (shape: number[]) => ({ shape, dtype: "float32" as const, weakType: false });
    expect(concatenateP.growsWith!([f32([2, 3]), f32([1, 3])], { axis: 0 })).toEqual({ open: concatenateOpenP, extend: concatenateExtendP });
    expect(concatenateP.growsWith!([f32([2, 3]), f32([2, 1])], { axis: 1 })).toBeUndefined();
    // A chain's results still feed other work unchanged: add reads a grown view.
    const [c1] = concatenateOpenP.impl([h1, h2], { capacity: 5 });
    const [sum] = addP.impl([c1!, c1!], {});
    expect(bits(sum!)).toEqual(bits(c1!).map((y) => Math.fround(2 * y)));
  });
});
