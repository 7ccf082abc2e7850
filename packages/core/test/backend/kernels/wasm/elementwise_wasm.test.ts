import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DType } from "../../../../src/dtype.js";
import type { AbstractArray, Primitive } from "../../../../src/primitive.js";
import { ConcreteTensor } from "../../../../src/tensor.js";
import { elementwise, fusedKernel, SIMD_MIN_SIZE, SIMD_MIN_WORK, type FusedOp } from "../../../../src/backend/kernels/fusion.js";
import { FUSED_PARALLEL_MIN, MAX_FUSED_STEPS, runSimd, setFusedKernels, SIMD_PARALLEL_MIN, simdRunnable, wasmElementwiseAvailable } from "../../../../src/backend/kernels/wasm/elementwise_wasm.js";
import { numThreads, setNumThreads } from "../../../../src/backend/threads/config.js";
import { waitForThreads } from "../../../../src/backend/threads/pool.js";
import { allocateResident, releaseResident, residentAddress } from "../../../../src/backend/resident_storage.js";
import { kernelFunction, kernelRuntime } from "../../../../src/backend/threads/kernel_memory.js";
import { absP, sqrtP } from "../../../../src/primitives/unary.js";
import { addP, divP, maxP, minP, mulP, negP, subP } from "../../../../src/primitives/arithmetic.js";
import { eqP, geP, gtP, leP, ltP, neP } from "../../../../src/primitives/compare.js";
import { andP, orP, xorP } from "../../../../src/primitives/bitwise.js";
import { notP } from "../../../../src/primitives/unary.js";
import { selectP } from "../../../../src/primitives/select.js";
import { convertElementTypeP } from "../../../../src/primitives/convert.js";
import { stopGradientP } from "../../../../src/primitives/stop_gradient.js";

const initialThreads = numThreads();
afterAll(() => setNumThreads(initialThreads));

/** An operation of a test program: a primitive, its params, and the dtypes it reads and gives. */
interface OpSpec {
  prim: Primitive<never>;
  params?: object;
  reads: DType[];
  gives: DType;
}

const F: DType = "float32";
const B: DType = "bool";
const I: DType = "int32";
const SPECS: OpSpec[] = [
  ...[addP, subP, mulP, divP, maxP, minP].map((prim) => ({ prim, reads: [F, F], gives: F })),
  ...[negP, absP, sqrtP, stopGradientP].map((prim) => ({ prim, reads: [F], gives: F })),
  ...[eqP, neP, ltP, leP, gtP, geP].map((prim) => ({ prim, reads: [F, F], gives: B })),
  ...[eqP, neP, ltP, leP, gtP, geP].map((prim) => ({ prim, reads: [I, I], gives: B })),
  { prim: selectP, reads: [B, I, I], gives: I },
  { prim: stopGradientP, reads: [I], gives: I },
  ...[andP, orP, xorP].map((prim) => ({ prim, reads: [B, B], gives: B })),
  { prim: notP, reads: [B], gives: B },
  { prim: selectP, reads: [B, F, F], gives: F },
  { prim: selectP, reads: [B, B, B], gives: B },
  { prim: convertElementTypeP, params: { newDtype: "float32", weakType: false }, reads: [B], gives: F },
  { prim: convertElementTypeP, params: { newDtype: "bool", weakType: false }, reads: [F], gives: B },
] as OpSpec[];

/** Float32 values every operation must agree on: NaN, signed zeros and infinities, subnormals, extremes, ties. */
const SPECIAL = [NaN, 0, -0, Infinity, -Infinity, 1, -1, 0.5, -0.5, 1e-45, -1e-45, 1.17549435e-38, 3.4028234e38, -3.4028234e38, 2, 3, 1 / 3];

const aval = (dtype: DType): AbstractArray => ({ shape: [], dtype, weakType: false });

/** The fused op of `spec` over registers `args`, with or without its SIMD lowering. */
function fusedOp(spec: OpSpec, args: number[], simd: boolean): FusedOp {
  const avals = spec.reads.map(aval);
  const params = (spec.params ?? {}) as never;
  const lowering = spec.prim.simdLowering?.(avals, params);
  return { kernel: spec.prim.scalarKernel!(avals, params), args, dtype: spec.gives, ...(simd && lowering ? { simd: lowering } : {}) };
}

/** Int32 values every comparison must agree on: the extremes (signed, not unsigned, order) around zero. */
const SPECIAL_INT32 = [0, -1, 1, -(2 ** 31), 2 ** 31 - 1, -(2 ** 31) + 1, 2 ** 31 - 2, 2 ** 24 + 1, -(2 ** 24) - 1];

type Data = Float32Array | Int32Array | Uint8Array;

/** Deterministic input data of `dtype`: special values first, then a pseudo-random mix (int32: mostly small, so that equal pairs are common). */
function inputData(dtype: DType, size: number, seed: number): Data {
  let s = seed * 2654435761;
  const next = () => ((s = (s * 1103515245 + 12345) >>> 0), s / 2 ** 32);
  if (dtype === "bool") return Uint8Array.from({ length: size }, () => (next() < 0.5 ? 1 : 0));
  if (dtype === "int32") return Int32Array.from({ length: size }, (_, i) => (next() < 0.2 ? SPECIAL_INT32[(i + seed) % SPECIAL_INT32.length]! : Math.floor(next() * 7) - 3));
  return Float32Array.from({ length: size }, (_, i) => (next() < 0.2 ? SPECIAL[(i + seed) % SPECIAL.length]! : (next() - 0.5) * 8));
}

/** A tensor over `data`, or (scalar) one element of it broadcast to `size`. */
function operand(data: Data, dtype: DType, size: number, scalar: boolean, offset: number): ConcreteTensor {
  const base = ConcreteTensor.fromData(data, [data.length], dtype);
  return scalar ? ConcreteTensor.view(base, [size], [0], offset % data.length) : ConcreteTensor.view(base, [size], [1], offset);
}

interface Case {
  inputs: DType[];
  ops: { spec: number; args: number[] }[];
  outputs: number[];
  scalars: boolean[];
}

/** Runs a case through the SIMD lowering and through the JavaScript loops; returns both results. */
function runBoth(c: Case, size: number, offset = 0): [number[][], number[][]] {
  const inputs = c.inputs.map((d, m) => operand(inputData(d, size + offset, m + 1), d, size, c.scalars[m]!, offset));
  const types = [...c.inputs, ...c.ops.map((o) => SPECS[o.spec]!.gives)];
  const outDtypes = c.outputs.map((r) => types[r]!);
  const run = (simd: boolean) =>
    fusedKernel({ inputs: c.inputs, ops: c.ops.map((o) => fusedOp(SPECS[o.spec]!, o.args, simd)), outputs: c.outputs })
      .run(inputs, [size], outDtypes)
      .map((t) => Array.from(t.data as ArrayLike<number>).slice(0, size));
  return [run(true), run(false)];
}

/** A copy of `data` in a block of the kernel memory. */
function resident(data: Data): Data {
  const r = data instanceof Float32Array ? allocateResident(Float32Array, data.length, false)! : data instanceof Int32Array ? allocateResident(Int32Array, data.length, false)! : allocateResident(Uint8Array, data.length, false)!;
  r.set(data);
  return r;
}

/**
 * {@link runBoth} with every input's data and every output in the kernel memory (as a jitted
 * step's intermediates are): the WebAssembly run reads the inputs and writes the outputs (filled
 * with NaN, 7 for bool, 0x7eadbeef for int32, beforehand) where they are.
 */
function runBothResident(c: Case, size: number, offset = 0): [number[][], number[][]] {
  const inputs = c.inputs.map((d, m) => operand(resident(inputData(d, size + offset, m + 1)), d, size, c.scalars[m]!, offset));
  const types = [...c.inputs, ...c.ops.map((o) => SPECS[o.spec]!.gives)];
  const outDtypes = c.outputs.map((r) => types[r]!);
  const run = (simd: boolean) => {
    const buffers = outDtypes.map((d) => resident(d === "bool" ? new Uint8Array(size).fill(7) : d === "int32" ? new Int32Array(size).fill(0x7eadbeef) : new Float32Array(size).fill(Number.NaN)));
    const results = fusedKernel({ inputs: c.inputs, ops: c.ops.map((o) => fusedOp(SPECS[o.spec]!, o.args, simd)), outputs: c.outputs })
      .run(inputs, [size], outDtypes, undefined, buffers)
      .map((t) => Array.from(t.data as ArrayLike<number>).slice(0, size));
    buffers.forEach((b) => releaseResident(b));
    return results;
  };
  const both: [number[][], number[][]] = [run(true), run(false)];
  inputs.forEach((x) => releaseResident(x.data));
  return both;
}

/** Element-wise equality where NaN equals NaN and 0 differs from -0. */
function expectSame(a: number[][], b: number[][]): void {
  expect(a.length).toBe(b.length);
  a.forEach((xs, q) => {
    const ys = b[q]!;
    const bad = xs.findIndex((x, i) => !Object.is(x, ys[i]));
    expect(bad === -1 ? "same" : `output ${q} differs at ${bad}: ${xs[bad]} vs ${ys[bad]}`).toBe("same");
  });
}

/** A random well-typed program: each op reads registers of the dtypes it takes. */
const caseArb: fc.Arbitrary<Case> = fc
  .record({
    inputs: fc.array(fc.constantFrom<DType>(F, B, I), { minLength: 1, maxLength: 4 }),
    picks: fc.array(fc.tuple(fc.nat(SPECS.length - 1), fc.array(fc.nat(100), { minLength: 3, maxLength: 3 })), { minLength: 1, maxLength: 10 }),
    outs: fc.array(fc.nat(100), { minLength: 1, maxLength: 3 }),
    scalarBits: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
  })
  .map(({ inputs, picks, outs, scalarBits }) => {
    const types = [...inputs];
    // Make sure every dtype exists as a register so every op can find operands.
    for (const d of [F, B, I]) if (!types.includes(d)) types.push(d);
    const ins = types.slice();
    const ops: Case["ops"] = [];
    for (const [spec, raw] of picks) {
      const s = SPECS[spec]!;
      const args = s.reads.map((d, i) => {
        const candidates = types.flatMap((t, r) => (t === d ? [r] : []));
        return candidates[raw[i]! % candidates.length]!;
      });
      ops.push({ spec, args });
      types.push(s.gives);
    }
    const first = ins.length;
    const outputs = outs.map((o) => first + (o % ops.length));
    // At least one input stays an array (not every input a scalar).
    const scalars = ins.map((_, m) => m > 0 && scalarBits[m % 4]!);
    return { inputs: ins, ops, outputs, scalars };
  });

describe.skipIf(!wasmElementwiseAvailable())("fill_span (a split fused loop's part of an operand broadcast along rows)", () => {
  it("sets exactly elements e0 up to e1 to their row's value, whatever the row length and span, and writes nothing else", () => {
    kernelRuntime();
    const fillSpan = kernelFunction<(dst: number, stage: number, cols: number, e0: number, e1: number) => void>("elementwise", "fill_span");
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 12 }), fc.nat(), fc.nat(), (cols, rows, a, b) => {
        const size = rows * cols;
        const [e0, e1] = [a % (size + 1), b % (size + 1)].sort((p, q) => p - q) as [number, number];
        const stage = allocateResident(Int32Array, rows + 4, false)!;
        for (let r = 0; r < stage.length; r++) stage[r] = 1000 + r;
        // The block with 8 sentinels on either side.
        const block = allocateResident(Int32Array, size + 16, false)!;
        block.fill(-7);
        try {
          fillSpan(residentAddress(block) + 8 * 4, residentAddress(stage), cols, e0, e1);
          const want = Array.from({ length: size + 16 }, (_, i) => (i >= 8 + e0 && i < 8 + e1 ? 1000 + Math.floor((i - 8) / cols) : -7));
          expect(Array.from(block)).toEqual(want);
        } finally {
          releaseResident(block);
          releaseResident(stage);
        }
      }),
      { numRuns: 300 },
    );
  });
});

// Every test runs twice: programs compiled to their own function, and on the building blocks tile by tile.
for (const ownFunction of [true, false]) describe.skipIf(!wasmElementwiseAvailable())(`fused elementwise programs in WebAssembly SIMD (${ownFunction ? "each program its own function" : "building blocks, tile by tile"})`, () => {
  let saved = true;
  beforeAll(() => {
    saved = setFusedKernels(ownFunction);
  });
  afterAll(() => {
    setFusedKernels(saved);
  });

  it("gives every primitive with a SIMD lowering exactly what its scalar kernel gives, on special values", () => {
    const size = SIMD_MIN_SIZE + 37;
    SPECS.forEach((spec, i) => {
      const inputs = spec.reads;
      const c: Case = { inputs, ops: [{ spec: i, args: inputs.map((_, m) => m) }], outputs: [inputs.length], scalars: inputs.map(() => false) };
      const [simd, js] = runBoth(c, size);
      expectSame(simd, js);
    });
  });

  it("agrees with the JavaScript loops on random programs, sizes (tails, several tiles), offsets and broadcast scalars", () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: SIMD_MIN_SIZE, max: SIMD_MIN_SIZE + 5000 }), fc.nat(7), (c, size, offset) => {
        const [simd, js] = runBoth(c, size, offset);
        expectSame(simd, js);
      }),
      { numRuns: 60 },
    );
  });

  it("reads inputs and writes outputs in the kernel memory where they are, with broadcast scalars, bit for bit as the JavaScript loops", () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: SIMD_MIN_SIZE, max: SIMD_MIN_SIZE + 3000 }), fc.nat(7), (c, size, offset) => {
        const [simd, js] = runBothResident(c, size, offset);
        expectSame(simd, js);
      }),
      { numRuns: 60 },
    );
  });

  it.each([
    ["ordinary arrays", false],
    ["blocks of the kernel memory (gathered there)", true],
  ])("gathers rank-2 operands of any strides (a bias along rows, a row vector, a transposed view, bool masks) over %s exactly as the JavaScript loops read them", (_, inKernelMemory) => {
    const rows = 37;
    const cols = 61;
    const size = rows * cols;
    const placed: Data[] = [];
    const place = (data: Data): Data => {
      if (!inKernelMemory) return data;
      const r = resident(data);
      placed.push(r);
      return r;
    };
    const views = (dtype: DType, seed: number): ConcreteTensor[] => {
      const full = ConcreteTensor.fromData(place(inputData(dtype, size + 5, seed)), [size + 5], dtype);
      const column = ConcreteTensor.fromData(place(inputData(dtype, rows, seed + 1)), [rows], dtype);
      const row = ConcreteTensor.fromData(place(inputData(dtype, cols, seed + 2)), [cols], dtype);
      return [
        ConcreteTensor.view(full, [rows, cols], [cols, 1], 5), // contiguous, offset
        ConcreteTensor.view(column, [rows, cols], [1, 0], 0), // per-row value (a bias)
        ConcreteTensor.view(row, [rows, cols], [0, 1], 0), // a row vector on every row
        ConcreteTensor.view(full, [rows, cols], [1, rows], 2), // transposed
      ];
    };
    const sel = SPECS.findIndex((sp) => sp.prim === selectP && sp.gives === F);
    const lt = SPECS.findIndex((sp) => sp.prim === ltP);
    const mul = SPECS.findIndex((sp) => sp.prim === mulP);
    const fs = views(F, 1);
    const bs = views(B, 7);
    for (const a of fs) {
      for (const b of fs) {
        for (const p of bs) {
          const program = (simd: boolean) =>
            fusedKernel({
              inputs: [F, F, B],
              ops: [fusedOp(SPECS[mul]!, [0, 1], simd), fusedOp(SPECS[lt]!, [3, 0], simd), fusedOp(SPECS[sel]!, [2, 3, 1], simd)],
              outputs: [5, 4],
            });
          const got = program(true).run([a, b, p], [rows, cols], [F, B]);
          const want = program(false).run([a, b, p], [rows, cols], [F, B]);
          expectSame(
            got.map((t) => Array.from(t.data as ArrayLike<number>)),
            want.map((t) => Array.from(t.data as ArrayLike<number>)),
          );
        }
      }
    }
    placed.forEach((d) => releaseResident(d));
  });

  it("compares int32 class labels laid out along rows with a row of class indices (a classifier's one-hot mask), bit for bit as the JavaScript loops", () => {
    // The softmax cross-entropy's `select(labels == iota, x - 1, x)` of a [100, 10] batch:
    // labels broadcast along each row, the class indices broadcast down every row, x transposed.
    const rows = 100;
    const cols = 10;
    const labels = ConcreteTensor.fromData(Int32Array.from({ length: rows }, (_, i) => (i * 7) % cols), [rows], I);
    const iota = ConcreteTensor.fromData(Int32Array.from({ length: cols }, (_, j) => j), [cols], I);
    const full = ConcreteTensor.fromData(inputData(F, rows * cols, 3), [rows * cols], F);
    const one = ConcreteTensor.fromData(Float32Array.of(1), [1], F);
    const args = [
      ConcreteTensor.view(full, [rows, cols], [1, rows], 0),
      ConcreteTensor.view(labels, [rows, cols], [1, 0], 0),
      ConcreteTensor.view(iota, [rows, cols], [0, 1], 0),
      ConcreteTensor.view(one, [rows, cols], [0, 0], 0),
    ];
    const eq = SPECS.findIndex((sp) => sp.prim === eqP && sp.reads[0] === I);
    const sub = SPECS.findIndex((sp) => sp.prim === subP);
    const sel = SPECS.findIndex((sp) => sp.prim === selectP && sp.gives === F);
    const program = (simd: boolean) =>
      fusedKernel({
        inputs: [F, I, I, F],
        ops: [fusedOp(SPECS[sub]!, [0, 3], simd), fusedOp(SPECS[eq]!, [1, 2], simd), fusedOp(SPECS[sel]!, [5, 4, 0], simd)],
        outputs: [6, 5],
      });
    // Every operation has its lowering, and the backend takes the program (so `got` ran in WebAssembly).
    const ops = [fusedOp(SPECS[sub]!, [0, 3], true), fusedOp(SPECS[eq]!, [1, 2], true), fusedOp(SPECS[sel]!, [5, 4, 0], true)];
    expect(ops.map((o) => o.simd)).toEqual(["sub", "eq_i32", "select"]);
    expect(simdRunnable({ inputs: [F, I, I, F], steps: ops.map((o) => ({ op: o.simd!, args: o.args, dtype: o.dtype })), outputs: [6, 5] })).toBe(true);
    expect(rows * cols * ops.length).toBeGreaterThanOrEqual(SIMD_MIN_WORK);
    const got = program(true).run(args, [rows, cols], [F, B]);
    const want = program(false).run(args, [rows, cols], [F, B]);
    const values = (ts: ConcreteTensor[]) => ts.map((t) => Array.from(t.data as ArrayLike<number>));
    expectSame(values(got), values(want));
    // One true per row, in the label's column.
    const mask = values(got)[1]!;
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) expect(mask[i * cols + j]).toBe(j === (i * 7) % cols ? 1 : 0);
  });

  it("runs eager elementwise operations with a lowering in WebAssembly, bit for bit as without it", () => {
    const size = SIMD_MIN_SIZE * 3 + 5;
    SPECS.forEach((spec) => {
      const avals = spec.reads.map(aval);
      const params = (spec.params ?? {}) as never;
      const lowering = spec.prim.simdLowering?.(avals, params);
      const inputs = spec.reads.map((d, m) => operand(inputData(d, size, m + 11), d, size, false, 0));
      const kernel = spec.prim.scalarKernel!(avals, params);
      const got = elementwise(kernel, inputs, spec.gives, false, lowering);
      const want = elementwise(kernel, inputs, spec.gives, false);
      expectSame([Array.from(got.data as ArrayLike<number>)], [Array.from(want.data as ArrayLike<number>)]);
    });
  });

  it("gives the same bits at 1 and 2 threads when the work is split", () => {
    const c: Case = {
      inputs: [F, F, B],
      ops: [
        { spec: 0, args: [0, 1] }, // add
        { spec: 2, args: [3, 0] }, // mul
        { spec: 8, args: [4] }, // sqrt
        { spec: SPECS.findIndex((s) => s.prim === selectP && s.gives === F), args: [2, 5, 1] },
        { spec: 12, args: [6, 0] }, // lt -> bool output
      ],
      outputs: [6, 7, 3],
      scalars: [false, false, false],
    };
    const size = 4 * SIMD_PARALLEL_MIN + 123;
    setNumThreads(1);
    const one = runBoth(c, size);
    setNumThreads(2);
    waitForThreads();
    const two = runBoth(c, size);
    expectSame(one[0], two[0]);
    expectSame(one[0], one[1]);
  });

  it("lays out operands broadcast along rows chunk by chunk when split: the same bits at 1 and 2 threads and as the JavaScript loops, float32 and int32, rows of any length, each layout reused with new data", () => {
    // out0 = x + bias (bias: a float32 per row), out1 = (label == class) (label: an int32 per row,
    // class: the column index down every row): the bias/ReLU and the one-hot mask of a step.
    const add = SPECS.findIndex((sp) => sp.prim === addP);
    const eq = SPECS.findIndex((sp) => sp.prim === eqP && sp.reads[0] === I);
    const program = (simd: boolean) =>
      fusedKernel({ inputs: [F, F, I, I], ops: [fusedOp(SPECS[add]!, [0, 1], simd), fusedOp(SPECS[eq]!, [2, 3], simd)], outputs: [4, 5] });
    const args = (rows: number, cols: number, seed: number) => {
      const x = ConcreteTensor.fromData(inputData(F, rows * cols, seed), [rows, cols], F);
      // The bias read with a row stride of 2 (every other element of its storage).
      const bias = ConcreteTensor.fromData(inputData(F, 2 * rows, seed + 1), [2 * rows], F);
      const labels = ConcreteTensor.fromData(Int32Array.from({ length: rows }, (_, i) => (i * 7 + seed) % cols), [rows], I);
      const classes = ConcreteTensor.fromData(Int32Array.from({ length: cols }, (_, j) => j), [cols], I);
      return [x, ConcreteTensor.view(bias, [rows, cols], [2, 0], 1), ConcreteTensor.view(labels, [rows, cols], [1, 0], 0), ConcreteTensor.view(classes, [rows, cols], [0, 1], 0)];
    };
    const values = (ts: ConcreteTensor[]) => ts.map((t) => Array.from(t.data as ArrayLike<number>));
    // Two shapes of one size (a layout keyed by size alone would fill the wrong rows), rows not a
    // multiple of four elements (spans end inside vectors), then the first shape again on new data.
    expect(17 * 1021).toBeGreaterThanOrEqual(FUSED_PARALLEL_MIN);
    const shapes: [number, number, number][] = [
      [17, 1021, 1],
      [1021, 17, 2],
      [17, 1021, 3],
      [300, 100, 4],
    ];
    for (const [rows, cols, seed] of shapes) {
      const a = args(rows, cols, seed);
      setNumThreads(1);
      const one = values(program(true).run(a, [rows, cols], [F, B]));
      setNumThreads(2);
      waitForThreads();
      const two = values(program(true).run(a, [rows, cols], [F, B]));
      const js = values(program(false).run(a, [rows, cols], [F, B]));
      expectSame(two, js);
      expectSame(one, js);
      const mask = two[1]!;
      for (let i = 0; i < rows; i += 97) for (let j = 0; j < cols; j++) expect(mask[i * cols + j]).toBe(j === (i * 7 + seed) % cols ? 1 : 0);
    }
  });

  it("takes float32, int32 and bool registers only, with operand types each operation accepts", () => {
    expect(simdRunnable({ inputs: [F, F], steps: [{ op: "add", args: [0, 1], dtype: F }], outputs: [2] })).toBe(true);
    // int32 registers are compared, copied and selected, never computed on.
    expect(simdRunnable({ inputs: [I, I], steps: [{ op: "eq_i32", args: [0, 1], dtype: B }], outputs: [2] })).toBe(true);
    expect(simdRunnable({ inputs: [B, I, I], steps: [{ op: "select", args: [0, 1, 2], dtype: I }], outputs: [3] })).toBe(true);
    expect(simdRunnable({ inputs: [I], steps: [{ op: "copy", args: [0], dtype: I }], outputs: [1] })).toBe(true);
    expect(simdRunnable({ inputs: ["int32", "int32"], steps: [{ op: "add", args: [0, 1], dtype: "int32" }], outputs: [2] })).toBe(false);
    expect(simdRunnable({ inputs: [I, I], steps: [{ op: "eq", args: [0, 1], dtype: B }], outputs: [2] })).toBe(false);
    expect(simdRunnable({ inputs: [F, F], steps: [{ op: "lt_i32", args: [0, 1], dtype: B }], outputs: [2] })).toBe(false);
    expect(simdRunnable({ inputs: ["uint32", "uint32"], steps: [{ op: "lt_i32", args: [0, 1], dtype: B }], outputs: [2] })).toBe(false);
    expect(simdRunnable({ inputs: [I, F], steps: [{ op: "copy", args: [0], dtype: F }], outputs: [2] })).toBe(false);
    expect(simdRunnable({ inputs: ["float64"], steps: [{ op: "neg", args: [0], dtype: "float64" }], outputs: [1] })).toBe(false);
    expect(simdRunnable({ inputs: [B, B], steps: [{ op: "lt", args: [0, 1], dtype: B }], outputs: [2] })).toBe(false);
    expect(simdRunnable({ inputs: [F, F], steps: [{ op: "and", args: [0, 1], dtype: B }], outputs: [2] })).toBe(false);
    expect(simdRunnable({ inputs: [F, F, F], steps: [{ op: "select", args: [0, 1, 2], dtype: F }], outputs: [3] })).toBe(false);
    expect(simdRunnable({ inputs: [F], steps: [{ op: "add", args: [0], dtype: F }], outputs: [1] })).toBe(false);
  });

  it("has no lowering for primitives whose kernels it cannot reproduce (integer arithmetic runs in JavaScript)", () => {
    const c: Case = { inputs: [F, F], ops: [{ spec: 0, args: [0, 1] }], outputs: [2], scalars: [false, false] };
    expect(addP.simdLowering?.([aval("int32"), aval("int32")], {} as never)).toBe("add");
    // The backend refuses int32 registers, so the program runs in JavaScript and stays exact.
    const a = ConcreteTensor.fromData(Int32Array.from({ length: 3000 }, (_, i) => 2 ** 31 - 1 - i), [3000], "int32");
    const [out] = fusedKernel({ inputs: ["int32", "int32"], ops: [{ ...fusedOp({ prim: addP, reads: ["int32", "int32"], gives: "int32" } as OpSpec, [0, 1], true) }], outputs: [2] }).run([a, a], [3000], ["int32"]);
    expect(out!.data[0]).toBe(-2);
    expect(runBoth(c, 10)[0]).toEqual(runBoth(c, 10)[1]);
  });

  it("runs a program with more calls than one job holds as several jobs", () => {
    const steps = Array.from({ length: 40 }, (_, k) => ({ op: "neg" as const, args: [k], dtype: F }));
    const size = (1 << 19) + 5;
    const x = inputData(F, size, 3) as Float32Array;
    const out = new Float32Array(size);
    expect(runSimd({ inputs: [F], steps, outputs: [40] }, [{ data: x, offset: 0 }], 0, size, [out])).toBe(true);
    // Forty negations are the identity.
    expect(Array.from(out.subarray(size - 1000)).every((v, i) => Object.is(v, x[size - 1000 + i]))).toBe(true);
    expect(Array.from(out.subarray(0, 1000)).every((v, i) => Object.is(v, x[i]))).toBe(true);
  });

  it("refuses, leaving the outputs untouched, a program with more operations than a job holds", () => {
    const steps = Array.from({ length: 17000 }, (_, k) => ({ op: "neg" as const, args: [k], dtype: F }));
    const out = new Float32Array(4096).fill(7);
    expect(runSimd({ inputs: [F], steps, outputs: [17000] }, [{ data: new Float32Array(4096), offset: 0 }], 0, 4096, [out])).toBe(false);
    expect(out[0]).toBe(7);
  });
});
