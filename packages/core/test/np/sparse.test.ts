import { describe, expect, it } from "vitest";
import { AxisError, IndexError, ShapeError } from "../../src/errors.js";
import * as np from "../../src/np/index.js";
import type { Tensor } from "../../src/tensor.js";

const table = np.edgeTable([0, 1, 1], [2, 0, 2]); // a 2 x 3 matrix with 3 entries
const values = np.array([10, 1, 1], { dtype: "float64" });

describe("np.spmv and np.edgeDot", () => {
  it("compute the documented examples", () => {
    expect(np.spmv(np.array([1, 2, 3]), np.array([10, 1, 1]), table).toArray()).toEqual([30, 4]);
    expect(np.edgeDot(np.array([[1, 2]]), np.array([[3, 4, 5]]), np.edgeTable([1], [2])).toArray()).toEqual([10]);
    expect(np.edgeDot(np.array([[1], [2]]), np.array([[3], [4], [5]]), np.edgeTable([1], [2]), 0).toArray()).toEqual([10]);
    expect(np.spmv(np.ones([3, 250]), np.array([10, 1, 1]), table, 2, 0).shape).toEqual([2, 250]);
  });

  it("along any axis equal the last-axis product of the moved operand", () => {
    const x = np.reshape(np.arange(2 * 3 * 4, { dtype: "float64" }), [2, 3, 4]); // features on axis 1
    const last = np.spmv(np.moveaxis(x, 1, 2), values, table, 3);
    for (const axis of [1, -2]) {
      const got = np.spmv(x, values, table, 3, axis);
      expect(got.shape).toEqual([2, 3, 4]);
      expect(np.moveaxis(got, 1, 2).toArray()).toEqual(last.toArray());
    }
    const a = np.reshape(np.arange(2 * 2 * 4, { dtype: "float64" }), [2, 2, 4]);
    expect(np.edgeDot(a, x, table, 1).toArray()).toEqual(np.edgeDot(np.moveaxis(a, 1, 2), np.moveaxis(x, 1, 2), table).toArray());
  });

  it("give the same bits on a transposed view (an input batch under vmap) as on its contiguous copy", () => {
    // 300 x 100 float32 samples-major operands, 1,200 edges: the Wasm kernels' sizes.
    const big = np.edgeTable(
      Array.from({ length: 1200 }, (_, e) => (e * 7) % 40),
      Array.from({ length: 1200 }, (_, e) => (e * 13) % 300),
    );
    const batch = np.sin(np.reshape(np.arange(100 * 300, { dtype: "float32" }), [100, 300]));
    const view = np.transpose(batch); // [300, 100], strides [1, 300]
    const copy = np.array(view.toArray() as number[][], { dtype: "float32" });
    const vals = np.cos(np.arange(1200, { dtype: "float32" }));
    expect(np.spmv(view, vals, big, 40, 0).toTypedArray()).toEqual(np.spmv(copy, vals, big, 40, 0).toTypedArray());
    const a = np.tanh(np.reshape(np.arange(40 * 100, { dtype: "float32" }), [40, 100]));
    expect(np.edgeDot(a, view, big, 0).toTypedArray()).toEqual(np.edgeDot(a, copy, big, 0).toTypedArray());
    expect(np.edgeDot(np.transpose(np.transpose(a)), view, big.transposed().transposed(), 0).toTypedArray()).toEqual(np.edgeDot(a, copy, big, 0).toTypedArray());
    // And the JS path (few samples), through a transposed slice of a larger buffer.
    const rowsOf = np.transpose(np.slice(batch, 10, 13)); // [300, 3], offset 3000
    expect(np.spmv(rowsOf, vals, big, 40, 0).toTypedArray()).toEqual(np.spmv(np.array(rowsOf.toArray() as number[][], { dtype: "float32" }), vals, big, 40, 0).toTypedArray());
  });

  it("give the same bits on views of some columns or rows (a pruned layer's inputs) as on their contiguous copies", () => {
    const big = np.edgeTable(
      Array.from({ length: 1200 }, (_, e) => (e * 7) % 40),
      Array.from({ length: 1200 }, (_, e) => (e * 13) % 290),
    );
    const vals = np.cos(np.arange(1200, { dtype: "float32" }));
    const batch = np.sin(np.reshape(np.arange(100 * 300, { dtype: "float32" }), [100, 300]));
    const copyOf = (t: Tensor) => np.array(t.toArray() as number[][], { dtype: "float32" });
    // Columns 3..292 of the batch, transposed: [290, 100], strides [1, 300], offset 3.
    const columns = np.transpose(np.slice(batch, [0, 3], [100, 293]));
    const a = np.tanh(np.reshape(np.arange(40 * 100, { dtype: "float32" }), [40, 100]));
    // Rows 5..294 of a features-major array: [290, 100], row-major at offset 500.
    const rows = np.slice(copyOf(np.transpose(batch)), [5, 0], [295, 100]);
    for (const view of [columns, rows]) {
      const copy = copyOf(view);
      expect(np.spmv(view, vals, big, 40, 0).toTypedArray()).toEqual(np.spmv(copy, vals, big, 40, 0).toTypedArray());
      expect(np.edgeDot(a, view, big, 0).toTypedArray()).toEqual(np.edgeDot(a, copy, big, 0).toTypedArray());
      // The same view on the other side of the product (as the gradient's spmv reads it).
      expect(np.edgeDot(view, np.transpose(np.transpose(view)), np.edgeTable([0, 289, 17], [3, 0, 289]), 0).toTypedArray()).toEqual(
        np.edgeDot(copy, copy, np.edgeTable([0, 289, 17], [3, 0, 289]), 0).toTypedArray(),
      );
    }
  });

  it("promote integer operands to float32 and leave their inputs untouched", () => {
    const x = np.array([1, 2, 3], { dtype: "int32" });
    const out = np.spmv(x, np.array([1, 1, 1], { dtype: "int32" }), table);
    expect(out.dtype).toBe("float32");
    expect(x.toArray()).toEqual([1, 2, 3]);
  });

  it("reject bad axes, shapes and rows with errors that name them", () => {
    expect(() => np.spmv(np.ones([3]), values, table, 2, 1)).toThrow(AxisError);
    expect(() => np.spmv(np.ones([3]), values, table, 2, 1)).toThrow(/spmv: axis 1 is out of bounds for an array of shape \[3\]/);
    expect(() => np.spmv(np.array(1), values, table)).toThrow(ShapeError);
    expect(() => np.spmv(np.ones([2, 4]), values, table, 2, 0)).toThrow(/entry column 2 is out of range for x of shape \[2, 4\] \(feature axis 0\)/);
    expect(() => np.spmv(np.ones([3]), values, table, 1)).toThrow(IndexError);
    expect(() => np.spmv(np.ones([3]), np.ones([2]), table)).toThrow(/values of shape \[2\] do not match the table's 3 entries/);
    expect(() => np.edgeDot(np.ones([2, 5]), np.ones([2, 5]), table, 0)).toThrow(/entry column 2 is out of range for b of shape \[2, 5\]/);
    expect(() => np.edgeDot(np.ones([2, 5]), np.ones([3, 4]), table, 0)).toThrow(/do not match \(equal axes but the feature axis 0\)/);
    expect(() => np.edgeDot(np.ones([2]), np.ones([3]), table, -2)).toThrow(AxisError);
  });
});
