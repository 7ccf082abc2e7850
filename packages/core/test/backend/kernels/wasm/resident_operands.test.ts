import fc from "fast-check";
import { afterAll, describe, expect, test } from "vitest";
import type { MatrixView } from "../../../../src/backend/kernels/matmul.js";
import { matmulWasmF32Into } from "../../../../src/backend/kernels/wasm/matmul_wasm.js";
import { runSimd, type SimdProgram } from "../../../../src/backend/kernels/wasm/elementwise_wasm.js";
import { edgeDotRowsWasm, spmvRowsWasm } from "../../../../src/backend/kernels/wasm/sparse_wasm.js";
import { EdgeTable } from "../../../../src/backend/kernels/edge_table.js";
import { allocateResident, ownsResidentBlock, releaseResident, residentAddress } from "../../../../src/backend/resident_storage.js";
import { numThreads, setNumThreads } from "../../../../src/backend/threads/config.js";
import { BLOCK_SLACK, heapAvailable } from "../../../../src/backend/threads/kernel_heap.js";
import { waitForThreads } from "../../../../src/backend/threads/pool.js";

// Kernels read operands that live in the kernel memory where they are, and write results
// straight into outputs that own a block of it. These tests hold them to the bits of the same
// call on ordinary arrays (copied in and out), on 1 and 2 threads, and check that no write
// reaches past an output's block.

const initial = numThreads();
afterAll(() => setNumThreads(initial));

/** Deterministic float32 values with many distinct roundings. */
function values(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32) * 2 - 1 + 1e-3 * Math.sin(i);
  }
  return out;
}

/** A copy of `data` in a block of the kernel memory. */
function resident(data: Float32Array): Float32Array {
  const r = allocateResident(Float32Array, data.length)!;
  r.set(data);
  return r;
}

/** A resident output followed by a sentinel-filled neighbour block; `intact()` says whether the neighbour kept every byte. */
function guardedOutput(size: number): { out: Float32Array; intact: () => boolean; free: () => void } {
  const out = allocateResident(Float32Array, size, false)!;
  const neighbour = allocateResident(Uint8Array, 4096)!;
  neighbour.fill(0xa5);
  return {
    out,
    intact: () => neighbour.every((v) => v === 0xa5),
    free: () => {
      releaseResident(out);
      releaseResident(neighbour);
    },
  };
}

const bitsEqual = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

describe.skipIf(!heapAvailable())("matmul with operands in the kernel memory", () => {
  // n = 100 and 300 leave a partial panel (threaded C is then padded and copied out); 784 does not.
  const shapes: [number, number, number][] = [
    [100, 784, 300],
    [300, 100, 784],
    [37, 53, 100],
    [5, 3, 8],
  ];
  for (const threads of [1, 2]) {
    test(`${threads} thread(s): resident A, B (row-major, transposed, offset) and C give the bits of ordinary arrays`, () => {
      setNumThreads(threads);
      waitForThreads();
      shapes.forEach(([m, k, n], s) => {
        const aData = values(m * k + 3, 10 + s);
        const bData = values(k * n + 5, 20 + s);
        const views = (a: Float32Array, b: Float32Array): [MatrixView, MatrixView][] => [
          [
            { data: a, offset: 3, rowStride: k, colStride: 1 },
            { data: b, offset: 5, rowStride: n, colStride: 1 },
          ],
          [
            { data: a, offset: 0, rowStride: 1, colStride: m },
            { data: b, offset: 0, rowStride: 1, colStride: k },
          ],
        ];
        const ordinary = views(aData, bData);
        const res = views(resident(aData), resident(bData));
        ordinary.forEach(([a, b], v) => {
          const want = new Float32Array(m * n);
          matmulWasmF32Into(a, b, m, k, n, want);
          const guarded = guardedOutput(m * n);
          matmulWasmF32Into(res[v]![0], res[v]![1], m, k, n, guarded.out);
          expect(bitsEqual(guarded.out, want), `${m}x${k}x${n} view ${v}`).toBe(true);
          expect(guarded.intact(), `${m}x${k}x${n} view ${v}: a write past the output's block`).toBe(true);
          guarded.free();
          // A resident output that does not own its block (a view into a larger one) is copied into, never spilled past.
          const big = allocateResident(Float32Array, m * n + 64)!;
          big.fill(7);
          const inner = big.subarray(16, 16 + m * n);
          expect(ownsResidentBlock(inner)).toBe(false);
          matmulWasmF32Into(res[v]![0], res[v]![1], m, k, n, inner);
          expect(bitsEqual(inner, want)).toBe(true);
          expect(big.subarray(16 + m * n).every((x) => x === 7)).toBe(true);
          releaseResident(big);
        });
      });
    });
  }
});

describe.skipIf(!heapAvailable())("fused elementwise programs with operands in the kernel memory", () => {
  // out0 = (a * b) + c; out1 = a < c (bool); out2 = sqrt(|b|)
  const program: SimdProgram = {
    inputs: ["float32", "float32", "float32"],
    steps: [
      { op: "mul", args: [0, 1], dtype: "float32" },
      { op: "add", args: [3, 2], dtype: "float32" },
      { op: "lt", args: [0, 2], dtype: "bool" },
      { op: "abs", args: [1], dtype: "float32" },
      { op: "sqrt", args: [6], dtype: "float32" },
    ],
    outputs: [4, 5, 7],
  };

  /** Runs the program over ordinary copies (the reference) and over the given mix of resident operands; compares. */
  function check(size: number, offset: number, residentIn: boolean[], residentOut: boolean[]): void {
    const data = [0, 1, 2].map((m) => values(size + offset, 30 + m));
    const want = [new Float32Array(size), new Uint8Array(size), new Float32Array(size)];
    expect(runSimd(program, data.map((d) => ({ data: d, offset })), 0, size, want)).toBe(true);
    const ins = data.map((d, m) => ({ data: residentIn[m] ? resident(d) : d, offset }));
    for (const x of ins) if (residentIn[ins.indexOf(x)]) expect(residentAddress(x.data)).toBeGreaterThanOrEqual(0);
    const guards = want.map((w, q) => {
      if (!residentOut[q]) return { out: w instanceof Uint8Array ? new Uint8Array(size) : new Float32Array(size), intact: () => true, free: () => {} };
      if (w instanceof Uint8Array) {
        const out = allocateResident(Uint8Array, size, false)!;
        const neighbour = allocateResident(Uint8Array, BLOCK_SLACK)!;
        neighbour.fill(0xa5);
        return { out, intact: () => neighbour.every((v) => v === 0xa5), free: () => (releaseResident(out), releaseResident(neighbour)) };
      }
      return guardedOutput(size);
    });
    expect(runSimd(program, ins, 0, size, guards.map((g) => g.out))).toBe(true);
    guards.forEach((g, q) => {
      const w = want[q]!;
      const same = w instanceof Uint8Array ? w.every((v, i) => v === g.out[i]) : bitsEqual(g.out as Float32Array, w);
      expect(same, `output ${q} (size ${size}, offset ${offset}, resident in ${residentIn}, out ${residentOut})`).toBe(true);
      expect(g.intact(), `output ${q}: a write past its block`).toBe(true);
      g.free();
    });
    ins.forEach((x, m) => residentIn[m] && releaseResident(x.data));
  }

  for (const threads of [1, 2]) {
    test(`${threads} thread(s): any mix of resident and ordinary operands, changing from call to call, gives the bits of copies (fast-check)`, () => {
      setNumThreads(threads);
      waitForThreads();
      fc.assert(
        fc.property(
          fc.constantFrom(1500, 4096 + 13, 70_001),
          fc.nat(5),
          fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
          fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
          (size, offset, residentIn, residentOut) => check(size, offset, residentIn, residentOut),
        ),
        { numRuns: 30 },
      );
    });
  }
});

describe.skipIf(!heapAvailable())("sparse products with operands in the kernel memory", () => {
  /** A table of `e` entries over `numRows` rows and `w` columns, not row-sorted (so values are reordered on the way in). */
  function table(e: number, numRows: number, w: number, seed: number): EdgeTable {
    const pairs = new Set<number>();
    let s = seed;
    while (pairs.size < e) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      pairs.add((s >>> 8) % (numRows * w));
    }
    const flat = [...pairs];
    return EdgeTable.of(flat.map((p) => Math.floor(p / w)), flat.map((p) => p % w));
  }
  /** Row-sorted: values are read where they are. */
  function sorted(t: EdgeTable): EdgeTable {
    const order = Array.from({ length: t.size }, (_, i) => i).sort((a, b) => t.rows[a]! - t.rows[b]! || a - b);
    return EdgeTable.of(order.map((i) => t.rows[i]!), order.map((i) => t.cols[i]!));
  }

  // n = 100 leaves a partial tile (the over-read past x and the spill past out); 64 does not.
  for (const threads of [1, 2]) {
    test(`${threads} thread(s): spmv and edge_dot on resident operands (features- and samples-major) give the bits of copies, and write nothing past an output's block`, () => {
      setNumThreads(threads);
      waitForThreads();
      for (const [n, w, numRows, e] of [
        [100, 784, 300, 8468],
        [64, 50, 40, 900],
        [100, 30, 20, 60],
      ] as const) {
        for (const t of [table(e, numRows, w, n + e), sorted(table(e, numRows, w, n + e))]) {
          const xData = values(w * n, 40 + n);
          const vData = values(e, 50 + n);
          const gData = values(numRows * n, 60 + n);
          for (const order of ["features-major", "samples-major"] as const) {
            const want = new Float32Array(numRows * n);
            spmvRowsWasm(xData, n, w, vData, t, numRows, want, order);
            const x = resident(xData);
            const v = resident(vData);
            const guarded = guardedOutput(numRows * n);
            spmvRowsWasm(x, n, w, v, t, numRows, guarded.out, order);
            expect(bitsEqual(guarded.out, want), `spmv ${n}x${w}->${numRows}, ${e} entries, ${order}`).toBe(true);
            expect(guarded.intact(), "spmv: a write past the output's block").toBe(true);
            expect(bitsEqual(x, xData) && bitsEqual(v, vData), "spmv changed an operand").toBe(true);
            guarded.free();
            const dots = new Float32Array(e);
            edgeDotRowsWasm(gData, xData, n, numRows, w, t, dots, "features-major", order);
            const g = resident(gData);
            const guardedDots = guardedOutput(e);
            edgeDotRowsWasm(g, x, n, numRows, w, t, guardedDots.out, "features-major", order);
            expect(bitsEqual(guardedDots.out, dots), `edge_dot ${n}x${w}, ${e} entries, ${order}`).toBe(true);
            expect(guardedDots.intact(), "edge_dot: a write past the output's block").toBe(true);
            expect(bitsEqual(g, gData) && bitsEqual(x, xData), "edge_dot changed an operand").toBe(true);
            guardedDots.free();
            [x, v, g].forEach((a) => releaseResident(a));
          }
        }
      }
    });
  }
});
