/**
 * Semantics and error paths of the structure ops beyond the NumPy fixtures: dtype rules, weak
 * types, error classes and messages, functional updates never mutating, and kernels never
 * writing into their inputs' buffers.
 */
import { describe, expect, test } from "vitest";
import { AxisError, ConcreteTensor, DTypeError, IndexError, ShapeError, ValueError, np, type Tensor } from "@connex/core";
import { bind } from "../../src/trace.js";
import { cumsumP } from "../../src/primitives/cumulative.js";
import { gatherP, scatterAddP, scatterP } from "../../src/primitives/gather.js";
import { matmulP } from "../../src/primitives/matmul.js";
import { argmaxP, argminP, reduceMaxP, reduceMinP, reduceProdP, reduceSumP } from "../../src/primitives/reduce.js";
import { broadcastInDimP, reshapeP, transposeP } from "../../src/primitives/shape.js";
import { concatenateP } from "../../src/primitives/concatenate.js";
import { padP, sliceP } from "../../src/primitives/slicing.js";
import { sortP } from "../../src/primitives/sort.js";

const x = np.reshape(np.arange(6, { dtype: "float32" }), [2, 3]);

describe("reductions", () => {
  test("dtype rules follow jnp", () => {
    expect(np.sum(np.array([true, true, false])).dtype).toBe("int32");
    expect(np.sum(np.array([1, 2], { dtype: "uint32" })).dtype).toBe("uint32");
    expect(np.mean(np.array([1, 2])).dtype).toBe("float32");
    expect(np.mean(np.array([1, 2], { dtype: "float64" })).dtype).toBe("float64");
    expect(np.max(np.array([true, false])).dtype).toBe("bool");
    expect(np.argmax(x).dtype).toBe("int32");
  });
  test("a weak scalar stays weak through sum", () => {
    expect(np.sum(2.5).weakType).toBe(true);
  });
  test("mean of an empty array is NaN", () => {
    expect(np.mean(np.zeros([0])).item()).toBeNaN();
  });
  test.each([
    ["bad axis", () => np.sum(x, { axis: 2 }), AxisError, /sum: axis 2 is out of bounds for an array of shape \[2, 3\]/],
    ["negative bad axis", () => np.mean(x, { axis: -3 }), AxisError, /mean: axis -3/],
    ["repeated axis", () => np.max(x, { axis: [0, -2] }), AxisError, /max: repeated axis in \[0, -2\]/],
    ["max of empty", () => np.max(np.zeros([0, 2]), { axis: 0 }), ValueError, /max: zero-size reduction over axes \[0\] of shape \[0, 2\]/],
    ["min of empty", () => np.min(np.zeros([0])), ValueError, /min: zero-size/],
    ["argmax of empty", () => np.argmax(np.zeros([0])), ValueError, /argmax: attempt to get argmax of an empty sequence/],
    ["argmin bad axis", () => np.argmin(x, { axis: 3 }), AxisError, /argmin: axis 3/],
    ["cumsum bad axis", () => np.cumsum(x, 2), AxisError, /cumsum: axis 2/],
  ] as const)("%s", (_n, f, type, message) => {
    expect(f).toThrow(type);
    expect(f).toThrow(message);
  });
  test("cumsum takes an axis number or options", () => {
    expect(np.cumsum(x, 1).toArray()).toEqual([[0, 1, 3], [3, 7, 12]]);
    expect(np.cumsum(x, { axis: -1, reverse: true }).toArray()).toEqual([[3, 3, 2], [12, 9, 5]]);
  });
});

describe("shape ops", () => {
  test.each([
    ["reshape size", () => np.reshape(x, [4, 2]), ShapeError, /reshape: cannot reshape array of shape \[2, 3\] \(size 6\) into shape \[4, 2\]/],
    ["reshape two -1", () => np.reshape(x, [-1, -1]), ShapeError, /reshape/],
    ["reshape -1 not dividing", () => np.reshape(x, [4, -1]), ShapeError, /into shape \[4, -1\]/],
    ["transpose axes", () => np.transpose(x, [0, 0]), ShapeError, /transpose: axes \[0, 0\]/],
    ["transpose axis range", () => np.transpose(x, [0, 2]), AxisError, /transpose: axis 2/],
    ["squeeze non-1", () => np.squeeze(x, 0), ShapeError, /squeeze: cannot remove axis 0 of length 2 from shape \[2, 3\]/],
    ["expandDims axis", () => np.expandDims(x, 4), AxisError, /expandDims: axis 4/],
    ["concatenate ranks", () => np.concatenate([x, np.zeros([3])]), ShapeError, /concatenate: all arrays need the same number of dimensions, got shapes \[2, 3\], \[3\]/],
    ["concatenate shapes", () => np.concatenate([x, np.zeros([2, 2])], 0), ShapeError, /concatenate: shapes \[2, 3\], \[2, 2\] differ outside axis 0/],
    ["concatenate 0-d", () => np.concatenate([np.array(1), np.array(2)]), ValueError, /zero-dimensional/],
    ["concatenate nothing", () => np.concatenate([]), ValueError, /concatenate: needs at least one array/],
    ["stack shapes", () => np.stack([x, np.zeros([3, 2])]), ShapeError, /stack: all arrays need the same shape, got \[2, 3\], \[3, 2\]/],
    ["moveaxis lengths", () => np.moveaxis(x, [0, 1], [0]), ValueError, /moveaxis/],
    ["sort 0-d", () => np.sort(np.array(3)), ValueError, /sort: cannot sort a 0-d array/],
    ["argsort axis", () => np.argsort(x, 2), AxisError, /argsort: axis 2/],
  ] as const)("%s", (_n, f, type, message) => {
    expect(f).toThrow(type);
    expect(f).toThrow(message);
  });
  test("concatenate reads views (slices, transposes, broadcasts) as their contiguous copies, along any axis", () => {
    const base = np.reshape(np.arange(6 * 40, { dtype: "float32" }), [6, 40]);
    const copy = (t: Tensor) => np.array(t.toArray() as number[][], { dtype: "float32" });
    const tall = np.reshape(np.arange(37 * 4, { dtype: "float32" }), [37, 4]);
    // A slice at an offset, a transpose ([4, 37], strides [1, 4]) and a broadcast row.
    const views = [np.slice(base, [1, 3], [4, 40]), np.transpose(tall), np.broadcastTo(np.arange(37, { dtype: "float32" }), [2, 37])];
    const byRows = np.concatenate(views, 0);
    expect(byRows.toArray()).toEqual(np.concatenate(views.map(copy), 0).toArray());
    const cols = [np.transpose(views[0]!), np.slice(tall, [0, 1], [37, 3])];
    expect(np.concatenate(cols, 1).toArray()).toEqual(np.concatenate(cols.map(copy), 1).toArray());
  });
  test("concatenate promotes dtypes as jnp", () => {
    expect(np.concatenate([np.array([1, 2]), np.array([0.5])]).dtype).toBe("float32");
    expect(np.stack([np.array([true]), np.array([2])]).dtype).toBe("int32");
  });
  test("transposes and broadcasts are views; reshape of a view copies without changing the base", () => {
    const t = np.transpose(x) as ConcreteTensor;
    expect((t as ConcreteTensor).data).toBe((x as ConcreteTensor).data);
    expect(np.reshape(t, [-1]).toArray()).toEqual([0, 3, 1, 4, 2, 5]);
    expect(x.toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
  });
});

describe("linalg", () => {
  test.each([
    ["inner mismatch", () => np.matmul(x, x), ShapeError, /matmul: shapes \[2, 3\] and \[2, 3\] do not align \(3 != 2\)/],
    ["0-d", () => np.matmul(np.array(2), x), ValueError, /matmul: operands must not be 0-d/],
    ["batch mismatch", () => np.matmul(np.zeros([2, 2, 3]), np.zeros([3, 3, 4])), ShapeError, /matmul: shapes \[2\] and \[3\] cannot be broadcast together/],
    ["dot mismatch", () => np.dot(np.zeros([2, 3]), np.zeros([2, 2, 4])), ShapeError, /dot: shapes \[2, 3\] and \[2, 2, 4\] do not align/],
  ] as const)("%s", (_n, f, type, message) => {
    expect(f).toThrow(type);
    expect(f).toThrow(message);
  });
  test("matmul promotes like jnp (weak types, int with float)", () => {
    expect(np.matmul(np.array([[1, 2]]), np.array([[1.5], [2]], { dtype: "float64" })).dtype).toBe("float64");
    expect(np.matmul(np.array([[1, 2]]), np.array([[3], [4]])).toArray()).toEqual([[11]]);
  });
  test("matmul reads a transposed operand without copying it and gives the same result", () => {
    const a = np.reshape(np.arange(12, { dtype: "float64" }), [3, 4]);
    const viaView = np.matmul(np.transpose(a), a);
    const viaCopy = np.matmul(np.array(np.transpose(a).toArray(), { dtype: "float64" }), a);
    expect(viaView.toArray()).toEqual(viaCopy.toArray());
  });
});

describe("indexing", () => {
  test.each([
    ["take out of range", () => np.take(x, [0, 3], 1), IndexError, /take: index 3 is out of bounds for an axis of size 3/],
    ["take negative out of range", () => np.take(x, -7), IndexError, /take: index -7 is out of bounds for an axis of size 6/],
    ["take float indices", () => np.take(x, np.array([0.5])), DTypeError, /take: indices must be integers, got dtype float32/],
    ["take bad axis", () => np.take(x, 0, 2), AxisError, /take: axis 2/],
    ["take 0-d", () => np.take(np.array(1), 0, 0), ShapeError, /take: cannot index a 0-d array/],
    ["slice zero step", () => np.slice(x, 0, 2, 0), ValueError, /slice step must be a non-zero integer/],
    ["slice too many axes", () => np.slice(x, [0, 0, 0], [1, 1, 1]), IndexError, /slice: 3 axes sliced but the array has shape \[2, 3\]/],
    ["at out of range", () => np.at(x, [1, 3]).set(0), IndexError, /at: index 3 is out of bounds for an axis of size 3/],
    ["at too many indices", () => np.at(x, [0, 0, 0]).get(), IndexError, /at: too many indices \(3\) for an array of shape \[2, 3\]/],
    ["at 0-d", () => np.at(np.array(1), 0), IndexError, /at: cannot index a 0-d array/],
    ["at bad update shape", () => np.at(x, 0).set(np.zeros([2])), ShapeError, /at: cannot broadcast shape \[2\] to \[3\]/],
  ] as const)("%s", (_n, f, type, message) => {
    expect(f).toThrow(type);
    expect(f).toThrow(message);
  });
  test("take without axis flattens; scalar index drops the axis", () => {
    expect(np.take(x, 4).toArray()).toEqual(4);
    expect(np.take(x, 1, 0).toArray()).toEqual([3, 4, 5]);
    expect(np.take(x, np.array([[0], [-1]]), -1).shape).toEqual([2, 2, 1]);
  });
  test("iterating a tensor yields its rows", () => {
    expect([...x].map((r) => r.toArray())).toEqual([[0, 1, 2], [3, 4, 5]]);
  });
  test("at updates are functional and cast to the array's dtype", () => {
    const before = x.toArray();
    const y = np.at(x, [0, -1]).set(7.9);
    expect(y.toArray()).toEqual([[0, 1, 7.900000095367432], [3, 4, 5]]);
    const z = np.at(np.array([1, 2, 3]), np.array([0, 0, 2])).add(2.7);
    expect(z.dtype).toBe("int32");
    expect(z.toArray()).toEqual([5, 2, 5]);
    expect(np.at(x, 1).multiply(2).toArray()).toEqual([[0, 1, 2], [6, 8, 10]]);
    expect(x.toArray()).toEqual(before);
  });
  test("slice positive steps are views over the same buffer", () => {
    const s = np.slice(x, [null, 1], [null, null]) as ConcreteTensor;
    expect(s.data).toBe((x as ConcreteTensor).data);
    expect(s.toArray()).toEqual([[1, 2], [4, 5]]);
  });
});

describe("creation", () => {
  test.each([
    ["negative shape", () => np.zeros([2, -1]), ValueError, /zeros: shape \[2, -1\] must contain non-negative integers/],
    ["fractional shape", () => np.ones(1.5), ValueError, /ones: shape \[1.5\]/],
    ["arange step 0", () => np.arange(0, 3, 0), ValueError, /arange: step must not be zero/],
    ["arange infinite", () => np.arange(Infinity), ValueError, /arange: arguments must be finite/],
    ["linspace num", () => np.linspace(0, 1, -1), ValueError, /linspace: num must be a non-negative integer, got -1/],
    ["bad dtype", () => np.zeros(2, { dtype: "int64" as never }), DTypeError, /zeros: unknown dtype "int64"/],
  ] as const)("%s", (_n, f, type, message) => {
    expect(f).toThrow(type);
    expect(f).toThrow(message);
  });
  test("defaults follow jnp", () => {
    expect(np.zeros([2]).dtype).toBe("float32");
    expect(np.full([2], 3).dtype).toBe("int32");
    expect(np.full([2], 3.5).dtype).toBe("float32");
    expect(np.full([2], true).dtype).toBe("bool");
    expect(np.full([2, 2], np.array([1, 2])).toArray()).toEqual([[1, 2], [1, 2]]);
    expect(np.zerosLike(np.array([1, 2])).dtype).toBe("int32");
    expect(np.onesLike(x, { dtype: "float64" }).dtype).toBe("float64");
    expect(np.arange(3).dtype).toBe("int32");
    expect(np.arange(4, { dtype: "float32" }).toArray()).toEqual([0, 1, 2, 3]);
    expect(np.zeros([]).shape).toEqual([]);
  });
});

describe("no kernel writes into its inputs' buffers", () => {
  const f = (shape: number[], seed: number) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return ConcreteTensor.fromData(Float64Array.from({ length: n }, (_, i) => Math.sin(seed + i)), shape, "float64");
  };
  const i32 = (v: number[]) => ConcreteTensor.fromData(Int32Array.from(v), [v.length], "int32");
  const base = f([3, 4], 1);
  // Views share `base`'s buffer, so a kernel writing through one would show up in the snapshot.
  const t = bind(transposeP, [base], { permutation: [1, 0] })[0] as ConcreteTensor;
  const cases: [string, () => Tensor[]][] = [
    ["reduce_sum", () => bind(reduceSumP, [t], { axes: [0] })],
    ["reduce_max", () => bind(reduceMaxP, [t], { axes: [1] })],
    ["reduce_min", () => bind(reduceMinP, [base], { axes: [0, 1] })],
    ["reduce_prod", () => bind(reduceProdP, [t], { axes: [0] })],
    ["argmax", () => bind(argmaxP, [t], { axis: 0 })],
    ["argmin", () => bind(argminP, [base], { axis: 1 })],
    ["cumsum", () => bind(cumsumP, [t], { axis: 1, reverse: true })],
    ["matmul", () => bind(matmulP, [t, base], {})],
    ["slice", () => bind(sliceP, [t], { start: [1, 0], limit: [3, 3], strides: [1, 2] })],
    ["pad", () => bind(padP, [t, ConcreteTensor.scalar(0, "float64")], { lo: [1, 1], hi: [0, 1], interior: [1, 0] })],
    ["concatenate", () => bind(concatenateP, [base, base], { axis: 0 })],
    ["gather", () => bind(gatherP, [t, i32([0, 2])], { axis: 1 })],
    ["scatter_add", () => bind(scatterAddP, [t, i32([0, 0]), f([2, 3], 5)], { axis: 0 })],
    ["scatter", () => bind(scatterP, [base, i32([1]), f([1, 4], 6)], { axis: 0 })],
    ["sort", () => bind(sortP, [t, t], { dimension: 0, numKeys: 1 })],
    ["broadcast+reshape", () => bind(reshapeP, [bind(broadcastInDimP, [base], { shape: [2, 3, 4], broadcastDimensions: [1, 2] })[0]!], { newShape: [24] })],
  ];
  test.each(cases)("%s", (_n, run) => {
    const snapshot = base.data.slice();
    const outs = run();
    expect(base.data).toEqual(snapshot);
    for (const o of outs) {
      const c = o as ConcreteTensor;
      if (c.data !== base.data) continue;
      // An output sharing the buffer must be a view; the values must still be intact.
      expect(base.data).toEqual(snapshot);
    }
  });
});
