import { describe, expect, it } from "vitest";
import { CorruptFileError, ValueError, data } from "../../src/index.js";

/** An IDX file: magic (0, 0, code, ndim), big-endian uint32 sizes, then the body bytes. */
function idx(code: number, shape: number[], body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length + body.length);
  const view = new DataView(out.buffer);
  out.set([0, 0, code, shape.length]);
  shape.forEach((n, d) => view.setUint32(4 + 4 * d, n, false));
  out.set(body, 4 + 4 * shape.length);
  return out;
}

function bigEndian(values: number[], bytes: number, write: (v: DataView, o: number, x: number) => void): Uint8Array {
  const out = new Uint8Array(values.length * bytes);
  const view = new DataView(out.buffer);
  values.forEach((x, i) => write(view, i * bytes, x));
  return out;
}

describe("data.readIdx", () => {
  it("reads unsigned bytes (MNIST) as int32 with the header's shape", () => {
    const t = data.readIdx(idx(0x08, [2, 3], Uint8Array.from([0, 1, 2, 253, 254, 255])));
    expect(t.dtype).toBe("int32");
    expect(t.shape).toEqual([2, 3]);
    expect(t.toArray()).toEqual([
      [0, 1, 2],
      [253, 254, 255],
    ]);
  });

  it("reads every type code big-endian", () => {
    const sb = data.readIdx(idx(0x09, [3], Uint8Array.from([0xff, 0x80, 0x7f])));
    expect([sb.dtype, sb.toArray()]).toEqual(["int32", [-1, -128, 127]]);
    const sh = data.readIdx(idx(0x0b, [2], bigEndian([-2, 30000], 2, (v, o, x) => v.setInt16(o, x, false))));
    expect([sh.dtype, sh.toArray()]).toEqual(["int32", [-2, 30000]]);
    const it = data.readIdx(idx(0x0c, [2], bigEndian([-70000, 2 ** 31 - 1], 4, (v, o, x) => v.setInt32(o, x, false))));
    expect([it.dtype, it.toArray()]).toEqual(["int32", [-70000, 2 ** 31 - 1]]);
    const f = data.readIdx(idx(0x0d, [2], bigEndian([0.5, -3.25], 4, (v, o, x) => v.setFloat32(o, x, false))));
    expect([f.dtype, f.toArray()]).toEqual(["float32", [0.5, -3.25]]);
    const d = data.readIdx(idx(0x0e, [1, 1], bigEndian([Math.PI], 8, (v, o, x) => v.setFloat64(o, x, false))));
    expect([d.dtype, d.toArray()]).toEqual(["float64", [[Math.PI]]]);
    const scalar = data.readIdx(idx(0x08, [], Uint8Array.from([7])));
    expect([scalar.shape, scalar.item()]).toEqual([[], 7]);
  });

  it("converts while reading with { dtype }", () => {
    const bytes = idx(0x08, [3], Uint8Array.from([0, 128, 255]));
    const f = data.readIdx(bytes, { dtype: "float32" });
    expect([f.dtype, f.toArray()]).toEqual(["float32", [0, 128, 255]]);
    expect(data.readIdx(bytes, { dtype: "uint32" }).dtype).toBe("uint32");
    expect(Array.from(data.readIdx(bytes, { dtype: "bool" }).toTypedArray())).toEqual([0, 1, 1]);
    const floats = idx(0x0d, [2], bigEndian([2.75, -1.5], 4, (v, o, x) => v.setFloat32(o, x, false)));
    expect(data.readIdx(floats, { dtype: "int32" }).toArray()).toEqual([2, -1]);
    expect(data.readIdx(floats, { dtype: "float64" }).toArray()).toEqual([2.75, -1.5]);
  });

  it("reads from a view into a larger buffer (a Node Buffer slice)", () => {
    const file = idx(0x08, [2], Uint8Array.from([9, 8]));
    const padded = new Uint8Array(file.length + 5);
    padded.set(file, 3);
    expect(data.readIdx(padded.subarray(3, 3 + file.length)).toArray()).toEqual([9, 8]);
  });

  it("rejects truncated and corrupt files with CorruptFileError naming the problem", () => {
    const good = idx(0x08, [2, 2], Uint8Array.from([1, 2, 3, 4]));
    expect(() => data.readIdx(good.subarray(0, 3))).toThrow(CorruptFileError);
    expect(() => data.readIdx(good.subarray(0, 10))).toThrow(/truncated header: 2 dimensions need 12 header bytes, the file has 10/);
    expect(() => data.readIdx(good.subarray(0, 14))).toThrow(/truncated file: .*shape \[2, 2\] \(16 bytes in all\), the file has 14 bytes/);
    const extra = new Uint8Array(good.length + 1);
    extra.set(good);
    expect(() => data.readIdx(extra)).toThrow(/corrupt file: .*17 bytes/);
    const gz = good.slice();
    gz[0] = 0x1f;
    gz[1] = 0x8b;
    expect(() => data.readIdx(gz)).toThrow(/not an IDX file.*0x1f 0x8b.*decompress/);
    const code = good.slice();
    code[2] = 0x0a;
    expect(() => data.readIdx(code)).toThrow(/unknown IDX type code 0x0a/);
  });

  it("rejects non-bytes and bad options with ValueError", () => {
    expect(() => data.readIdx([0, 0, 8, 0, 1] as never)).toThrow(ValueError);
    expect(() => data.readIdx(new ArrayBuffer(8) as never)).toThrow(/Uint8Array.*ArrayBuffer/);
    expect(() => data.readIdx(idx(0x08, [1], Uint8Array.from([1])), { type: "float32" } as never)).toThrow(/unknown option "type"/);
  });
});
