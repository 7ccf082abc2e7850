import { signedLeb128, unsignedLeb128 } from "./leb128.js";

/** WebAssembly value types and their binary codes. */
export const VALTYPE = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b } as const;
export type ValType = keyof typeof VALTYPE;

/** The opcode bytes this encoder emits (WebAssembly core spec 1.0 + the SIMD128 proposal). */
const OP = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  return: 0x0f,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  f32Load: 0x2a,
  f64Load: 0x2b,
  i32Store: 0x36,
  f32Store: 0x38,
  f64Store: 0x39,
  i32Const: 0x41,
  f32Const: 0x43,
  f64Const: 0x44,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32Ne: 0x47,
  i32LtS: 0x48,
  i32LtU: 0x49,
  i32GtS: 0x4a,
  i32LeS: 0x4c,
  i32GeS: 0x4e,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32DivU: 0x6e,
  i32And: 0x71,
  i32Shl: 0x74,
  i32ShrU: 0x76,
  f32Add: 0x92,
  f32Mul: 0x94,
  f64Add: 0xa0,
  f64Mul: 0xa2,
  f32DemoteF64: 0xb6,
  f64PromoteF32: 0xbb,
  /** The prefix of the bulk-memory instructions (`memory.copy`, `memory.fill`). */
  misc: 0xfc,
  simd: 0xfd,
} as const;

/** Sub-opcodes after the 0xfc prefix (the bulk-memory proposal, part of WebAssembly 2.0). */
const MISC = { memoryCopy: 10, memoryFill: 11 } as const;

/** Sub-opcodes after the 0xfd SIMD prefix (encoded as unsigned LEB128). */
const SIMD = {
  v128Load: 0x00,
  v128Load32Splat: 0x09,
  v128Load64Splat: 0x0a,
  v128Store: 0x0b,
  i8x16Shuffle: 0x0d,
  f32x4Splat: 0x13,
  f64x2Splat: 0x14,
  f32x4ExtractLane: 0x1f,
  f64x2ExtractLane: 0x21,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f64x2Add: 0xf0,
  f64x2Sub: 0xf1,
  f64x2Mul: 0xf2,
  v128Store64Lane: 0x5b,
  v128Load64Zero: 0x5d,
  f32x4DemoteF64x2Zero: 0x5e,
  f64x2PromoteLowF32x4: 0x5f,
  v128AndNot: 0x4f,
  f64x2Gt: 0x4a,
  f64x2Nearest: 0x94,
  i64x2ExtendLowI32x4S: 0xc7,
  i64x2Shl: 0xcb,
  i64x2Add: 0xce,
  f64x2Div: 0xf3,
  f64x2Min: 0xf4,
  f64x2Max: 0xf5,
  f32x4Min: 0xe8,
  f32x4Max: 0xe9,
  i32x4Shl: 0xab,
  i32x4Add: 0xae,
  i32x4TruncSatF64x2SZero: 0xfc,
  i32x4Splat: 0x11,
  i32x4Eq: 0x37,
  i32x4Ne: 0x38,
  i32x4LtS: 0x39,
  i32x4GtS: 0x3b,
  i32x4LeS: 0x3d,
  i32x4GeS: 0x3f,
  f32x4Eq: 0x41,
  f32x4Ne: 0x42,
  f32x4Lt: 0x43,
  f32x4Gt: 0x44,
  f32x4Le: 0x45,
  f32x4Ge: 0x46,
  v128Not: 0x4d,
  v128And: 0x4e,
  v128Or: 0x50,
  v128Xor: 0x51,
  v128Bitselect: 0x52,
  v128Store32Lane: 0x5a,
  v128Load32Zero: 0x5c,
  i8x16NarrowI16x8U: 0x66,
  i16x8NarrowI32x4U: 0x86,
  i16x8ExtendLowI8x16U: 0x89,
  i32x4Neg: 0xa1,
  i32x4ExtendLowI16x8U: 0xa9,
  f32x4Abs: 0xe0,
  f32x4Neg: 0xe1,
  f32x4Sqrt: 0xe3,
  f32x4Div: 0xe7,
  i16x8ExtendHighI8x16U: 0x8a,
  i32x4ExtendHighI16x8U: 0xaa,
} as const;

/** The block type of a block/loop/if that takes and leaves nothing on the stack. */
const EMPTY_BLOCK = 0x40;

/**
 * A function body under construction: one method per instruction, each appending its opcode and
 * immediates, chainable. Memory instructions take `offset` (a constant added to the address
 * operand) and the natural alignment is used as the hint.
 * Example: `new Instructions().localGet(0).localGet(1).i32Add().end()` is `a + b`.
 */
export class Instructions {
  /** The encoded bytes so far. */
  readonly bytes: number[] = [];

  private op(code: number, ...immediates: number[][]): this {
    this.bytes.push(code);
    for (const imm of immediates) this.bytes.push(...imm);
    return this;
  }

  private simd(code: number, ...immediates: number[][]): this {
    this.bytes.push(OP.simd, ...unsignedLeb128(code));
    for (const imm of immediates) this.bytes.push(...imm);
    return this;
  }

  private misc(code: number, ...immediates: number[][]): this {
    this.bytes.push(OP.misc, ...unsignedLeb128(code));
    for (const imm of immediates) this.bytes.push(...imm);
    return this;
  }

  private static memarg(alignLog2: number, offset: number): number[] {
    return [...unsignedLeb128(alignLog2), ...unsignedLeb128(offset)];
  }

  /**
   * Pops `dst`, `src`, `n` (i32 byte addresses and a byte count, unsigned) and copies the `n`
   * bytes at `src` to `dst` in memory 0, as if through a temporary buffer (the ranges may overlap).
   */
  memoryCopy(): this {
    return this.misc(MISC.memoryCopy, [0, 0]);
  }
  /** Pops `dst`, `value`, `n` and sets the `n` bytes at `dst` to the low byte of `value`. */
  memoryFill(): this {
    return this.misc(MISC.memoryFill, [0]);
  }

  /** Starts a block; `br` to it jumps past its `end`. */
  block(): this {
    return this.op(OP.block, [EMPTY_BLOCK]);
  }
  /** Starts a loop; `br` to it jumps back to its start. */
  loop(): this {
    return this.op(OP.loop, [EMPTY_BLOCK]);
  }
  /** Pops an i32 condition and runs the following instructions when it is non-zero. */
  if(): this {
    return this.op(OP.if, [EMPTY_BLOCK]);
  }
  else(): this {
    return this.op(OP.else);
  }
  /** Ends the innermost block, loop, if or the function body. */
  end(): this {
    return this.op(OP.end);
  }
  /** Branches to the enclosing label `depth` levels out (0 = innermost). */
  br(depth: number): this {
    return this.op(OP.br, unsignedLeb128(depth));
  }
  /** Pops an i32 and branches when it is non-zero. */
  brIf(depth: number): this {
    return this.op(OP.brIf, unsignedLeb128(depth));
  }
  return(): this {
    return this.op(OP.return);
  }

  localGet(index: number): this {
    return this.op(OP.localGet, unsignedLeb128(index));
  }
  localSet(index: number): this {
    return this.op(OP.localSet, unsignedLeb128(index));
  }
  localTee(index: number): this {
    return this.op(OP.localTee, unsignedLeb128(index));
  }

  i32Load(offset = 0): this {
    return this.op(OP.i32Load, Instructions.memarg(2, offset));
  }
  f32Load(offset = 0): this {
    return this.op(OP.f32Load, Instructions.memarg(2, offset));
  }
  f64Load(offset = 0): this {
    return this.op(OP.f64Load, Instructions.memarg(3, offset));
  }
  i32Store(offset = 0): this {
    return this.op(OP.i32Store, Instructions.memarg(2, offset));
  }
  f32Store(offset = 0): this {
    return this.op(OP.f32Store, Instructions.memarg(2, offset));
  }
  f64Store(offset = 0): this {
    return this.op(OP.f64Store, Instructions.memarg(3, offset));
  }

  i32Const(value: number): this {
    return this.op(OP.i32Const, signedLeb128(value));
  }
  f32Const(value: number): this {
    const bytes = new Uint8Array(new Float32Array([value]).buffer);
    return this.op(OP.f32Const, [...bytes]);
  }
  f64Const(value: number): this {
    const bytes = new Uint8Array(new Float64Array([value]).buffer);
    return this.op(OP.f64Const, [...bytes]);
  }
  i32Eqz(): this {
    return this.op(OP.i32Eqz);
  }
  i32Eq(): this {
    return this.op(OP.i32Eq);
  }
  i32Ne(): this {
    return this.op(OP.i32Ne);
  }
  i32LtS(): this {
    return this.op(OP.i32LtS);
  }
  i32LtU(): this {
    return this.op(OP.i32LtU);
  }
  i32GtS(): this {
    return this.op(OP.i32GtS);
  }
  i32LeS(): this {
    return this.op(OP.i32LeS);
  }
  i32GeS(): this {
    return this.op(OP.i32GeS);
  }
  i32Add(): this {
    return this.op(OP.i32Add);
  }
  i32Sub(): this {
    return this.op(OP.i32Sub);
  }
  i32Mul(): this {
    return this.op(OP.i32Mul);
  }
  i32DivU(): this {
    return this.op(OP.i32DivU);
  }
  i32And(): this {
    return this.op(OP.i32And);
  }
  i32Shl(): this {
    return this.op(OP.i32Shl);
  }
  i32ShrU(): this {
    return this.op(OP.i32ShrU);
  }
  f32Add(): this {
    return this.op(OP.f32Add);
  }
  f32Mul(): this {
    return this.op(OP.f32Mul);
  }
  f64Add(): this {
    return this.op(OP.f64Add);
  }
  f64Mul(): this {
    return this.op(OP.f64Mul);
  }
  /** float64 to float32, rounded to nearest (ties to even). */
  f32DemoteF64(): this {
    return this.op(OP.f32DemoteF64);
  }
  /** float32 to float64 (exact). */
  f64PromoteF32(): this {
    return this.op(OP.f64PromoteF32);
  }

  /**
   * Lane-wise selection from two vectors: byte `i` of the result is byte `lanes[i]` of the
   * 32-byte concatenation of the operands (0-15 the first, 16-31 the second).
   */
  i8x16Shuffle(lanes: readonly number[]): this {
    if (lanes.length !== 16 || lanes.some((l) => !Number.isInteger(l) || l < 0 || l > 31)) throw new Error(`i8x16Shuffle: 16 lane indices from 0 to 31 expected, got ${lanes.join(",")}`);
    return this.simd(SIMD.i8x16Shuffle, [...lanes]);
  }
  /** {@link i8x16Shuffle} by 32-bit lanes: lane `i` is lane `lanes[i]` of the operands (0-3 the first, 4-7 the second). */
  i32x4Shuffle(lanes: readonly [number, number, number, number]): this {
    return this.i8x16Shuffle(lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]));
  }

  v128Load(offset = 0): this {
    return this.simd(SIMD.v128Load, Instructions.memarg(4, offset));
  }
  /** Loads one 32-bit value and repeats it in all four lanes. */
  v128Load32Splat(offset = 0): this {
    return this.simd(SIMD.v128Load32Splat, Instructions.memarg(2, offset));
  }
  /** Loads one 64-bit value and repeats it in both lanes. */
  v128Load64Splat(offset = 0): this {
    return this.simd(SIMD.v128Load64Splat, Instructions.memarg(3, offset));
  }
  v128Store(offset = 0): this {
    return this.simd(SIMD.v128Store, Instructions.memarg(4, offset));
  }
  /** Loads 64 bits into the low half of a vector, zeroing the high half. */
  v128Load64Zero(offset = 0): this {
    return this.simd(SIMD.v128Load64Zero, Instructions.memarg(3, offset));
  }
  /** Stores 64-bit lane `lane` of the vector. */
  v128Store64Lane(lane: number, offset = 0): this {
    return this.simd(SIMD.v128Store64Lane, [...Instructions.memarg(3, offset), lane]);
  }
  /** The two f64 lanes rounded to f32 in lanes 0 and 1; lanes 2 and 3 zero. */
  f32x4DemoteF64x2Zero(): this {
    return this.simd(SIMD.f32x4DemoteF64x2Zero);
  }
  /** f32 lanes 0 and 1 widened to two f64 lanes. */
  f64x2PromoteLowF32x4(): this {
    return this.simd(SIMD.f64x2PromoteLowF32x4);
  }
  /** `a & ~b`, bitwise. */
  v128AndNot(): this {
    return this.simd(SIMD.v128AndNot);
  }
  /** Lane-wise `a > b`: all ones where true. */
  f64x2Gt(): this {
    return this.simd(SIMD.f64x2Gt);
  }
  /** Lane-wise round to nearest integer, ties to even. */
  f64x2Nearest(): this {
    return this.simd(SIMD.f64x2Nearest);
  }
  /** i32 lanes 0 and 1 sign-extended to two i64 lanes. */
  i64x2ExtendLowI32x4S(): this {
    return this.simd(SIMD.i64x2ExtendLowI32x4S);
  }
  /** Lane-wise shift left by an i32 count. */
  i64x2Shl(): this {
    return this.simd(SIMD.i64x2Shl);
  }
  /** Lane-wise 64-bit integer `a + b` (wrapping). */
  i64x2Add(): this {
    return this.simd(SIMD.i64x2Add);
  }
  f64x2Div(): this {
    return this.simd(SIMD.f64x2Div);
  }
  /** Lane-wise minimum (NaN if either lane is NaN). */
  f64x2Min(): this {
    return this.simd(SIMD.f64x2Min);
  }
  /** Lane-wise maximum (NaN if either lane is NaN). */
  f64x2Max(): this {
    return this.simd(SIMD.f64x2Max);
  }
  /** Lane-wise minimum (NaN if either lane is NaN). */
  f32x4Min(): this {
    return this.simd(SIMD.f32x4Min);
  }
  /** Lane-wise maximum (NaN if either lane is NaN). */
  f32x4Max(): this {
    return this.simd(SIMD.f32x4Max);
  }
  /** Lane-wise 32-bit shift left by an i32 count. */
  i32x4Shl(): this {
    return this.simd(SIMD.i32x4Shl);
  }
  /** Lane-wise 32-bit integer `a + b` (wrapping). */
  i32x4Add(): this {
    return this.simd(SIMD.i32x4Add);
  }
  /** The two f64 lanes truncated to saturated i32 in lanes 0 and 1 (NaN to 0); lanes 2 and 3 zero. */
  i32x4TruncSatF64x2SZero(): this {
    return this.simd(SIMD.i32x4TruncSatF64x2SZero);
  }

  f32x4Splat(): this {
    return this.simd(SIMD.f32x4Splat);
  }
  f64x2Splat(): this {
    return this.simd(SIMD.f64x2Splat);
  }
  f32x4ExtractLane(lane: number): this {
    return this.simd(SIMD.f32x4ExtractLane, [lane]);
  }
  f64x2ExtractLane(lane: number): this {
    return this.simd(SIMD.f64x2ExtractLane, [lane]);
  }
  f32x4Add(): this {
    return this.simd(SIMD.f32x4Add);
  }
  f32x4Sub(): this {
    return this.simd(SIMD.f32x4Sub);
  }
  f32x4Mul(): this {
    return this.simd(SIMD.f32x4Mul);
  }
  f64x2Add(): this {
    return this.simd(SIMD.f64x2Add);
  }
  f64x2Sub(): this {
    return this.simd(SIMD.f64x2Sub);
  }
  f64x2Mul(): this {
    return this.simd(SIMD.f64x2Mul);
  }
  /** Loads 32 bits into lane 0 of a vector, zeroing the other lanes. */
  v128Load32Zero(offset = 0): this {
    return this.simd(SIMD.v128Load32Zero, Instructions.memarg(2, offset));
  }
  /** Stores 32-bit lane `lane` of the vector. */
  v128Store32Lane(lane: number, offset = 0): this {
    return this.simd(SIMD.v128Store32Lane, [...Instructions.memarg(2, offset), lane]);
  }
  i32x4Splat(): this {
    return this.simd(SIMD.i32x4Splat);
  }
  /** Lane-wise `a == b`: all ones where true (false where either is NaN). */
  f32x4Eq(): this {
    return this.simd(SIMD.f32x4Eq);
  }
  /** Lane-wise `a == b` of int32 lanes: all ones where true. */
  i32x4Eq(): this {
    return this.simd(SIMD.i32x4Eq);
  }
  /** Lane-wise `a != b` of int32 lanes. */
  i32x4Ne(): this {
    return this.simd(SIMD.i32x4Ne);
  }
  /** Lane-wise signed `a < b` of int32 lanes. */
  i32x4LtS(): this {
    return this.simd(SIMD.i32x4LtS);
  }
  /** Lane-wise signed `a > b` of int32 lanes. */
  i32x4GtS(): this {
    return this.simd(SIMD.i32x4GtS);
  }
  /** Lane-wise signed `a <= b` of int32 lanes. */
  i32x4LeS(): this {
    return this.simd(SIMD.i32x4LeS);
  }
  /** Lane-wise signed `a >= b` of int32 lanes. */
  i32x4GeS(): this {
    return this.simd(SIMD.i32x4GeS);
  }
  /** Lane-wise `a != b`: all ones where true (true where either is NaN). */
  f32x4Ne(): this {
    return this.simd(SIMD.f32x4Ne);
  }
  f32x4Lt(): this {
    return this.simd(SIMD.f32x4Lt);
  }
  f32x4Gt(): this {
    return this.simd(SIMD.f32x4Gt);
  }
  f32x4Le(): this {
    return this.simd(SIMD.f32x4Le);
  }
  f32x4Ge(): this {
    return this.simd(SIMD.f32x4Ge);
  }
  v128Not(): this {
    return this.simd(SIMD.v128Not);
  }
  v128And(): this {
    return this.simd(SIMD.v128And);
  }
  v128Or(): this {
    return this.simd(SIMD.v128Or);
  }
  v128Xor(): this {
    return this.simd(SIMD.v128Xor);
  }
  /** `(a & mask) | (b & ~mask)` with the stack holding a, b, mask. */
  v128Bitselect(): this {
    return this.simd(SIMD.v128Bitselect);
  }
  /** Saturating narrow of two i16x8 vectors to unsigned bytes (a's lanes first). */
  i8x16NarrowI16x8U(): this {
    return this.simd(SIMD.i8x16NarrowI16x8U);
  }
  /** Saturating narrow of two i32x4 vectors to unsigned 16-bit lanes (a's lanes first). */
  i16x8NarrowI32x4U(): this {
    return this.simd(SIMD.i16x8NarrowI32x4U);
  }
  /** The low eight bytes zero-extended to 16-bit lanes. */
  i16x8ExtendLowI8x16U(): this {
    return this.simd(SIMD.i16x8ExtendLowI8x16U);
  }
  /** The low four 16-bit lanes zero-extended to 32-bit lanes. */
  i32x4ExtendLowI16x8U(): this {
    return this.simd(SIMD.i32x4ExtendLowI16x8U);
  }
  i32x4Neg(): this {
    return this.simd(SIMD.i32x4Neg);
  }
  /** Lane-wise absolute value (clears the sign bit). */
  f32x4Abs(): this {
    return this.simd(SIMD.f32x4Abs);
  }
  /** Lane-wise negation (flips the sign bit). */
  f32x4Neg(): this {
    return this.simd(SIMD.f32x4Neg);
  }
  /** Lane-wise square root, correctly rounded. */
  f32x4Sqrt(): this {
    return this.simd(SIMD.f32x4Sqrt);
  }
  /** Lane-wise division, correctly rounded. */
  f32x4Div(): this {
    return this.simd(SIMD.f32x4Div);
  }
  /** The high eight bytes zero-extended to 16-bit lanes. */
  i16x8ExtendHighI8x16U(): this {
    return this.simd(SIMD.i16x8ExtendHighI8x16U);
  }
  /** The high four 16-bit lanes zero-extended to 32-bit lanes. */
  i32x4ExtendHighI16x8U(): this {
    return this.simd(SIMD.i32x4ExtendHighI16x8U);
  }
}
