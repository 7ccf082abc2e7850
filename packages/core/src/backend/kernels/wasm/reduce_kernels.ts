import { countedLoop } from "./counted_loop.js";
import { interleaveLanePairs } from "./lane_interleave.js";
import { encodeModule, FunctionBuilder, type MemoryImport } from "./module_encoder.js";

/**
 * The WebAssembly kernel of reduce_sum over float32 *lines* (`reduce_lines.ts`):
 * `sum_lines(src, dst, count, length, stride, step)` stores in `dst[l]` (float32) the sum of the
 * `length` float32 values at `src + l · stride + k · step` (byte addresses and steps),
 * accumulated from 0 in float64 in order of `k` and rounded once: what the JavaScript loop
 * computes, bit for bit. {@link SUM_LANES} lines go together, each in its own accumulator, so
 * the additions of different lines overlap (one line's sum is a chain of dependent additions).
 */

/** Lines summed together. */
export const SUM_LANES = 8;

/**
 * The module binary exporting `sum_lines` (see the module comment).
 * Example: `new WebAssembly.Module(reduceModuleBytes({ module: "env", name: "memory", minPages: 1 }))`.
 */
export function reduceModuleBytes(memory: MemoryImport): Uint8Array {
  return encodeModule(memory, [sumLines(), sumRows()]);
}

/**
 * `sum_rows(src, dst, groups, length, stride)`: what `sum_lines` computes for `4 · groups` lines
 * of `length` contiguous float32 values (`stride` bytes apart), the same sums bit for bit, with
 * four lines in the float64 lanes of two vectors: each step reads four values of each of four
 * lines, transposes them into four columns, and adds the columns in order; a line's last
 * values (fewer than four) are added one at a time.
 */
function sumRows(): FunctionBuilder {
  const f = new FunctionBuilder("sum_rows");
  const src = f.param("i32");
  const dst = f.param("i32");
  const groups = f.param("i32");
  const length = f.param("i32");
  const stride = f.param("i32");
  const p = f.local("i32");
  const k = f.local("i32");
  const s2 = f.local("i32");
  const s3 = f.local("i32");
  const lo = f.local("v128");
  const hi = f.local("v128");
  const row = Array.from({ length: 4 }, () => f.local("v128"));
  const col = Array.from({ length: 4 }, () => f.local("v128"));
  const sum = Array.from({ length: 4 }, () => f.local("f64"));
  const c = f.code;
  c.localGet(stride).i32Const(1).i32Shl().localSet(s2);
  c.localGet(s2).localGet(stride).i32Add().localSet(s3);
  const at = (line: number) => {
    c.localGet(p);
    if (line === 1) c.localGet(stride).i32Add();
    if (line === 2) c.localGet(s2).i32Add();
    if (line === 3) c.localGet(s3).i32Add();
  };
  countedLoop(f, groups, () => {
    c.f64Const(0).f64x2Splat().localSet(lo);
    c.f64Const(0).f64x2Splat().localSet(hi);
    c.localGet(src).localSet(p);
    c.localGet(length).localSet(k);
    c.block().loop(); // four values of each line
    c.localGet(k).i32Const(4).i32LtS().brIf(1);
    for (let line = 0; line < 4; line++) {
      at(line);
      c.v128Load().localSet(row[line]!);
    }
    // col0 = [a0 b0 a1 b1], col1 = [a2 b2 a3 b3] (lines a, b = 0, 1), col2, col3 the same for lines 2, 3.
    interleaveLanePairs(c, row, col);
    // Value j of lines 0 and 1 into `lo`, of lines 2 and 3 into `hi`, for j = 0 … 3 in order.
    for (const [pair, high] of [[0, false], [0, true], [1, false], [1, true]] as const) {
      for (const [acc, src4] of [[lo, col[pair]!], [hi, col[pair + 2]!]] as const) {
        // acc + promote(lanes 0, 1 of the column, or of its lanes 2, 3 moved down)
        c.localGet(acc).localGet(src4);
        if (high) c.localGet(src4).i32x4Shuffle([2, 3, 0, 1]);
        c.f64x2PromoteLowF32x4().f64x2Add().localSet(acc);
      }
    }
    c.localGet(p).i32Const(16).i32Add().localSet(p);
    c.localGet(k).i32Const(4).i32Sub().localSet(k);
    c.br(0).end().end();
    c.localGet(lo).f64x2ExtractLane(0).localSet(sum[0]!);
    c.localGet(lo).f64x2ExtractLane(1).localSet(sum[1]!);
    c.localGet(hi).f64x2ExtractLane(0).localSet(sum[2]!);
    c.localGet(hi).f64x2ExtractLane(1).localSet(sum[3]!);
    // The last values, one at a time.
    countedLoop(f, k, () => {
      for (let line = 0; line < 4; line++) {
        c.localGet(sum[line]!);
        at(line);
        c.f32Load().f64PromoteF32().f64Add().localSet(sum[line]!);
      }
      c.localGet(p).i32Const(4).i32Add().localSet(p);
    });
    for (let line = 0; line < 4; line++) c.localGet(dst).localGet(sum[line]!).f32DemoteF64().f32Store(4 * line);
    c.localGet(src).localGet(stride).i32Const(2).i32Shl().i32Add().localSet(src);
    c.localGet(dst).i32Const(16).i32Add().localSet(dst);
  });
  c.end();
  return f;
}

function sumLines(): FunctionBuilder {
  const f = new FunctionBuilder("sum_lines");
  const src = f.param("i32");
  const dst = f.param("i32");
  const count = f.param("i32");
  const length = f.param("i32");
  const stride = f.param("i32");
  const step = f.param("i32");
  const p = f.local("i32");
  const k = f.local("i32");
  const acc = Array.from({ length: SUM_LANES }, () => f.local("f64"));
  const offset = Array.from({ length: SUM_LANES }, () => f.local("i32"));
  const c = f.code;
  // Byte offset of each line of a group from the group's first.
  for (let a = 1; a < SUM_LANES; a++) c.localGet(stride).i32Const(a).i32Mul().localSet(offset[a]!);
  // Groups of SUM_LANES lines, then the rest one at a time (`lanes` accumulators each).
  const group = (lanes: number) => {
    c.block().loop();
    c.localGet(count).i32Const(lanes).i32LtS().brIf(1);
    for (let a = 0; a < lanes; a++) c.f64Const(0).localSet(acc[a]!);
    c.localGet(src).localSet(p);
    c.localGet(length).localSet(k);
    c.block().loop();
    c.localGet(k).i32Const(0).i32LeS().brIf(1);
    for (let a = 0; a < lanes; a++) {
      c.localGet(acc[a]!);
      c.localGet(p);
      if (a > 0) c.localGet(offset[a]!).i32Add();
      c.f32Load().f64PromoteF32().f64Add().localSet(acc[a]!);
    }
    c.localGet(p).localGet(step).i32Add().localSet(p);
    c.localGet(k).i32Const(1).i32Sub().localSet(k);
    c.br(0).end().end();
    for (let a = 0; a < lanes; a++) c.localGet(dst).localGet(acc[a]!).f32DemoteF64().f32Store(4 * a);
    c.localGet(src).localGet(stride).i32Const(lanes).i32Mul().i32Add().localSet(src);
    c.localGet(dst).i32Const(4 * lanes).i32Add().localSet(dst);
    c.localGet(count).i32Const(lanes).i32Sub().localSet(count);
    c.br(0).end().end();
  };
  group(SUM_LANES);
  group(1);
  c.end();
  return f;
}
