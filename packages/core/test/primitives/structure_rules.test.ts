/**
 * The rules of the structure primitives, called directly: jvp vs central differences (float64),
 * vjp vs jvp, batch vs a loop over examples, plus shape/dtype errors of abstractEval.
 */
import { describe, expect, test, vi } from "vitest";
import { AxisError, DTypeError, IndexError, ShapeError, ValueError } from "../../src/errors.js";
import { ConcreteTensor } from "../../src/tensor.js";
import { bind, bind1 } from "../../src/trace.js";
import "../../src/np/index.js";
import { cumsumP } from "../../src/primitives/cumulative.js";
import { gatherP, scatterAddP, scatterP } from "../../src/primitives/gather.js";
import { matmulP } from "../../src/primitives/matmul.js";
import { argmaxP, argminP, reduceMaxP, reduceMinP, reduceProdP, reduceSumP } from "../../src/primitives/reduce.js";
import { concatenateP } from "../../src/primitives/concatenate.js";
import { padP, sliceP } from "../../src/primitives/slicing.js";
import { sortP } from "../../src/primitives/sort.js";
import { checkBatch, checkJvp, checkVjp, randomTensor } from "./rule_check.js";

const ints = (values: number[], shape = [values.length]) => ConcreteTensor.fromData(Int32Array.from(values), shape, "int32");
const f64 = (values: number[], shape = [values.length]) => ConcreteTensor.fromData(Float64Array.from(values), shape, "float64");
const scalar = (v: number) => ConcreteTensor.scalar(v, "float64");

interface RuleCase {
  name: string;
  prim: Parameters<typeof checkJvp>[0];
  inputs: () => ConcreteTensor[];
  params: unknown;
  /** Batch dims to try (one entry per operand). */
  batchDims: (number | null)[][];
  /** Per-example operands for the batch check (default: fresh random floats, same ints). */
  example?: (b: number) => ConcreteTensor[];
  /** False at points where the function has a kink (ties): finite differences do not apply. */
  smooth?: boolean;
}

const x234 = () => randomTensor([2, 3, 4], 1);

const CASES: RuleCase[] = [
  { name: "reduce_max", prim: reduceMaxP, inputs: () => [x234()], params: { axes: [0, 2] }, batchDims: [[0], [2]] },
  { name: "reduce_min", prim: reduceMinP, inputs: () => [x234()], params: { axes: [1] }, batchDims: [[1]] },
  { name: "reduce_max with ties", prim: reduceMaxP, inputs: () => [f64([1, 3, 3, 2, 5, 5, 5, 0], [2, 4])], params: { axes: [1] }, batchDims: [[0]], smooth: false },
  { name: "reduce_prod", prim: reduceProdP, inputs: () => [x234()], params: { axes: [1, 2] }, batchDims: [[0], [3]] },
  { name: "reduce_prod with zeros", prim: reduceProdP, inputs: () => [f64([0, 2, 3, 0, 0, 1.5, 2, 4, -1, 0.5, 3], [11])], params: { axes: [0] }, batchDims: [[0]] },
  { name: "reduce_prod single zero", prim: reduceProdP, inputs: () => [f64([2, 0, 3, 1.5, -2], [5])], params: { axes: [0] }, batchDims: [[0]] },
  { name: "reduce_prod of an empty axis", prim: reduceProdP, inputs: () => [randomTensor([3, 0], 4)], params: { axes: [1] }, batchDims: [[0]] },
  { name: "reduce_sum", prim: reduceSumP, inputs: () => [x234()], params: { axes: [2] }, batchDims: [[1]] },
  { name: "argmax", prim: argmaxP, inputs: () => [x234()], params: { axis: 1 }, batchDims: [[0], [3]] },
  { name: "argmin", prim: argminP, inputs: () => [x234()], params: { axis: 2 }, batchDims: [[2]] },
  { name: "cumsum", prim: cumsumP, inputs: () => [x234()], params: { axis: 1, reverse: false }, batchDims: [[0], [2]] },
  { name: "cumsum reverse", prim: cumsumP, inputs: () => [x234()], params: { axis: 2, reverse: true }, batchDims: [[3]] },
  {
    name: "matmul 2-d",
    prim: matmulP,
    inputs: () => [randomTensor([3, 4], 1), randomTensor([4, 5], 2)],
    params: {},
    batchDims: [[0, null], [1, null], [null, 0], [null, 2], [0, 0], [2, 1]],
  },
  {
    name: "matmul batched",
    prim: matmulP,
    inputs: () => [randomTensor([2, 3, 4], 1), randomTensor([2, 4, 5], 2)],
    params: {},
    batchDims: [[0, null], [null, 1], [3, 0]],
  },
  { name: "slice", prim: sliceP, inputs: () => [x234()], params: { start: [0, 1, 1], limit: [2, 3, 4], strides: [1, 1, 2] }, batchDims: [[0], [3]] },
  { name: "slice empty", prim: sliceP, inputs: () => [x234()], params: { start: [1, 2, 0], limit: [1, 3, 4], strides: null }, batchDims: [[1]] },
  { name: "pad", prim: padP, inputs: () => [randomTensor([2, 3], 1), scalar(0.5)], params: { lo: [1, 0], hi: [0, 2], interior: [1, 2] }, batchDims: [[0, null], [1, 0], [null, 0]] },
  {
    name: "concatenate",
    prim: concatenateP,
    inputs: () => [randomTensor([2, 3], 1), randomTensor([2, 1], 2), randomTensor([2, 2], 3)],
    params: { axis: 1 },
    batchDims: [[0, null, 1], [null, 2, null]],
  },
  {
    name: "gather",
    prim: gatherP,
    inputs: () => [randomTensor([3, 4, 2], 1), ints([3, 0, 0, -2, 9, 1], [2, 3])],
    params: { axis: 1 },
    batchDims: [[0, null], [null, 0], [2, 1], [0, 0]],
    example: (b) => [randomTensor([3, 4, 2], 10 + b), ints([b, 3 - b, 0, 2, b, 1], [2, 3])],
  },
  {
    name: "scatter_add",
    prim: scatterAddP,
    inputs: () => [randomTensor([3, 4], 1), ints([1, 1, 3]), randomTensor([3, 3], 2)],
    params: { axis: 1 },
    batchDims: [[0, null, null], [null, null, 1], [null, 0, null], [1, 0, 2]],
    example: (b) => [randomTensor([3, 4], 10 + b), ints([b, 1, 3 - b]), randomTensor([3, 3], 20 + b)],
  },
  {
    name: "scatter (duplicates: last wins)",
    prim: scatterP,
    inputs: () => [randomTensor([5, 2], 1), ints([4, 0, 4, 7]), randomTensor([4, 2], 2)],
    params: { axis: 0 },
    batchDims: [[0, null, null], [null, null, 0], [1, 0, 0]],
    example: (b) => [randomTensor([5, 2], 10 + b), ints([b, 4, b, 2]), randomTensor([4, 2], 20 + b)],
  },
  {
    name: "sort (two operands)",
    prim: sortP,
    inputs: () => [f64([3, 1, 2, 1.5, 5, -1, 0, 7], [2, 4]), randomTensor([2, 4], 5)],
    params: { dimension: 1, numKeys: 1 },
    batchDims: [[0, 0], [2, null], [null, 1]],
  },
  { name: "sort keys only", prim: sortP, inputs: () => [x234()], params: { dimension: 0, numKeys: 1 }, batchDims: [[1]] },
];

describe.each(CASES)("$name", (c) => {
  if (c.name.startsWith("argm")) {
    test("is non-differentiable: null tangent and cotangent", () => {
      const [, t] = c.prim.jvp!(c.inputs(), [randomTensor(c.inputs()[0]!.shape, 9)], c.params);
      expect(t).toEqual([null]);
      expect(c.prim.vjp!([null], c.inputs(), [], c.params, [true])).toEqual([null]);
    });
  } else {
    // At a kink (tied maxima) central differences are not a derivative: such cases check only
    // the transpose identity below and the tie-splitting rule in their own tests.
    if (c.smooth !== false) test("jvp matches central differences", () => checkJvp(c.prim, c.inputs(), c.params));
    test("vjp is the transpose of jvp", () => checkVjp(c.prim, c.inputs(), c.params));
  }
  test.each(c.batchDims.map((d) => [JSON.stringify(d), d] as const))("batch rule with dims %s equals a loop", (_n, dims) => {
    const base = c.inputs();
    const example = c.example ?? ((b: number) => base.map((x, i) => (x.dtype === "float64" ? randomTensor(x.shape, 50 + 7 * b + i) : x)));
    checkBatch(c.prim, example, dims, c.params);
  });
});

describe("special cases of the rules", () => {
  test("reduce_prod gradient with one zero is the product of the others", () => {
    const x = f64([2, 0, 3]);
    const [g] = reduceProdP.vjp!([scalar(1)], [x], [], { axes: [0] }, [true]);
    expect(Array.from(g!.toTypedArray())).toEqual([0, 6, 0]);
  });
  test("reduce_max splits the gradient among ties", () => {
    const x = f64([1, 4, 4, 2]);
    const [g] = reduceMaxP.vjp!([scalar(1)], [x], [bind1(reduceMaxP, [x], { axes: [0] })], { axes: [0] }, [true]);
    expect(Array.from(g!.toTypedArray())).toEqual([0, 0.5, 0.5, 0]);
  });
  test("scatter gives the cotangent only to the update that landed", () => {
    const x = f64([0, 0, 0]);
    const idx = ints([1, 1, 2]);
    const upd = f64([5, 6, 7]);
    const [cx, , cu] = scatterP.vjp!([f64([1, 2, 3])], [x, idx, upd], [], { axis: 0 }, [true, false, true]);
    expect(Array.from(cx!.toTypedArray())).toEqual([1, 0, 0]);
    expect(Array.from(cu!.toTypedArray())).toEqual([0, 2, 3]);
  });
  test("matmul batch folds a singly batched 2-d operand into one 2-d product", () => {
    const impl = vi.spyOn(matmulP, "impl");
    try {
      const a = randomTensor([6, 3, 4], 1);
      const b = randomTensor([4, 5], 2);
      const [outs, dims] = matmulP.batch!([a, b], [0, null], {});
      expect(impl.mock.calls.map(([args]) => args.map((t) => t.shape))).toEqual([[[18, 4], [4, 5]]]);
      expect([outs[0]!.shape, dims]).toEqual([[6, 3, 5], [0]]);
      impl.mockClear();
      const bs = randomTensor([4, 7, 5], 3);
      const [outsB, dimsB] = matmulP.batch!([randomTensor([3, 4], 4), bs], [null, 1], {});
      expect(impl.mock.calls.map(([args]) => args.map((t) => t.shape))).toEqual([[[3, 4], [4, 35]]]);
      expect([outsB[0]!.shape, dimsB]).toEqual([[3, 7, 5], [1]]);
    } finally {
      impl.mockRestore();
    }
  });
  test("sort is stable and puts NaN last", () => {
    const keys = f64([2, NaN, 1, 2, -0, 0]);
    const iota = ints([0, 1, 2, 3, 4, 5]);
    const [k, perm] = bind(sortP, [keys, iota], { dimension: 0, numKeys: 1 });
    expect(Array.from(perm!.toTypedArray())).toEqual([4, 5, 2, 0, 3, 1]);
    expect(Array.from(k!.toTypedArray()).slice(0, 5)).toEqual([-0, 0, 1, 2, 2]);
  });
  test("gather clamps out-of-range indices", () => {
    const out = bind1(gatherP, [f64([10, 20, 30]), ints([-5, 1, 99])], { axis: 0 });
    expect(Array.from(out.toTypedArray())).toEqual([10, 20, 30]);
  });
});

describe("abstractEval errors name the op and the culprit", () => {
  const x = randomTensor([2, 3], 1);
  test.each([
    ["matmul shapes", () => bind1(matmulP, [x, x]), ShapeError, /matmul: shapes \[2, 3\] and \[2, 3\]/],
    ["matmul dtypes", () => bind1(matmulP, [x, randomTensor([3, 2], 1, "float32")]), DTypeError, /matmul: operand dtypes differ \(float64 and float32\)/],
    ["matmul rank", () => bind1(matmulP, [f64([1, 2]), f64([1, 2])]), ShapeError, /matmul/],
    ["reduce_max axes", () => bind1(reduceMaxP, [x], { axes: [2] }), AxisError, /reduce_max: axes \[2\] are invalid for an array of shape \[2, 3\]/],
    ["reduce_prod bool", () => bind1(reduceProdP, [ConcreteTensor.fromData(new Uint8Array(2), [2], "bool")], { axes: [0] }), DTypeError, /reduce_prod/],
    ["argmax axis", () => bind1(argmaxP, [x], { axis: 5 }), AxisError, /argmax: axis 5 .* shape \[2, 3\]/],
    ["argmax empty", () => bind1(argmaxP, [randomTensor([0, 2], 1)], { axis: 0 }), AxisError, /argmax: cannot search an empty axis/],
    ["cumsum axis", () => bind1(cumsumP, [x], { axis: 2, reverse: false }), AxisError, /cumsum: axis 2/],
    ["slice bounds", () => bind1(sliceP, [x], { start: [0, 1], limit: [2, 4], strides: null }), IndexError, /slice: range \[1, 4\) on axis 1 .* \[2, 3\]/],
    ["slice stride", () => bind1(sliceP, [x], { start: [0, 0], limit: [2, 3], strides: [1, 0] }), ValueError, /strides >= 1/],
    ["slice rank", () => bind1(sliceP, [x], { start: [0], limit: [2], strides: null }), ShapeError, /slice/],
    ["pad negative", () => bind1(padP, [x, scalar(0)], { lo: [-1, 0], hi: [0, 0], interior: [0, 0] }), ValueError, /pad: .*non-negative/],
    ["pad value dtype", () => bind1(padP, [x, ConcreteTensor.scalar(0, "float32")], { lo: [0, 0], hi: [0, 0], interior: [0, 0] }), DTypeError, /pad/],
    ["concatenate shapes", () => bind1(concatenateP, [x, randomTensor([3, 3], 1)], { axis: 1 }), ShapeError, /concatenate: shapes \[2, 3\], \[3, 3\] differ outside axis 1/],
    ["gather index dtype", () => bind1(gatherP, [x, f64([0])], { axis: 0 }), DTypeError, /gather: indices must be int32, got float64/],
    ["gather empty axis", () => bind1(gatherP, [randomTensor([0, 2], 1), ints([0])], { axis: 0 }), IndexError, /gather: cannot index the empty axis 0/],
    ["scatter_add updates", () => bind1(scatterAddP, [x, ints([0]), randomTensor([2], 1)], { axis: 0 }), ShapeError, /scatter_add: updates of shape \[2\] do not match \[1, 3\]/],
    ["sort shapes", () => bind(sortP, [x, randomTensor([3, 2], 1)], { dimension: 0, numKeys: 1 }), ShapeError, /sort: operand shapes differ/],
    ["sort dimension", () => bind(sortP, [x], { dimension: 2, numKeys: 1 }), AxisError, /sort: dimension 2/],
  ] as const)("%s", (_name, f, type, message) => {
    expect(f).toThrow(type);
    expect(f).toThrow(message);
  });
});
