/**
 * LEB128 ("little-endian base 128"), the variable-length integer encoding of the WebAssembly
 * binary format: seven payload bits per byte, least significant group first, the high bit set
 * on every byte but the last. Unsigned values (indices, sizes, memory offsets) and signed
 * values (`i32.const` immediates) differ only in how the last byte ends.
 */

/**
 * The unsigned LEB128 bytes of a non-negative integer below 2³².
 * Example: `unsignedLeb128(624485)` is `[0xe5, 0x8e, 0x26]`.
 */
export function unsignedLeb128(value: number): number[] {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`unsignedLeb128: ${value} is not an integer in [0, 2^32)`);
  }
  const out: number[] = [];
  let v = value;
  for (;;) {
    const low = v % 128;
    v = Math.floor(v / 128);
    if (v === 0) {
      out.push(low);
      return out;
    }
    out.push(low | 0x80);
  }
}

/**
 * The signed LEB128 bytes of an integer in the int32 range (two's complement, sign-extended
 * from the last byte's bit 6). Example: `signedLeb128(-123456)` is `[0xc0, 0xbb, 0x78]`.
 */
export function signedLeb128(value: number): number[] {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
    throw new RangeError(`signedLeb128: ${value} is not an integer in [-2^31, 2^31)`);
  }
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const low = v & 0x7f;
    v >>= 7;
    // Done once the remaining bits are pure sign extension of the group just written.
    const done = (v === 0 && (low & 0x40) === 0) || (v === -1 && (low & 0x40) !== 0);
    if (done) {
      out.push(low);
      return out;
    }
    out.push(low | 0x80);
  }
}

/**
 * Decodes one unsigned LEB128 number starting at `bytes[at]`; returns the value and the number
 * of bytes read (the inverse of {@link unsignedLeb128}, used by tests and module inspection).
 * Example: `readUnsignedLeb128([0xe5, 0x8e, 0x26], 0)` is `{ value: 624485, length: 3 }`.
 */
export function readUnsignedLeb128(bytes: ArrayLike<number>, at: number): { value: number; length: number } {
  let value = 0;
  let scale = 1;
  for (let i = at; i < bytes.length; i++) {
    const b = bytes[i]!;
    value += (b & 0x7f) * scale;
    scale *= 128;
    if ((b & 0x80) === 0) return { value, length: i - at + 1 };
    if (i - at >= 4) break;
  }
  throw new RangeError(`readUnsignedLeb128: no terminated LEB128 number of at most 5 bytes at offset ${at}`);
}

/**
 * Decodes one signed LEB128 number (int32 range) starting at `bytes[at]`.
 * Example: `readSignedLeb128([0x7f], 0)` is `{ value: -1, length: 1 }`.
 */
export function readSignedLeb128(bytes: ArrayLike<number>, at: number): { value: number; length: number } {
  let value = 0;
  let shift = 0;
  for (let i = at; i < bytes.length; i++) {
    const b = bytes[i]!;
    value |= (b & 0x7f) << shift;
    shift += 7;
    if ((b & 0x80) === 0) {
      if (shift < 32 && (b & 0x40) !== 0) value |= -1 << shift;
      return { value: value | 0, length: i - at + 1 };
    }
    if (i - at >= 4) break;
  }
  throw new RangeError(`readSignedLeb128: no terminated LEB128 number of at most 5 bytes at offset ${at}`);
}
