import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { F32, F64 } from "../../../../src/backend/kernels/wasm/matmul_kernels.js";
import { rowTiles, spmvRowsWasm, transposeInMemory, wasmSparseAvailable } from "../../../../src/backend/kernels/wasm/sparse_wasm.js";
import { SPMV_VECTORS } from "../../../../src/backend/kernels/wasm/sparse_kernels.js";
import { EdgeTable } from "../../../../src/backend/kernels/edge_table.js";
import { heapBuffer, scratchArea } from "../../../../src/backend/threads/kernel_heap.js";

describe("transposeInMemory", () => {
  test("writes dst[j][i] = src[i][j], zeros from n to padded, nothing else: blocks and edges, f32 and f64 (property)", () => {
    expect(wasmSparseAvailable()).toBe(true);
    fc.assert(
      fc.property(
        fc.constantFrom(F32, F64),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        (type, n, w, pad, srcGap, dstGap) => {
          const eb = type.bytes;
          const padded = n + pad;
          const [srcRow, dstRow] = [w + srcGap, padded + dstGap];
          const srcBytes = Math.ceil((n * srcRow * eb) / 16) * 16;
          const base = scratchArea(srcBytes + (w * dstRow + 4) * eb);
          const view = type === F32 ? new Float32Array(heapBuffer()) : new Float64Array(heapBuffer());
          const [s0, d0] = [base / eb, (base + srcBytes) / eb];
          for (let t = 0; t < n * srcRow; t++) view[s0 + t] = t + 1;
          view.fill(-7, d0, d0 + w * dstRow + 4);
          transposeInMemory(type, base, base + srcBytes, n, w, srcRow * eb, dstRow * eb, padded);
          for (let j = 0; j < w; j++) {
            for (let i = 0; i < dstRow; i++) {
              const want = i < n ? i * srcRow + j + 1 : i < padded ? 0 : -7;
              if (view[d0 + j * dstRow + i] !== want) return false;
            }
          }
          for (let t = w * dstRow; t < w * dstRow + 4; t++) if (view[d0 + t] !== -7) return false;
          return true;
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("spmv tiles", () => {
  test("rowTiles covers a row's vectors with as few tiles as SPMV_VECTORS allows, widths one apart (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2000 }), fc.constantFrom(2, 4), (np, lanes) => {
        const { width, wide, narrow, partial } = rowTiles(np, lanes);
        const vectors = Math.ceil(np / lanes);
        const tiles = wide + narrow;
        return (
          wide * (width + 1) + narrow * width === vectors &&
          width >= 1 &&
          width + (wide > 0 ? 1 : 0) <= SPMV_VECTORS &&
          tiles === Math.ceil(vectors / SPMV_VECTORS) &&
          narrow >= 1 &&
          partial === (np % lanes !== 0)
        );
      }),
    );
    expect(rowTiles(100, 4)).toEqual({ width: 5, wide: 0, narrow: 5, partial: false });
    expect(rowTiles(130, 4)).toEqual({ width: 4, wide: 5, narrow: 2, partial: true });
  });

  test("features-major spmv gives the bits of each row's edges summed in order in float32, for every tiling (1 to 130 samples)", () => {
    expect(wasmSparseAvailable()).toBe(true);
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
    const [numRows, w] = [6, 9];
    const rows: number[] = [];
    const cols: number[] = [];
    for (let r = 0; r < numRows - 1; r++) for (let c = 0; c < w; c++) if (rand() < 0.2) (rows.push(r), cols.push(c));
    const table = EdgeTable.of(rows, cols);
    for (let n = 1; n <= 130; n++) {
      const x = Float32Array.from({ length: w * n }, rand);
      const vals = Float32Array.from({ length: table.size }, rand);
      const out = new Float32Array(numRows * n).fill(Number.NaN);
      spmvRowsWasm(x, n, w, vals, table, numRows, out);
      const want = new Float32Array(numRows * n);
      const { order, rowStart } = table.byRow();
      for (let r = 0; r < numRows; r++) {
        for (let i = 0; i < n; i++) {
          let acc = 0;
          for (let k = rowStart[r] ?? table.size; k < (rowStart[r + 1] ?? table.size); k++) {
            const e = order === null ? k : order[k]!;
            acc = Math.fround(acc + Math.fround(vals[e]! * x[table.cols[e]! * n + i]!));
          }
          want[r * n + i] = acc;
        }
      }
      expect(out, `n = ${n}`).toEqual(want);
    }
  });
});
