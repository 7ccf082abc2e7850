import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { F32, F64 } from "../../../../src/backend/kernels/wasm/matmul_kernels.js";
import { transposeInMemory, wasmSparseAvailable } from "../../../../src/backend/kernels/wasm/sparse_wasm.js";
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
