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
  return encodeModule(memory, [sumLines()]);
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
