import type { Instructions } from "./instructions.js";
import type { SimdFloat } from "./matmul_kernels.js";
import { interleaveLanePairs } from "./lane_interleave.js";
import { encodeModule, FunctionBuilder, type MemoryImport } from "./module_encoder.js";

/**
 * Generates the WebAssembly SIMD128 kernels of the sparse products (`spmv`, `edge_dot`). Both
 * work on *transposed* dense operands, `[features][samples]` with every feature row padded to a
 * whole number of vectors, so that the samples of a batch fill the SIMD lanes: an edge becomes
 * an axpy (spmv) or a dot product (edge_dot) over contiguous rows.
 *
 * `spmv(x, colOff, vals, rowStart, out, numRows, rowBytes, tiles)`: for each output row `r`
 * and each of its `tiles` tiles of `SPMV_VECTORS` vectors of samples (`spmv_1` … `spmv_4`:
 * tiles of 1 to 4 vectors),
 * `out[r][tile] = Σ_{k ∈ rowStart[r] .. rowStart[r+1]} vals[k] · x[colOff[k] / rowBytes][tile]`,
 * accumulators held in registers over the row's edges. `colOff[k]` is the byte offset of the
 * edge's input row in `x` (`col · rowBytes`); `rowStart` holds `numRows + 1` i32 edge indices.
 *
 * `edge_dot(a, b, rowOff, colOff, out, numEdges, chunks, tail)`: for each edge `e`,
 * `out[e] = Σ a[rowOff[e]] · b[colOff[e]]` over `chunks` chunks of `DOT_VECTORS` vectors and
 * then `tail` more values (so rows need no padding): one vector of them when there are that
 * many, the rest one at a time. `rowOff`/`colOff` are byte offsets of the rows.
 *
 * `transpose(src, dst, n, w, srcRowBytes, dstRowBytes, padded)`: `dst[j][i] = src[i][j]` for
 * an `n × w` source (rows `srcRowBytes` apart), each destination row `dstRowBytes` apart and
 * zero-filled from `n` to `padded` elements: the samples-major operands of the sparse products (an input batch read
 * through vmap's transpose) put in the features-major layout the kernels read, in Wasm rather
 * than in a strided JavaScript loop (about 3 ns per element on a 100 × 784 batch).
 *
 * Every address and offset is in bytes; all regions are 16-byte aligned.
 */

/**
 * The most vectors of samples an spmv tile holds (accumulators in registers); `spmv_1` …
 * `spmv_4` hold fewer. A row of `v` vectors is cut into `⌈v / 5⌉` tiles as equal as they come
 * (100 float32 samples: five tiles of five vectors), since each tile reads the row's edges
 * again: the per-edge work (its column offset, its value, the loop) is paid once per tile. On
 * the LeNet-300-100 first layer's product (8,468 random edges of 300 × 784, resident operands,
 * one thread, 16 alternating rounds of 200 calls; 2-core AMD EPYC, 2026-12-08 ~01:05 UTC), at
 * most four vectors per tile (six of four and one of one, as before, for 100 samples) took
 * 96.5 µs, five 84.4 µs (0.874x), six 93.3, seven 103.5, eight 119.2 (V8 then keeps fewer
 * accumulators in registers); balanced tiles of at most five against at most four: 0.877x at
 * 100 samples, 0.90x at 200, 0.96x at 128, within noise at 64 and 96. Two sets of accumulators
 * (even and odd edges, breaking the chain of additions) made it slower: 1.18x. Every tiling
 * sums each output's edges in the same order: the bits do not depend on it.
 */
export const SPMV_VECTORS = 5;
/** Vectors per edge_dot step (independent accumulators). */
export const DOT_VECTORS = 2;

/**
 * The module binary exporting `spmv` and `edge_dot` for one element type (see the module comment).
 * Example: `new WebAssembly.Module(sparseModuleBytes(F32, { module: "env", name: "memory", minPages: 1 }))`.
 */
export function sparseModuleBytes(type: SimdFloat, memory: MemoryImport): Uint8Array {
  const narrow = Array.from({ length: SPMV_VECTORS - 1 }, (_, v) => spmvKernel(type, v + 1, spmvNarrowName(v + 1)));
  return encodeModule(memory, [spmvKernel(type), edgeDotKernel(type, 1), transposeKernel(type), transposeBlocksKernel(type), edgeDotKernel(type, DOT_GROUP), ...narrow]);
}

/**
 * The export name of the spmv kernel with `vectors` (1 up to `SPMV_VECTORS - 1`) vectors per
 * tile: the tiles of a row of fewer than `SPMV_VECTORS` vectors, or of one cut into tiles of
 * unequal widths (32 vectors: four tiles of five, then three of four), see {@link SPMV_VECTORS}.
 * Example: `spmvNarrowName(1)` is `"spmv_1"`.
 */
export function spmvNarrowName(vectors: number): string {
  return `spmv_${vectors}`;
}

/** The element-type-specific instructions. */
function ops(type: SimdFloat, code: Instructions) {
  const f32 = type.name === "f32";
  return {
    splatLoad: (offset = 0) => (f32 ? code.v128Load32Splat(offset) : code.v128Load64Splat(offset)),
    vAdd: () => (f32 ? code.f32x4Add() : code.f64x2Add()),
    vMul: () => (f32 ? code.f32x4Mul() : code.f64x2Mul()),
    zero: () => (f32 ? code.f32Const(0).f32x4Splat() : code.f64Const(0).f64x2Splat()),
    sZero: () => (f32 ? code.f32Const(0) : code.f64Const(0)),
    sLoad: () => (f32 ? code.f32Load() : code.f64Load()),
    sMul: () => (f32 ? code.f32Mul() : code.f64Mul()),
    extract: (lane: number) => (f32 ? code.f32x4ExtractLane(lane) : code.f64x2ExtractLane(lane)),
    sAdd: () => (f32 ? code.f32Add() : code.f64Add()),
    sStore: (offset = 0) => (f32 ? code.f32Store(offset) : code.f64Store(offset)),
  };
}

/**
 * `spmv` with `vectors` vectors of samples per tile (the narrower ones compute a row's last,
 * partial tile). Rows are the outer loop, each row's tiles the next: a row's edges are read
 * again for every tile from the first-level cache, and the input rows they name are read one
 * line after another. With tiles as the outer loop (every row for one tile, then every row for
 * the next) the LeNet-300-100 3.6 % step's first-layer product (8,468 edges, 100 samples, one
 * thread) took 120 and 140 µs against 111 and 122 µs this way (`benchmarks/mnist_sparse_steps.ts`
 * with a temporary switch, 20 ABBA pairs of 200-call blocks; 2-core AMD EPYC, 2026-12-06
 * ~21:57 UTC).
 */
function spmvKernel(type: SimdFloat, vectors = SPMV_VECTORS, name = "spmv"): FunctionBuilder {
  const f = new FunctionBuilder(name);
  const x = f.param("i32");
  const colOff = f.param("i32");
  const vals = f.param("i32");
  const rowStart = f.param("i32");
  const out = f.param("i32");
  const numRows = f.param("i32");
  const rowBytes = f.param("i32");
  const tiles = f.param("i32");
  const xTile = f.local("i32");
  const outPtr = f.local("i32");
  const startPtr = f.local("i32");
  const rowsLeft = f.local("i32");
  const tilesLeft = f.local("i32");
  const first = f.local("i32");
  const firstVal = f.local("i32");
  const pc = f.local("i32");
  const pv = f.local("i32");
  const end = f.local("i32");
  const addr = f.local("i32");
  const w = f.local("v128");
  const acc = Array.from({ length: vectors }, () => f.local("v128"));
  const code = f.code;
  const o = ops(type, code);
  const eb = type.bytes;

  code.localGet(rowStart).localSet(startPtr);
  code.localGet(numRows).localSet(rowsLeft);
  code.block().loop(); // rows
  code.localGet(rowsLeft).i32Eqz().brIf(1);
  // first = colOff + 4·rowStart[r], firstVal = vals + eb·rowStart[r], end = colOff + 4·rowStart[r + 1]
  code.localGet(colOff).localGet(startPtr).i32Load(0).i32Const(2).i32Shl().i32Add().localSet(first);
  code.localGet(vals).localGet(startPtr).i32Load(0).i32Const(Math.log2(eb)).i32Shl().i32Add().localSet(firstVal);
  code.localGet(colOff).localGet(startPtr).i32Load(4).i32Const(2).i32Shl().i32Add().localSet(end);
  code.localGet(x).localSet(xTile);
  code.localGet(out).localSet(outPtr);
  code.localGet(tiles).localSet(tilesLeft);
  code.block().loop(); // the row's tiles
  code.localGet(tilesLeft).i32Eqz().brIf(1);
  code.localGet(first).localSet(pc);
  code.localGet(firstVal).localSet(pv);
  for (const a of acc) {
    o.zero();
    code.localSet(a);
  }
  code.block().loop(); // edges of the row
  code.localGet(pc).localGet(end).i32LtU().i32Eqz().brIf(1);
  code.localGet(pv);
  o.splatLoad();
  code.localSet(w);
  code.localGet(xTile).localGet(pc).i32Load(0).i32Add().localSet(addr);
  acc.forEach((a, v) => {
    code.localGet(a).localGet(w).localGet(addr).v128Load(16 * v);
    o.vMul();
    o.vAdd();
    code.localSet(a);
  });
  code.localGet(pc).i32Const(4).i32Add().localSet(pc);
  code.localGet(pv).i32Const(eb).i32Add().localSet(pv);
  code.br(0);
  code.end().end();
  acc.forEach((a, v) => code.localGet(outPtr).localGet(a).v128Store(16 * v));
  code.localGet(outPtr).i32Const(16 * vectors).i32Add().localSet(outPtr);
  code.localGet(xTile).i32Const(16 * vectors).i32Add().localSet(xTile);
  code.localGet(tilesLeft).i32Const(1).i32Sub().localSet(tilesLeft);
  code.br(0);
  code.end().end();
  code.localGet(out).localGet(rowBytes).i32Add().localSet(out);
  code.localGet(startPtr).i32Const(4).i32Add().localSet(startPtr);
  code.localGet(rowsLeft).i32Const(1).i32Sub().localSet(rowsLeft);
  code.br(0);
  code.end().end();
  code.end();
  return f;
}

/** The parameters of both transpose kernels, declared in their order: `(src, dst, n, w, srcRowBytes, dstRowBytes, padded)`. */
function transposeParams(f: FunctionBuilder) {
  const names = ["src", "dst", "n", "w", "srcRowBytes", "dstRowBytes", "padded"] as const;
  return Object.fromEntries(names.map((name) => [name, f.param("i32")])) as Record<(typeof names)[number], number>;
}

function transposeKernel(type: SimdFloat, name = "transpose"): FunctionBuilder {
  const f = new FunctionBuilder(name);
  const { src, dst, n, w, srcRowBytes, dstRowBytes, padded } = transposeParams(f);
  const srcCol = f.local("i32");
  const ps = f.local("i32");
  const pd = f.local("i32");
  const rowEnd = f.local("i32");
  const padEnd = f.local("i32");
  const code = f.code;
  const o = ops(type, code);
  const eb = type.bytes;
  const shift = Math.log2(eb);

  code.localGet(src).localSet(srcCol);
  code.block().loop(); // destination rows (source columns)
  code.localGet(w).i32Eqz().brIf(1);
  code.localGet(srcCol).localSet(ps);
  code.localGet(dst).localSet(pd);
  code.localGet(dst).localGet(n).i32Const(shift).i32Shl().i32Add().localSet(rowEnd);
  code.localGet(dst).localGet(padded).i32Const(shift).i32Shl().i32Add().localSet(padEnd);
  code.block().loop(); // the samples: strided reads, contiguous writes
  code.localGet(pd).localGet(rowEnd).i32LtU().i32Eqz().brIf(1);
  code.localGet(pd).localGet(ps);
  o.sLoad();
  o.sStore();
  code.localGet(ps).localGet(srcRowBytes).i32Add().localSet(ps);
  code.localGet(pd).i32Const(eb).i32Add().localSet(pd);
  code.br(0);
  code.end().end();
  code.block().loop(); // zero padding
  code.localGet(pd).localGet(padEnd).i32LtU().i32Eqz().brIf(1);
  code.localGet(pd);
  o.sZero();
  o.sStore();
  code.localGet(pd).i32Const(eb).i32Add().localSet(pd);
  code.br(0);
  code.end().end();
  code.localGet(srcCol).i32Const(eb).i32Add().localSet(srcCol);
  code.localGet(dst).localGet(dstRowBytes).i32Add().localSet(dst);
  code.localGet(w).i32Const(1).i32Sub().localSet(w);
  code.br(0);
  code.end().end();
  code.end();
  return f;
}

/**
 * `transpose_blocks(src, dst, n, w, srcRowBytes, dstRowBytes, padded)`: what `transpose` does
 * (same arguments), for `n` and `w` multiples of four float32 lanes, by blocks of 4 × 4: four
 * vector loads from four source rows, eight shuffles, four vector stores to four destination
 * rows (one instruction per element against about six). Rows are zero-filled from `n` to
 * `padded` as `transpose` does. For float64 (two lanes) it is `transpose` itself.
 */
function transposeBlocksKernel(type: SimdFloat): FunctionBuilder {
  if (type.name !== "f32") return transposeKernel(type, "transpose_blocks");
  const f = new FunctionBuilder("transpose_blocks");
  const { src, dst, n, w, srcRowBytes, dstRowBytes, padded } = transposeParams(f);
  const j = f.local("i32");
  const i = f.local("i32");
  const ps = f.local("i32");
  const pd = f.local("i32");
  const pad = f.local("i32");
  const r = Array.from({ length: 4 }, () => f.local("v128"));
  const t = Array.from({ length: 4 }, () => f.local("v128"));
  const code = f.code;
  // For each group of four source columns j (destination rows j..j+3), each group of four
  // source rows i (destination columns i..i+3).
  code.i32Const(0).localSet(j);
  code.block().loop();
  code.localGet(j).localGet(w).i32LtS().i32Eqz().brIf(1);
  code.i32Const(0).localSet(i);
  code.block().loop();
  code.localGet(i).localGet(n).i32LtS().i32Eqz().brIf(1);
  // ps = src + i·srcRowBytes + 4j; pd = dst + j·dstRowBytes + 4i
  code.localGet(src).localGet(i).localGet(srcRowBytes).i32Mul().i32Add().localGet(j).i32Const(2).i32Shl().i32Add().localSet(ps);
  code.localGet(dst).localGet(j).localGet(dstRowBytes).i32Mul().i32Add().localGet(i).i32Const(2).i32Shl().i32Add().localSet(pd);
  for (let k = 0; k < 4; k++) {
    code.localGet(ps);
    if (k > 0) code.localGet(srcRowBytes).i32Const(k).i32Mul().i32Add();
    code.v128Load().localSet(r[k]!);
  }
  // t0 = [a00 a10 a01 a11], t1 = [a02 a12 a03 a13], t2 = [a20 a30 a21 a31], t3 = [a22 a32 a23 a33]
  interleaveLanePairs(code, r, t);
  // Column c of the block: [a0c a1c a2c a3c], stored as destination row j + c.
  const columns: [number, number, [number, number, number, number]][] = [
    [0, 2, [0, 1, 4, 5]],
    [0, 2, [2, 3, 6, 7]],
    [1, 3, [0, 1, 4, 5]],
    [1, 3, [2, 3, 6, 7]],
  ];
  columns.forEach(([a, b, lanes], c) => {
    code.localGet(pd);
    if (c > 0) code.localGet(dstRowBytes).i32Const(c).i32Mul().i32Add();
    code.localGet(t[a]!).localGet(t[b]!).i32x4Shuffle(lanes).v128Store();
  });
  code.localGet(i).i32Const(4).i32Add().localSet(i);
  code.br(0);
  code.end().end();
  code.localGet(j).i32Const(4).i32Add().localSet(j);
  code.br(0);
  code.end().end();
  // Zero padding of every destination row, from n to padded.
  code.i32Const(0).localSet(j);
  code.block().loop();
  code.localGet(j).localGet(w).i32LtS().i32Eqz().brIf(1);
  code.localGet(dst).localGet(j).localGet(dstRowBytes).i32Mul().i32Add().localSet(pd);
  code.localGet(pd).localGet(padded).i32Const(2).i32Shl().i32Add().localSet(pad);
  code.localGet(pd).localGet(n).i32Const(2).i32Shl().i32Add().localSet(pd);
  code.block().loop();
  code.localGet(pd).localGet(pad).i32LtU().i32Eqz().brIf(1);
  code.localGet(pd).f32Const(0).f32Store();
  code.localGet(pd).i32Const(4).i32Add().localSet(pd);
  code.br(0);
  code.end().end();
  code.localGet(j).i32Const(1).i32Add().localSet(j);
  code.br(0);
  code.end().end();
  code.end();
  return f;
}

/**
 * `edge_dot_grouped(a, b, rowOff, colOff, out, numEdges, chunks, tail)`: what `edge_dot` does
 * (same arguments, the same bits), taking {@link DOT_GROUP} consecutive edges of the same row
 * together: each chunk of that row of `a` is loaded once for the group instead of once per
 * edge. Each edge's sum runs in `edge_dot`'s order (the same chunks, accumulators, tail and final
 * additions: both are generated by {@link edgeDotKernel}); runs of fewer edges of one row go one
 * at a time. Row-grouped tables (the forward table of a layer) have such runs: 28 edges per row
 * on average in the 3.6 % MNIST network's first layer. Three edges: the kernel alone at that
 * layer's shape (8,468 edges of 300 rows, 784 inputs, 100 float32 samples, random columns)
 * took 77-79 µs in groups of 3, 80-82 in groups of 2 and 94-95 in groups of 4 (three runs of
 * 31 alternating rounds; 2-core AMD EPYC, 2026-12-07 ~04:24 UTC), and groups of 3 were the
 * fastest at 16,468 edges of those rows and at 1,080 and 6,300 edges of 100 rows too
 * (0.75x-0.80x the time of groups of 4, medians), and at 49,392 edges (0.83x, fastest rounds;
 * the medians of groups of 4 were disturbed). Groups of 6 and 8 took 107 and 125 µs (one run). Inside
 * the 3.6 % step (`benchmarks/mnist_sparse_steps.ts 0.036` with `TOGGLE`, a temporary switch
 * between the two kernels, 1 thread, three runs) its `edge_dot` took 1.11x, 1.02x and 1.03x
 * as long in groups of 4, the step 1.063x, 1.031x and 1.042x (paired medians; quartiles across
 * 1.0 in the last two); a smaller gain than alone, the operands coming from farther caches
 * there by our reading (the step takes ~1.5x the time the kernel takes alone). Groups of 4 had
 * been chosen on an Intel Xeon (80-81 µs against 94-107 µs one edge at a time, 2026-12-06).
 */
export const DOT_GROUP = 3;

/** `edge_dot` (`group` 1: one edge at a time) or `edge_dot_grouped` (`group` {@link DOT_GROUP}). */
function edgeDotKernel(type: SimdFloat, group: number): FunctionBuilder {
  const f = new FunctionBuilder(group === 1 ? "edge_dot" : "edge_dot_grouped");
  const a = f.param("i32");
  const b = f.param("i32");
  const rowOff = f.param("i32");
  const colOff = f.param("i32");
  const out = f.param("i32");
  const numEdges = f.param("i32");
  const chunks = f.param("i32");
  const tail = f.param("i32");
  const pa = f.local("i32");
  const pb = Array.from({ length: group }, () => f.local("i32"));
  const left = f.local("i32");
  const acc = Array.from({ length: group }, () => Array.from({ length: DOT_VECTORS }, () => f.local("v128")));
  const av = Array.from({ length: DOT_VECTORS }, () => f.local("v128"));
  const rest = Array.from({ length: group }, () => f.local(type.name === "f32" ? "f32" : "f64"));
  const as = f.local(type.name === "f32" ? "f32" : "f64");
  const code = f.code;
  const o = ops(type, code);

  /** The sums of `g` edges starting at the current one (`g` consecutive entries of rowOff/colOff, the first row for all). */
  const edges = (g: number) => {
    code.localGet(a).localGet(rowOff).i32Load(0).i32Add().localSet(pa);
    for (let k = 0; k < g; k++) code.localGet(b).localGet(colOff).i32Load(4 * k).i32Add().localSet(pb[k]!);
    code.localGet(chunks).localSet(left);
    for (let k = 0; k < g; k++) {
      for (const x of acc[k]!) {
        o.zero();
        code.localSet(x);
      }
    }
    code.block().loop();
    code.localGet(left).i32Eqz().brIf(1);
    av.forEach((x, v) => code.localGet(pa).v128Load(16 * v).localSet(x));
    for (let k = 0; k < g; k++) {
      acc[k]!.forEach((x, v) => {
        code.localGet(x).localGet(av[v]!).localGet(pb[k]!).v128Load(16 * v);
        o.vMul();
        o.vAdd();
        code.localSet(x);
      });
      code.localGet(pb[k]!).i32Const(16 * DOT_VECTORS).i32Add().localSet(pb[k]!);
    }
    code.localGet(pa).i32Const(16 * DOT_VECTORS).i32Add().localSet(pa);
    code.localGet(left).i32Const(1).i32Sub().localSet(left);
    code.br(0);
    code.end().end();
    for (let k = 0; k < g; k++) {
      o.sZero();
      code.localSet(rest[k]!);
    }
    // A whole vector of the tail's samples into the first accumulators (the edge_dot of the
    // pruned MNIST first layer, 100 samples: 12 chunks, one vector, no single values), then
    // the rest one at a time.
    code.localGet(tail).localSet(left);
    code.localGet(left).i32Const(type.lanes).i32GeS().if();
    code.localGet(pa).v128Load(0).localSet(av[0]!);
    for (let k = 0; k < g; k++) {
      const x = acc[k]![0]!;
      code.localGet(x).localGet(av[0]!).localGet(pb[k]!).v128Load(0);
      o.vMul();
      o.vAdd();
      code.localSet(x);
      code.localGet(pb[k]!).i32Const(16).i32Add().localSet(pb[k]!);
    }
    code.localGet(pa).i32Const(16).i32Add().localSet(pa);
    code.localGet(left).i32Const(type.lanes).i32Sub().localSet(left);
    code.end();
    code.block().loop();
    code.localGet(left).i32Eqz().brIf(1);
    code.localGet(pa);
    o.sLoad();
    code.localSet(as);
    for (let k = 0; k < g; k++) {
      code.localGet(rest[k]!).localGet(as).localGet(pb[k]!);
      o.sLoad();
      o.sMul();
      o.sAdd();
      code.localSet(rest[k]!);
      code.localGet(pb[k]!).i32Const(type.bytes).i32Add().localSet(pb[k]!);
    }
    code.localGet(pa).i32Const(type.bytes).i32Add().localSet(pa);
    code.localGet(left).i32Const(1).i32Sub().localSet(left);
    code.br(0);
    code.end().end();
    for (let k = 0; k < g; k++) {
      const x = acc[k]!;
      code.localGet(out).localGet(x[0]!);
      for (let v = 1; v < DOT_VECTORS; v++) {
        code.localGet(x[v]!);
        o.vAdd();
      }
      code.localSet(x[0]!);
      code.localGet(x[0]!);
      o.extract(0);
      for (let lane = 1; lane < type.lanes; lane++) {
        code.localGet(x[0]!);
        o.extract(lane);
        o.sAdd();
      }
      code.localGet(rest[k]!);
      o.sAdd();
      o.sStore(type.bytes * k);
    }
    code.localGet(out).i32Const(type.bytes * g).i32Add().localSet(out);
    code.localGet(rowOff).i32Const(4 * g).i32Add().localSet(rowOff);
    code.localGet(colOff).i32Const(4 * g).i32Add().localSet(colOff);
    code.localGet(numEdges).i32Const(g).i32Sub().localSet(numEdges);
  };

  code.block().loop(); // edges
  code.localGet(numEdges).i32Eqz().brIf(1);
  if (group === 1) edges(1);
  else {
    // A group when `group` edges remain and they share the first one's row.
    code.localGet(numEdges).i32Const(group).i32GeS();
    for (let k = 1; k < group; k++) code.localGet(rowOff).i32Load(0).localGet(rowOff).i32Load(4 * k).i32Eq().i32And();
    code.if();
    edges(group);
    code.else();
    edges(1);
    code.end();
  }
  code.br(0);
  code.end().end();
  code.end();
  return f;
}
