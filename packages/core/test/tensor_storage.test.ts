import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { np } from "../src/index.js";
import { ConcreteTensor } from "../src/tensor.js";

// A concrete tensor's storage: the typed array it reads (`data`), where its first element sits
// (`offset`) and its steps (`stride`), and the `ndarray` view of the same, made when asked for.

/** Every multi-index of `shape`, in row-major order. */
function* indices(shape: readonly number[]): Generator<number[]> {
  const total = shape.reduce((a, b) => a * b, 1);
  const idx = shape.map(() => 0);
  for (let k = 0; k < total; k++) {
    yield idx.slice();
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
}

/** A view of a `[rows, cols]` tensor: itself, its transpose, a slice at an offset, or a broadcast of one of its rows. */
const views = (x: ConcreteTensor, rows: number, cols: number): ConcreteTensor[] => [
  x,
  np.transpose(x) as ConcreteTensor,
  np.slice(x, 1, rows) as ConcreteTensor,
  np.broadcastTo(np.slice(x, rows - 1, rows), [3, cols]) as ConcreteTensor,
];

describe("a concrete tensor's storage", () => {
  it("fromData keeps the array it is given, row-major from 0", () => {
    const data = new Float32Array([1, 2, 3, 4, 5, 6]);
    const t = ConcreteTensor.fromData(data, [2, 3], "float32");
    expect(t.data).toBe(data);
    expect(t.offset).toBe(0);
    expect(t.stride).toEqual([3, 1]);
    expect(t.isContiguous).toBe(true);
  });

  it("views share their base's array and read their elements at offset + Σ index·stride", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 1, max: 5 }), (rows, cols) => {
        const x = np.reshape(np.arange(rows * cols, { dtype: "float64" }), [rows, cols]) as ConcreteTensor;
        for (const v of views(x, rows, cols)) {
          expect(v.data).toBe(x.data);
          const values = v.toTypedArray();
          let k = 0;
          for (const idx of indices(v.shape)) expect(v.data[idx.reduce((p, i, d) => p + i * v.stride[d]!, v.offset)]).toBe(values[k++]);
        }
      }),
    );
  });

  it("nd is an ndarray view of the same elements, made once per tensor", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 1, max: 5 }), (rows, cols) => {
        const x = np.reshape(np.arange(rows * cols, { dtype: "float32" }), [rows, cols]) as ConcreteTensor;
        for (const v of views(x, rows, cols)) {
          const nd = v.nd;
          expect(v.nd).toBe(nd);
          expect(nd.data).toBe(v.data);
          expect(nd.shape).toEqual(v.shape);
          expect(nd.stride).toEqual(v.stride);
          expect(nd.offset).toBe(v.offset);
          const values = v.toTypedArray();
          let k = 0;
          for (const idx of indices(v.shape)) expect(nd.get(...idx)).toBe(values[k++]);
        }
      }),
    );
  });

  it("owns its shape and stride: the arrays it was made from can change without changing it", () => {
    const shape = [2, 3];
    const t = ConcreteTensor.fromData(new Float64Array(6), shape, "float64");
    shape[0] = 3;
    expect(t.shape).toEqual([2, 3]);
    const [viewShape, viewStride] = [[3, 2], [1, 3]];
    const v = ConcreteTensor.view(t, viewShape, viewStride, 0);
    viewShape[1] = 1;
    viewStride[0] = 0;
    expect([v.shape, v.stride]).toEqual([[3, 2], [1, 3]]);
    expect(ConcreteTensor.view(v, v.shape, v.stride, 0).shape).not.toBe(v.shape);
  });

  it("stays frozen, and a 0-d tensor's view holds its one element", () => {
    const s = ConcreteTensor.scalar(2.5, "float64");
    expect(Object.isFrozen(s)).toBe(true);
    expect(s.nd.get()).toBe(2.5);
    expect(Object.isFrozen(s)).toBe(true);
    expect(s.item()).toBe(2.5);
  });
});
