import { encodeModule, FunctionBuilder, type MemoryImport } from "./module_encoder.js";
import type { Instructions } from "./instructions.js";
import { countedLoop } from "./counted_loop.js";
import { EXP_POLY, ROUNDING } from "../exp_poly.js";

/**
 * The WebAssembly SIMD128 building blocks of fused elementwise programs over float32, int32 and
 * bool (`elementwise_wasm.ts` strings them together). Each export applies one operation to
 * `vectors` groups of four lanes: float32 or int32 values, or bool *masks* (all ones for true,
 * zero for false, one 32-bit lane per element, so `select` is a bit select). Addresses are byte
 * addresses in the kernel memory. Every operation rounds exactly as the JavaScript scalar
 * kernels do after `Math.fround` (IEEE single-precision add, sub, mul, div and sqrt are
 * correctly rounded, and rounding the exact double result to float32 gives the same value), so
 * a program run here equals the same program run by the generated JavaScript loops, bit for bit.
 */

/**
 * An elementwise operation the SIMD backend runs exactly like its primitive's scalar kernel:
 * float32 arithmetic (`add` … `sqrt`), comparisons of float32 (`eq` … `ge`) and of int32
 * (`eq_i32` … `ge_i32`, signed) giving masks, bool logic on masks, `select(mask, a, b)`, the
 * casts between float32 and bool, and `exp` of float32 (in float64, two lanes at a time, as
 * `exp_poly.ts`'s `expF32` computes it, rounded once to float32).
 */
export type SimdOp =
  | "add"
  | "sub"
  | "mul"
  | "div"
  | "max"
  | "min"
  | "eq"
  | "ne"
  | "lt"
  | "le"
  | "gt"
  | "ge"
  | "eq_i32"
  | "ne_i32"
  | "lt_i32"
  | "le_i32"
  | "gt_i32"
  | "ge_i32"
  | "and"
  | "or"
  | "xor"
  | "neg"
  | "abs"
  | "sqrt"
  | "exp"
  | "not"
  | "copy"
  | "bool_to_f32"
  | "f32_to_bool"
  | "select";

/** How many operands each operation reads. */
export const SIMD_ARITY: Readonly<Record<SimdOp, 1 | 2 | 3>> = {
  add: 2,
  sub: 2,
  mul: 2,
  div: 2,
  max: 2,
  min: 2,
  eq: 2,
  ne: 2,
  lt: 2,
  le: 2,
  gt: 2,
  ge: 2,
  eq_i32: 2,
  ne_i32: 2,
  lt_i32: 2,
  le_i32: 2,
  gt_i32: 2,
  ge_i32: 2,
  and: 2,
  or: 2,
  xor: 2,
  neg: 1,
  abs: 1,
  sqrt: 1,
  exp: 1,
  not: 1,
  copy: 1,
  bool_to_f32: 1,
  f32_to_bool: 1,
  select: 3,
};

/** Exports that move data in and out of registers rather than compute: see each builder. */
export const SIMD_MOVES = ["load_bool", "store_bool", "splat", "repeat_row", "gather_rows", "fill_span"] as const;

/** Every export of the module, in a fixed order (the pool addresses them by name). */
export const ELEMENTWISE_EXPORTS: readonly string[] = [...(Object.keys(SIMD_ARITY) as SimdOp[]), ...SIMD_MOVES];

/**
 * The vector computation of each operation: operands are on the stack (first pushed first),
 * the result is left on it. `scratch` is a v128 local the operation may use.
 */
/** The lane-wise instruction of each operation that is one instruction over its operands. */
const SINGLE: Partial<Record<SimdOp, (c: Instructions) => unknown>> = {
  add: (c) => c.f32x4Add(),
  sub: (c) => c.f32x4Sub(),
  mul: (c) => c.f32x4Mul(),
  div: (c) => c.f32x4Div(),
  eq: (c) => c.f32x4Eq(),
  ne: (c) => c.f32x4Ne(),
  lt: (c) => c.f32x4Lt(),
  le: (c) => c.f32x4Le(),
  gt: (c) => c.f32x4Gt(),
  ge: (c) => c.f32x4Ge(),
  eq_i32: (c) => c.i32x4Eq(),
  ne_i32: (c) => c.i32x4Ne(),
  lt_i32: (c) => c.i32x4LtS(),
  le_i32: (c) => c.i32x4LeS(),
  gt_i32: (c) => c.i32x4GtS(),
  ge_i32: (c) => c.i32x4GeS(),
  and: (c) => c.v128And(),
  or: (c) => c.v128Or(),
  xor: (c) => c.v128Xor(),
  neg: (c) => c.f32x4Neg(),
  abs: (c) => c.f32x4Abs(),
  sqrt: (c) => c.f32x4Sqrt(),
  not: (c) => c.v128Not(),
  copy: () => undefined,
};

/** How many v128 scratch locals {@link emitOp} may use (`exp` needs them all). */
export const EMIT_SCRATCH = 5;

/**
 * The vector computation of each operation over its operands (v128 locals, in the primitive's
 * operand order), leaving the result on the stack. `scratches` are {@link EMIT_SCRATCH} v128
 * locals it may overwrite.
 */
export function emitOp(op: SimdOp, c: Instructions, operands: readonly number[], scratches: readonly number[]): void {
  const scratch = scratches[0]!;
  const single = SINGLE[op];
  if (single !== undefined) {
    for (const x of operands) c.localGet(x);
    single(c);
    return;
  }
  const [x, y, z] = operands as [number, number, number];
  switch (op) {
    case "max":
    case "min":
      // The scalar kernels: `isNaN(x) || x > y ? x : y` (max) and `isNaN(x) || x < y ? x : y`
      // (min). Not f32x4.max/min, which differ on signed zeros (max(+0, -0) is y, -0, here).
      c.localGet(x).localGet(y);
      if (op === "max") c.f32x4Gt();
      else c.f32x4Lt();
      c.localGet(x).localGet(x).f32x4Ne().v128Or().localSet(scratch);
      c.localGet(x).localGet(y).localGet(scratch).v128Bitselect();
      return;
    case "bool_to_f32":
      // 1.0f where the mask is set: the mask ANDed with the bits of 1.0f.
      c.localGet(x).f32Const(1).f32x4Splat().v128And();
      return;
    case "f32_to_bool":
      // `x !== 0 && !isNaN(x)`: x != 0 is also true for NaN, x == x is false only for NaN.
      c.localGet(x).f32Const(0).f32x4Splat().f32x4Ne();
      c.localGet(x).localGet(x).f32x4Eq().v128And();
      return;
    case "select":
      // select(pred, onTrue, onFalse); bitselect takes (onTrue, onFalse, mask).
      c.localGet(y).localGet(z).localGet(x).v128Bitselect();
      return;
    case "exp": {
      // Lanes 0-1, then 2-3, widened to float64, each pair's e^x as `expF32` computes it,
      // narrowed back and joined.
      const [t, r, f, low, high] = scratches as [number, number, number, number, number];
      for (const half of [low, high]) {
        c.localGet(x);
        if (half === high) c.localGet(x).i32x4Shuffle([2, 3, 2, 3]);
        c.f64x2PromoteLowF32x4();
        emitExpF64x2(c, t, r, f);
        c.f32x4DemoteF64x2Zero().localSet(half);
      }
      c.localGet(low).localGet(high).i32x4Shuffle([0, 1, 4, 5]);
      return;
    }
    default:
      throw new Error(`emitOp: no lowering of ${op}`);
  }
}

/**
 * e^z of the two float64 lanes on the stack, replaced by the result: `exp_poly.ts`'s `expF32`
 * operation for operation (clamp to [zMin, zMax], `k = round(z · log2e)` by adding and
 * subtracting 1.5 · 2^52, `f = (t − k) · ln2`, Horner over 1/j!, times 2^k built from k's bits).
 * `t`, `r` and `f` are scratch v128 locals.
 */
function emitExpF64x2(c: Instructions, t: number, r: number, f: number): void {
  const splat = (v: number) => c.f64Const(v).f64x2Splat();
  // t = clamp(z) · log2e (f64x2.max/min propagate NaN, as the scalar comparisons let it through)
  splat(EXP_POLY.zMin);
  c.f64x2Max();
  splat(EXP_POLY.zMax);
  c.f64x2Min();
  splat(EXP_POLY.log2e);
  c.f64x2Mul().localSet(t);
  // r = t + 1.5·2^52; f = (t − (r − 1.5·2^52)) · ln2
  c.localGet(t);
  splat(ROUNDING);
  c.f64x2Add().localSet(r);
  c.localGet(t).localGet(r);
  splat(ROUNDING);
  c.f64x2Sub().f64x2Sub();
  splat(EXP_POLY.ln2);
  c.f64x2Mul().localSet(f);
  // p = Horner over 1/j!, from j = 10 down to 0
  splat(EXP_POLY.taylor[10]!);
  for (let j = 9; j >= 0; j--) {
    c.localGet(f).f64x2Mul();
    splat(EXP_POLY.taylor[j]!);
    c.f64x2Add();
  }
  // p · 2^k: r's bits are 1.5·2^52's plus k, whose low twelve bits are zero, so
  // (bits(r) + 1023) << 52 is 2^k's.
  c.localGet(r).i32Const(1023).i32x4Splat().i64x2ExtendLowI32x4S().i64x2Add().i32Const(52).i64x2Shl();
  c.f64x2Mul();
}

/**
 * Vectors per loop iteration. Callers round `vectors` up to a multiple of it (and leave room
 * for that): one pointer update per four vectors instead of one per vector measured ~3x faster
 * on the 2-core machine (a 12-operation program over 235,200 floats: 0.98 ms before).
 */
export const SIMD_UNROLL = 4;

/** A loop over groups of {@link SIMD_UNROLL} vectors: `body(k)` emits vector k's work; `steps` are (pointer local, bytes per group) pairs. */
function unrolledLoop(f: FunctionBuilder, vectors: number, steps: readonly (readonly [number, number])[], body: (k: number) => void): void {
  const c = f.code;
  c.block().loop();
  c.localGet(vectors).i32Const(0).i32LeS().brIf(1);
  for (let k = 0; k < SIMD_UNROLL; k++) body(k);
  for (const [p, bytes] of steps) c.localGet(p).i32Const(bytes).i32Add().localSet(p);
  c.localGet(vectors).i32Const(SIMD_UNROLL).i32Sub().localSet(vectors);
  c.br(0).end().end();
}

/** `op(dst, a, b, c, vectors)`: `dst[i] = op(a[i], b[i], c[i])` over `vectors` groups of four lanes. */
function opKernel(op: SimdOp): FunctionBuilder {
  const f = new FunctionBuilder(op);
  const arity = SIMD_ARITY[op];
  const dst = f.param("i32");
  // Every operation takes three operand addresses (the unused ones are ignored).
  const srcs = [f.param("i32"), f.param("i32"), f.param("i32")].slice(0, arity);
  const vectors = f.param("i32");
  const values = Array.from({ length: SIMD_UNROLL }, () => srcs.map(() => f.local("v128")));
  const scratch = Array.from({ length: EMIT_SCRATCH }, () => f.local("v128"));
  const c = f.code;
  unrolledLoop(
    f,
    vectors,
    [dst, ...srcs].map((p) => [p, 16 * SIMD_UNROLL] as const),
    (k) => {
      srcs.forEach((s, i) => c.localGet(s).v128Load(16 * k).localSet(values[k]![i]!));
      c.localGet(dst);
      emitOp(op, c, values[k]!, scratch);
      c.v128Store(16 * k);
    },
  );
  c.end();
  return f;
}

/** `load_bool(dst, src, vectors)`: bool bytes (0 or 1) at `src` to masks at `dst`. */
function loadBool(): FunctionBuilder {
  const f = new FunctionBuilder("load_bool");
  const dst = f.param("i32");
  const src = f.param("i32");
  const vectors = f.param("i32");
  const bytes = f.local("v128");
  const half = f.local("v128");
  const c = f.code;
  // Sixteen bytes make four masks: widen to 16-bit lanes, then to 32-bit, then 1 -> all ones.
  unrolledLoop(
    f,
    vectors,
    [
      [dst, 16 * SIMD_UNROLL],
      [src, 4 * SIMD_UNROLL],
    ],
    (k) => {
      if (k === 0) c.localGet(src).v128Load().localSet(bytes);
      if (k % 2 === 0) {
        c.localGet(bytes);
        if (k === 0) c.i16x8ExtendLowI8x16U();
        else c.i16x8ExtendHighI8x16U();
        c.localSet(half);
      }
      c.localGet(dst).localGet(half);
      if (k % 2 === 0) c.i32x4ExtendLowI16x8U();
      else c.i32x4ExtendHighI16x8U();
      c.i32x4Neg().v128Store(16 * k);
    },
  );
  c.end();
  return f;
}

/** `store_bool(dst, src, vectors)`: masks at `src` to bool bytes (0 or 1) at `dst`. */
function storeBool(): FunctionBuilder {
  const f = new FunctionBuilder("store_bool");
  const dst = f.param("i32");
  const src = f.param("i32");
  const vectors = f.param("i32");
  const low = f.local("v128");
  const c = f.code;
  // Four masks make sixteen bytes: -1 -> 1, then two saturating narrows.
  unrolledLoop(
    f,
    vectors,
    [
      [dst, 4 * SIMD_UNROLL],
      [src, 16 * SIMD_UNROLL],
    ],
    (k) => {
      if (k === 1) {
        c.localGet(src).v128Load(0).i32x4Neg().localGet(src).v128Load(16).i32x4Neg().i16x8NarrowI32x4U().localSet(low);
      }
      if (k === 3) {
        c.localGet(dst).localGet(low);
        c.localGet(src).v128Load(32).i32x4Neg().localGet(src).v128Load(48).i32x4Neg().i16x8NarrowI32x4U();
        c.i8x16NarrowI16x8U().v128Store();
      }
    },
  );
  c.end();
  return f;
}

/** `splat(dst, src, vectors)`: the 32-bit value at `src` repeated over `vectors` groups of four lanes. */
function splat(): FunctionBuilder {
  const f = new FunctionBuilder("splat");
  const dst = f.param("i32");
  const src = f.param("i32");
  const vectors = f.param("i32");
  const v = f.local("v128");
  const c = f.code;
  c.localGet(src).v128Load32Splat().localSet(v);
  unrolledLoop(f, vectors, [[dst, 16 * SIMD_UNROLL]], (k) => c.localGet(dst).localGet(v).v128Store(16 * k));
  c.end();
  return f;
}

/**
 * `fill_span(dst, stage, cols, e0, e1)`: elements `e0` up to `e1` of the row-major `? × cols`
 * block of 32-bit lanes at `dst`, element `e` set to the 32 bits at `stage + 4 · ⌊e / cols⌋`:
 * an operand broadcast along its rows (a bias over a batch) laid out for a fused loop, whole
 * (`e0 = 0`) or the part that one chunk of a split loop reads, by the thread that runs the
 * chunk. It writes no element outside the span (whole vectors inside a row, single lanes at a
 * row's end), so chunks on different threads never write the same element.
 */
function fillSpan(): FunctionBuilder {
  const f = new FunctionBuilder("fill_span");
  const dst = f.param("i32");
  const stage = f.param("i32");
  const cols = f.param("i32");
  const e = f.param("i32");
  const e1 = f.param("i32");
  const rowEnd = f.local("i32");
  const end = f.local("i32");
  const p = f.local("i32");
  const bits = f.local("i32");
  const v = f.local("v128");
  const c = f.code;
  // Row r = e / cols: its value at stage + 4r, its end at (r + 1) · cols.
  c.localGet(e).localGet(cols).i32DivU().localTee(rowEnd).i32Const(2).i32Shl().localGet(stage).i32Add().localSet(stage);
  c.localGet(rowEnd).localGet(cols).i32Mul().localGet(cols).i32Add().localSet(rowEnd);
  c.localGet(e).i32Const(2).i32Shl().localGet(dst).i32Add().localSet(p);
  c.block().loop();
  c.localGet(e).localGet(e1).i32GeS().brIf(1);
  // This row's elements of the span: up to the row's end or the span's, whichever is first.
  c.localGet(e1).localSet(end);
  c.localGet(rowEnd).localGet(e1).i32LtS().if().localGet(rowEnd).localSet(end).end();
  c.localGet(stage).v128Load32Splat().localSet(v);
  c.localGet(stage).i32Load().localSet(bits);
  c.block().loop();
  c.localGet(e).i32Const(4).i32Add().localGet(end).i32GtS().brIf(1);
  c.localGet(p).localGet(v).v128Store();
  c.localGet(p).i32Const(16).i32Add().localSet(p);
  c.localGet(e).i32Const(4).i32Add().localSet(e);
  c.br(0).end().end();
  c.block().loop();
  c.localGet(e).localGet(end).i32GeS().brIf(1);
  c.localGet(p).localGet(bits).i32Store();
  c.localGet(p).i32Const(4).i32Add().localSet(p);
  c.localGet(e).i32Const(1).i32Add().localSet(e);
  c.br(0).end().end();
  c.localGet(stage).i32Const(4).i32Add().localSet(stage);
  c.localGet(rowEnd).localGet(cols).i32Add().localSet(rowEnd);
  c.br(0).end().end();
  c.end();
  return f;
}

/**
 * `repeat_row(dst, rows, cols)`: rows 1 to `rows - 1` of the `rows × cols` float32 block at
 * `dst` set to a copy of row 0: a row vector broadcast over every row. Copied in whole vectors
 * in order, so a copy's spill past its row lands in the next row's first elements, which that
 * row's copy rewrites (and past the last row: the caller leaves 16 bytes of room); a spill read
 * past row 0 only feeds such spilled elements.
 */
function repeatRow(): FunctionBuilder {
  const f = new FunctionBuilder("repeat_row");
  const dst = f.param("i32");
  const rows = f.param("i32");
  const cols = f.param("i32");
  const to = f.local("i32");
  const from = f.local("i32");
  const k = f.local("i32");
  const inner = f.local("i32");
  const c = f.code;
  c.localGet(dst).localSet(to);
  // Rows 1 to rows - 1: one fewer than rows.
  c.localGet(rows).i32Const(1).i32Sub().localSet(rows);
  countedLoop(f, rows, () => {
    c.localGet(to).localGet(cols).i32Const(2).i32Shl().i32Add().localSet(to);
    c.localGet(dst).localSet(from);
    c.localGet(cols).i32Const(3).i32Add().i32Const(2).i32ShrU().localSet(k);
    c.localGet(to).localSet(inner);
    countedLoop(f, k, () => {
      c.localGet(inner).localGet(from).v128Load().v128Store();
      c.localGet(inner).i32Const(16).i32Add().localSet(inner);
      c.localGet(from).i32Const(16).i32Add().localSet(from);
    });
  });
  c.end();
  return f;
}

/**
 * `gather_rows(dst, src, rows, cols, rowStride, colStride)`: the `rows × cols` block at `dst`
 * (row-major, 32-bit elements) filled from `src` read with byte strides `rowStride` between rows
 * and `colStride` between columns: an operand of any layout (a transposed view) laid out for a
 * fused loop, one 32-bit element at a time (the bits copied, float32 or int32 alike).
 */
function gatherRows(): FunctionBuilder {
  const f = new FunctionBuilder("gather_rows");
  const dst = f.param("i32");
  const src = f.param("i32");
  const rows = f.param("i32");
  const cols = f.param("i32");
  const rowStride = f.param("i32");
  const colStride = f.param("i32");
  const p = f.local("i32");
  const k = f.local("i32");
  const c = f.code;
  countedLoop(f, rows, () => {
    c.localGet(src).localSet(p);
    c.localGet(cols).localSet(k);
    countedLoop(f, k, () => {
      c.localGet(dst).localGet(p).i32Load().i32Store();
      c.localGet(dst).i32Const(4).i32Add().localSet(dst);
      c.localGet(p).localGet(colStride).i32Add().localSet(p);
    });
    c.localGet(src).localGet(rowStride).i32Add().localSet(src);
  });
  c.end();
  return f;
}

/**
 * The module binary with every export of {@link ELEMENTWISE_EXPORTS}.
 * Example: `new WebAssembly.Module(elementwiseModuleBytes({ module: "env", name: "memory", minPages: 1 }))`.
 */
export function elementwiseModuleBytes(memory: MemoryImport): Uint8Array {
  return encodeModule(memory, [...(Object.keys(SIMD_ARITY) as SimdOp[]).map(opKernel), loadBool(), storeBool(), splat(), repeatRow(), gatherRows(), fillSpan()]);
}
