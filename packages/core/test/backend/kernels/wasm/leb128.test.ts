import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { readSignedLeb128, readUnsignedLeb128, signedLeb128, unsignedLeb128 } from "../../../../src/backend/kernels/wasm/leb128.js";

describe("unsignedLeb128", () => {
  test.each([
    [0, [0x00]],
    [1, [0x01]],
    [127, [0x7f]],
    [128, [0x80, 0x01]],
    [300, [0xac, 0x02]],
    [624485, [0xe5, 0x8e, 0x26]],
    [0xffffffff, [0xff, 0xff, 0xff, 0xff, 0x0f]],
  ])("%i encodes as the spec's bytes", (value, bytes) => {
    expect(unsignedLeb128(value)).toEqual(bytes);
  });

  test("round-trips every uint32 and uses the fewest bytes", () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), (v) => {
        const bytes = unsignedLeb128(v);
        expect(readUnsignedLeb128(bytes, 0)).toEqual({ value: v, length: bytes.length });
        expect(bytes.length).toBe(Math.max(1, Math.ceil(Math.log2(v + 1) / 7)));
      }),
    );
  });

  test.each([-1, 2 ** 32, 1.5, Number.NaN])("rejects %s", (v) => {
    expect(() => unsignedLeb128(v)).toThrow(/unsignedLeb128: .* is not an integer in \[0, 2\^32\)/);
  });
});

describe("signedLeb128", () => {
  test.each([
    [0, [0x00]],
    [-1, [0x7f]],
    [63, [0x3f]],
    [64, [0xc0, 0x00]],
    [-64, [0x40]],
    [-65, [0xbf, 0x7f]],
    [-123456, [0xc0, 0xbb, 0x78]],
    [2147483647, [0xff, 0xff, 0xff, 0xff, 0x07]],
    [-2147483648, [0x80, 0x80, 0x80, 0x80, 0x78]],
  ])("%i encodes as the spec's bytes", (value, bytes) => {
    expect(signedLeb128(value)).toEqual(bytes);
  });

  test("round-trips every int32", () => {
    fc.assert(
      fc.property(fc.integer({ min: -0x80000000, max: 0x7fffffff }), (v) => {
        const bytes = signedLeb128(v);
        expect(readSignedLeb128(bytes, 0)).toEqual({ value: v, length: bytes.length });
      }),
    );
  });

  test.each([2 ** 31, -(2 ** 31) - 1, 0.5])("rejects %s", (v) => {
    expect(() => signedLeb128(v)).toThrow(/signedLeb128: .* is not an integer in \[-2\^31, 2\^31\)/);
  });
});

describe("reading", () => {
  test("starts at the given offset and reports the bytes consumed", () => {
    expect(readUnsignedLeb128([0xaa, 0xe5, 0x8e, 0x26, 0x01], 1)).toEqual({ value: 624485, length: 3 });
  });

  test("an unterminated or over-long number is an error", () => {
    expect(() => readUnsignedLeb128([0x80, 0x80], 0)).toThrow(/no terminated LEB128 number/);
    expect(() => readSignedLeb128([0x80, 0x80, 0x80, 0x80, 0x80, 0x00], 0)).toThrow(/no terminated LEB128 number/);
  });
});
