/**
 * A fused loop writes a result of the call into the storage of an input it reads last (a
 * donated argument, or an intermediate handed back after it), where its program runs as its
 * own Wasm function: the bits are the undonated call's, the donated argument is deleted, the
 * result stays valid, and a loop of calls takes no new memory.
 */
import { afterEach, describe, expect, it } from "vitest";
import { compile } from "../../../src/backend/compile/compile.js";
import type { Jaxpr } from "../../../src/jaxpr.js";
import { addP, mulP } from "../../../src/primitives/arithmetic.js";
import { reshapeP } from "../../../src/primitives/shape.js";
import { ConcreteTensor } from "../../../src/tensor.js";
import { residentAddress, residentPolicy, setResidentPolicy, type ResidentPolicy } from "../../../src/backend/resident_storage.js";
import { heapAvailable, heapStats } from "../../../src/backend/threads/kernel_heap.js";
import { setFusedKernels } from "../../../src/backend/kernels/wasm/elementwise_wasm.js";
import { DeletedArrayError } from "../../../src/errors.js";
import "../../../src/np/index.js";
import { eqn, newVar, v } from "./jaxpr_builders.js";

const N = 100_000;

/** `x · w + x` over `[N]` (one fused loop of mul and add). */
function update(): Jaxpr {
  const [x, w, p, q] = [newVar([N]), newVar([N]), newVar([N]), newVar([N])];
  return { inVars: [x, w], eqns: [eqn(mulP, [x, w], p), eqn(addP, [p, x], q)], outs: [v(q)] };
}

function values(seed: number): ConcreteTensor {
  const data = new Float32Array(N);
  for (let i = 0; i < N; i++) data[i] = Math.sin(i * 0.37 + seed) * 3;
  return ConcreteTensor.fromData(data, [N], "float32");
}

const bits = (t: ConcreteTensor) => Buffer.from(t.toTypedArray().buffer).toString("base64");

afterEach(() => {
  setFusedKernels(true);
});

describe.skipIf(!heapAvailable())("fused results in the storage of inputs read last", () => {
  it("writes the result into the donated argument's block, with the undonated call's bits", () => {
    const plain = compile(update());
    const donating = compile(update(), { donated: [true, false] });
    const w = values(1);
    // The argument goes into the kernel memory the way a donating loop's results do: a first call.
    let x = donating([values(0), w])[0]!;
    for (let i = 0; i < 5; i++) {
      const want = bits(plain([x, w])[0]!);
      const at = residentAddress(x.data);
      expect(at).toBeGreaterThanOrEqual(0);
      const [y] = donating([x, w]);
      expect(residentAddress(y!.data)).toBe(at);
      expect(bits(y!)).toBe(want);
      expect(() => x.toTypedArray()).toThrow(DeletedArrayError);
      x = y!;
    }
  });

  it("a call that throws leaves the caller's resident policy as it was, donating or not", () => {
    const plain = compile(update());
    const donating = compile(update(), { donated: [true, false] });
    const w = values(4);
    // An argument with a storage array but no view: the call fails inside its first step (the
    // executor checks only that its arguments are not deleted; jit validates them before). A
    // new one per call: a failed donating call deletes its donated arguments.
    const broken = () => ({ shape: [N], dtype: "float32", nd: { data: new Float32Array(N) } }) as unknown as ConcreteTensor;
    for (const caller of ["off", "reuse", "grow"] as ResidentPolicy[]) {
      for (const run of [plain, donating]) {
        const before = setResidentPolicy(caller);
        try {
          expect(() => run([broken(), w])).toThrow(TypeError);
          expect(residentPolicy()).toBe(caller);
        } finally {
          setResidentPolicy(before);
        }
      }
    }
    // And the executables still work afterwards.
    expect(bits(plain([values(6), w])[0]!)).toBe(bits(donating([values(6), w])[0]!));
  });

  it("takes no new memory in a loop of calls", () => {
    const donating = compile(update(), { donated: [true, false] });
    const w = values(2);
    let x = donating([values(3), w])[0]!;
    x = donating([x, w])[0]!;
    const before = heapStats();
    for (let i = 0; i < 30; i++) x = donating([x, w])[0]!;
    expect(heapStats().top).toBe(before.top);
    expect(heapStats().used).toBe(before.used);
  });

  it("writes a new block on the building blocks (no own function), with the same bits", () => {
    const plain = compile(update());
    const donating = compile(update(), { donated: [true, false] });
    const w = values(4);
    const x = donating([values(5), w])[0]!;
    const want = bits(plain([x, w])[0]!);
    const at = residentAddress(x.data);
    setFusedKernels(false);
    const [y] = donating([x, w]);
    expect(residentAddress(y!.data)).not.toBe(at);
    expect(bits(y!)).toBe(want);
  });

  it("throws DeletedArrayError for a deleted argument, before running or deleting anything", () => {
    const donating = compile(update(), { donated: [true, false] });
    const w = values(7);
    const x = donating([values(8), w])[0]!;
    const y = donating([x, w])[0]!;
    const want = bits(y);
    expect(() => donating([x, w])).toThrow(DeletedArrayError);
    expect(() => donating([x, w])).toThrow(/compile: the array \(float32 \[100000\], input 0 of the compiled program\) was donated/);
    // A deleted second argument (undonated there) is named too; the live arguments stay live.
    expect(() => compile(update())([y, x])).toThrow(/input 1 of the compiled program/);
    expect(bits(y)).toBe(want);
    expect(w.isDeleted()).toBe(false);
  });

  it("does not write over a donated argument that another operand of the loop views", () => {
    // q = x · view(x): the view shares x's storage, so writing q there would change what it reads.
    const [x, xv, q] = [newVar([N]), newVar([N]), newVar([N])];
    const jaxpr: Jaxpr = { inVars: [x], eqns: [eqn(reshapeP, [x], xv, { newShape: [N] }), eqn(mulP, [x, xv], q)], outs: [v(q)] };
    const donating = compile(jaxpr, { donated: [true] });
    const seed = donating([values(6)])[0]!;
    const expected = Float32Array.from(seed.toTypedArray() as Float32Array, (t) => Math.fround(t * t));
    const at = residentAddress(seed.data);
    const [y] = donating([seed]);
    expect(residentAddress(y!.data)).not.toBe(at);
    expect(Array.from(y!.toTypedArray() as Float32Array)).toEqual(Array.from(expected));
  });
});
