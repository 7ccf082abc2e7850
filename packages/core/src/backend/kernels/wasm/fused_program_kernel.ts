import { EMIT_SCRATCH, emitOp, SIMD_UNROLL, type SimdOp } from "./elementwise_kernels.js";
import { encodeModule, FunctionBuilder, type MemoryImport } from "./module_encoder.js";
import type { DType } from "../../../dtype.js";

/**
 * One WebAssembly function per fused elementwise program: the whole program runs on each group
 * of four lanes with every intermediate in a register (a local), so a program of `k` operations
 * reads each input once and writes each output once per element, instead of `k` passes over a
 * tile (the building blocks of `elementwise_kernels.ts`, one call per operation, each loading
 * and storing its operands). Each operation is emitted by the same `emitOp` as its building
 * block, so both give the same bits (and the same as the generated JavaScript loops).
 *
 * `run(args, vectors)`: `args` is the byte address of the call's arguments, one i32 per input
 * (in order) then one per output: a stream's address (float32: 4 bytes per element; bool: one
 * byte, 0 or 1, per element), or for a scalar input (bit `m` of `scalars`) the address of its
 * cell (a float32, or a bool as an i32 mask: -1 for true, 0 for false). It processes `vectors`
 * groups of four lanes, a multiple of {@link SIMD_UNROLL}; the caller leaves room for the last
 * group's reads and writes past the end.
 */

/** The program as the kernel compiles it (the shape of `elementwise_wasm.ts`'s `SimdProgram`). */
export interface FusedProgramShape {
  readonly inputs: readonly DType[];
  readonly steps: readonly { readonly op: SimdOp; readonly args: readonly number[]; readonly dtype: DType }[];
  readonly outputs: readonly number[];
}

/**
 * The module binary exporting `run` for `program` with the inputs of `scalars` broadcast.
 * Example: `new WebAssembly.Module(fusedProgramModuleBytes(program, 0, { module: "env", name: "memory", minPages: 1 }))`.
 */
export function fusedProgramModuleBytes(program: FusedProgramShape, scalars: number, memory: MemoryImport): Uint8Array {
  return encodeModule(memory, [fusedProgramFunction(program, scalars)]);
}

function fusedProgramFunction(program: FusedProgramShape, scalars: number): FunctionBuilder {
  const f = new FunctionBuilder("run");
  const args = f.param("i32");
  const vectors = f.param("i32");
  const nIn = program.inputs.length;
  const isScalar = (m: number) => (scalars & (1 << m)) !== 0;
  const types = [...program.inputs, ...program.steps.map((s) => s.dtype)];
  // Registers read in the loop: only inputs some step or output reads are loaded.
  const read = new Set<number>([...program.steps.flatMap((s) => s.args), ...program.outputs]);
  const inPtr = program.inputs.map((_, m) => (isScalar(m) ? -1 : f.local("i32")));
  const outPtr = program.outputs.map(() => f.local("i32"));
  const value = types.map(() => f.local("v128"));
  const scratch = f.local("v128");
  // emitOp's scratch locals: the first is also the bool outputs' (below).
  const scratches = [scratch, ...Array.from({ length: EMIT_SCRATCH - 1 }, () => f.local("v128"))];
  const c = f.code;
  const bytesPerLane = (t: DType) => (t === "bool" ? 1 : 4);

  program.inputs.forEach((_, m) => {
    c.localGet(args).i32Load(4 * m);
    // A scalar's cell holds a float32 or an i32 mask: either way, its 32 bits in every lane.
    if (isScalar(m)) c.v128Load32Splat().localSet(value[m]!);
    else c.localSet(inPtr[m]!);
  });
  program.outputs.forEach((_, q) => c.localGet(args).i32Load(4 * (nIn + q)).localSet(outPtr[q]!));

  c.block().loop();
  c.localGet(vectors).i32Const(0).i32LeS().brIf(1);
  for (let k = 0; k < SIMD_UNROLL; k++) {
    program.inputs.forEach((t, m) => {
      if (isScalar(m) || !read.has(m)) return;
      if (t === "bool") {
        // Four bytes (0 or 1) widened to four 32-bit lanes, then 1 -> all ones.
        c.localGet(inPtr[m]!).v128Load32Zero(4 * k).i16x8ExtendLowI8x16U().i32x4ExtendLowI16x8U().i32x4Neg();
      } else c.localGet(inPtr[m]!).v128Load(16 * k);
      c.localSet(value[m]!);
    });
    program.steps.forEach((s, j) => {
      emitOp(s.op, c, s.args.map((r) => value[r]!), scratches);
      c.localSet(value[nIn + j]!);
    });
    program.outputs.forEach((r, q) => {
      if (types[r] === "bool") {
        // Masks -> 1 or 0, narrowed to bytes; the low four bytes stored.
        c.localGet(value[r]!).i32x4Neg().localGet(value[r]!).i32x4Neg().i16x8NarrowI32x4U().localSet(scratch);
        c.localGet(outPtr[q]!).localGet(scratch).localGet(scratch).i8x16NarrowI16x8U().v128Store32Lane(0, 4 * k);
      } else c.localGet(outPtr[q]!).localGet(value[r]!).v128Store(16 * k);
    });
  }
  program.inputs.forEach((t, m) => {
    if (!isScalar(m)) c.localGet(inPtr[m]!).i32Const(SIMD_UNROLL * 4 * bytesPerLane(t)).i32Add().localSet(inPtr[m]!);
  });
  program.outputs.forEach((r, q) => c.localGet(outPtr[q]!).i32Const(SIMD_UNROLL * 4 * bytesPerLane(types[r]!)).i32Add().localSet(outPtr[q]!));
  c.localGet(vectors).i32Const(SIMD_UNROLL).i32Sub().localSet(vectors);
  c.br(0).end().end();
  c.end();
  return f;
}
