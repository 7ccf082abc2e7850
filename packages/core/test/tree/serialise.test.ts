import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as np from "../../src/np/index.js";
import { type DType } from "../../src/dtype.js";
import { typedArrayFor } from "../../src/backend/buffers.js";
import { ConcretizationError } from "../../src/errors.js";
import { ConcreteTensor, Tensor } from "../../src/tensor.js";
import { Module } from "../../src/tree/module.js";
import { decodeSafetensors, encodeSafetensors } from "../../src/tree/safetensors.js";
import { deserialiseLeaves, leafName, serialisedMetadata, serialiseLeaves } from "../../src/tree/serialise.js";
import { CorruptFileError, SerialisationError } from "../../src/tree/serialisation_error.js";
import * as tree from "../../src/tree/tree.js";

class Linear extends Module {
  declare readonly weight: Tensor;
  declare readonly bias: Tensor;
  declare readonly act: (x: Tensor) => Tensor;
  constructor(weight: Tensor, bias: Tensor, act: (x: Tensor) => Tensor) {
    super({ weight, bias, act }, { static: ["act"] });
  }
}

const relu = (x: Tensor): Tensor => np.maximum(x, 0);

/** The header of a safetensors file, parsed by hand (independently of the decoder). */
function header(bytes: Uint8Array): { n: number; json: Record<string, any> } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  return { n, json: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) };
}

/** A file with the given header object and data bytes. */
function fileWith(json: unknown, data: number[] | Uint8Array = []): Uint8Array {
  const text = new TextEncoder().encode(JSON.stringify(json));
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setUint32(0, text.length, true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

/** Bit patterns of a tensor's values (so NaN payloads and -0 compare exactly). */
function bits(t: Tensor): number[] {
  const data = t.toTypedArray();
  return Array.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

function expectSameLeaves(a: unknown, b: unknown): void {
  const la = tree.leaves(a);
  const lb = tree.leaves(b);
  expect(lb.length).toBe(la.length);
  la.forEach((x, i) => {
    const y = lb[i];
    if (x instanceof Tensor) {
      expect(y).toBeInstanceOf(Tensor);
      expect((y as Tensor).dtype).toBe(x.dtype);
      expect((y as Tensor).shape).toEqual(x.shape);
      expect(bits(y as Tensor)).toEqual(bits(x));
    } else {
      expect(Object.is(y, x)).toBe(true);
    }
  });
}

describe("tree.serialiseLeaves / tree.deserialiseLeaves", () => {
  it("round-trips tensors of every dtype, numbers and booleans, keeping other leaves from like", () => {
    const t = {
      layer: new Linear(np.array([[1.5, -2], [0, 3]]), np.array([0.25, -0.125]), relu),
      extras: [np.array([1, 2, 3], { dtype: "int32" }), np.array([4294967295, 0], { dtype: "uint32" }), np.array([true, false, true])],
      scalars: { lr: 0.1, steps: 7, training: true, name: "run-1", none: null },
      f64: np.array([Math.PI, -0, Infinity, NaN, 5e-324], { dtype: "float64" }),
      empty: np.zeros([0, 3]),
      map: new Map<string, Tensor>([["a", np.array(2)]]),
    };
    const bytes = serialiseLeaves(t);
    const like = tree.map((x: unknown) => (x instanceof Tensor ? np.zerosLike(x) : typeof x === "number" ? 0 : typeof x === "boolean" ? !x : x), t);
    const back = deserialiseLeaves(like, bytes);
    expectSameLeaves(t, back);
    expect(back.layer).toBeInstanceOf(Linear);
    expect(back.layer.act).toBe(relu);
    expect(back.scalars.name).toBe("run-1");
    expect(back.scalars.none).toBeNull();
    expect(tree.structure(back).equals(tree.structure(t))).toBe(true);
  });

  it("keeps `like`'s value for leaves that are not stored (strings, functions)", () => {
    const bytes = serialiseLeaves({ w: np.ones([2]), tag: "old", f: relu });
    const g = (x: Tensor) => x;
    const back = deserialiseLeaves({ w: np.zeros([2]), tag: "new", f: g }, bytes);
    expect(back.tag).toBe("new");
    expect(back.f).toBe(g);
    expect(back.w.toArray()).toEqual([1, 1]);
  });

  it("names leaves by path, as a PyTorch state dict, and writes a valid safetensors layout", () => {
    const t = { b: [np.ones([2, 3], { dtype: "float64" }), np.array([true])], a: np.array([1, 2], { dtype: "int32" }), s: 2.5 };
    const bytes = serialiseLeaves(t, { metadata: { format: "test", epoch: "3" } });
    const { n, json } = header(bytes);
    expect((8 + n) % 8).toBe(0);
    expect(Object.keys(json).sort()).toEqual(["__metadata__", "a", "b.0", "b.1", "s"]);
    expect(json.__metadata__).toEqual({ format: "test", epoch: "3" });
    expect(json["b.0"]).toMatchObject({ dtype: "F64", shape: [2, 3] });
    expect(json["b.1"]).toMatchObject({ dtype: "BOOL", shape: [1] });
    expect(json.a).toMatchObject({ dtype: "I32", shape: [2] });
    expect(json.s).toMatchObject({ dtype: "F64", shape: [] });
    // The tensors tile the data exactly, widest first (so each starts aligned to its size).
    const ranges = Object.entries(json)
      .filter(([k]) => k !== "__metadata__")
      .map(([, v]) => v.data_offsets as [number, number])
      .sort((x, y) => x[0] - y[0]);
    let cursor = 0;
    for (const [b, e] of ranges) {
      expect(b).toBe(cursor);
      cursor = e;
    }
    expect(cursor).toBe(bytes.length - 8 - n);
    expect(json["b.0"].data_offsets[0] % 8).toBe(0);
    expect(json.a.data_offsets[0] % 4).toBe(0);
    // Values are little-endian row-major.
    const [b0, e0] = json["b.0"].data_offsets;
    const raw = new DataView(bytes.buffer, 8 + n + b0, e0 - b0);
    expect(raw.getFloat64(0, true)).toBe(1);
    expect(serialisedMetadata(bytes)).toEqual({ format: "test", epoch: "3" });
  });

  it("names a single-leaf tree 'value' and joins path entries with dots", () => {
    expect(leafName([])).toBe("value");
    expect(leafName(["batchParameters", 0, "weights"])).toBe("batchParameters.0.weights");
    const back = deserialiseLeaves(np.zeros([2]), serialiseLeaves(np.array([3.5, 4])));
    expect(back.toArray()).toEqual([3.5, 4]);
  });

  it("round-trips random trees bit for bit (property)", () => {
    const dtypes: DType[] = ["float32", "float64", "int32", "uint32", "bool"];
    const tensorArb = fc
      .tuple(fc.constantFrom(...dtypes), fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }))
      .chain(([dtype, shape]) => {
        const n = shape.reduce((a, b) => a * b, 1);
        return fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { minLength: n, maxLength: n }).map((words) => {
          // Random bit patterns (NaNs with payloads, -0, denormals) for floats; 0/1 for bools.
          const data = new (typedArrayFor(dtype))(n);
          if (dtype === "bool") words.forEach((w, i) => (data[i] = w & 1));
          else if (dtype === "float64") new Uint32Array(data.buffer).set(words.flatMap((w) => [w, w ^ 0x5bd1e995]).slice(0, 2 * n));
          else new Uint32Array(data.buffer).set(words);
          return ConcreteTensor.fromData(data, shape, dtype) as Tensor;
        });
      });
    const leafArb = fc.oneof(tensorArb, tensorArb, fc.double(), fc.boolean(), fc.constant("text"));
    const keyArb = fc.stringMatching(/^[a-z]{1,4}$/);
    const treeArb = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: "small" }, leafArb, fc.array(tie("node"), { maxLength: 3 }), fc.dictionary(keyArb, tie("node"), { maxKeys: 3 })),
    })).node;
    fc.assert(
      fc.property(treeArb, (t) => {
        const bytes = serialiseLeaves(t);
        const back = deserialiseLeaves(t, bytes);
        expectSameLeaves(t, back);
        expect(serialiseLeaves(back)).toEqual(bytes);
      }),
      { numRuns: 200 },
    );
  });

  it("never mutates its inputs, and loaded tensors do not alias the bytes", () => {
    const w = np.array([1.5, 2, 3]);
    const t = { w, n: 4 };
    const bytes = serialiseLeaves(t);
    expect(w.toArray()).toEqual([1.5, 2, 3]);
    const copy = bytes.slice();
    const like = { w: np.zeros([3]), n: 0 };
    const back = deserialiseLeaves(like, bytes);
    expect(bytes).toEqual(copy);
    expect(like.w.toArray()).toEqual([0, 0, 0]);
    expect(like.n).toBe(0);
    bytes.fill(0xff, bytes.length - 12);
    expect(back.w.toArray()).toEqual([1.5, 2, 3]);
  });

  it("reads from a Node Buffer inside a larger pool (as fs.readFileSync returns)", () => {
    const t = { w: np.array([1.5, -2, 3], { dtype: "float64" }), m: np.array([true, false]) };
    const bytes = serialiseLeaves(t);
    const pool = Buffer.alloc(bytes.length + 13, 7);
    pool.set(bytes, 5);
    const view = pool.subarray(5, 5 + bytes.length);
    expectSameLeaves(t, deserialiseLeaves(t, view));
    pool.fill(0);
    expect(deserialiseLeaves(t, bytes).w.toArray()).toEqual([1.5, -2, 3]);
  });

  it("reads files that list tensors in any order, with unaligned data and no metadata", () => {
    // As another writer might lay it out: a BOOL first, then an F32 at an odd offset.
    const f = new Float32Array([1.5, -2]);
    const data = new Uint8Array([1, 0, 1, ...new Uint8Array(f.buffer)]);
    const bytes = fileWith({ w: { dtype: "F32", shape: [2], data_offsets: [3, 11] }, m: { dtype: "BOOL", shape: [3], data_offsets: [0, 3] } }, data);
    const back = deserialiseLeaves({ m: np.zeros([3], { dtype: "bool" }), w: np.zeros([2]) }, bytes);
    expect(back.m.toArray()).toEqual([1, 0, 1]);
    expect(back.w.toArray()).toEqual([1.5, -2]);
    expect(serialisedMetadata(bytes)).toEqual({});
  });
});

describe("tree.deserialiseLeaves: leaves that do not fit `like`", () => {
  const bytes = serialiseLeaves({ w: np.ones([2, 3]), b: np.zeros([3]), k: 2 });
  const like = () => ({ w: np.zeros([2, 3]), b: np.zeros([3]), k: 0 });

  it("rejects a shape or dtype that differs, naming the leaf and both types", () => {
    expect(() => deserialiseLeaves({ ...like(), w: np.zeros([3, 2]) }, bytes)).toThrow(SerialisationError);
    expect(() => deserialiseLeaves({ ...like(), w: np.zeros([3, 2]) }, bytes)).toThrow(/"w" is stored as float32 \[2, 3\], but `like` has float32 \[3, 2\]/);
    expect(() => deserialiseLeaves({ ...like(), b: np.zeros([3], { dtype: "float64" }) }, bytes)).toThrow(/"b" is stored as float32 \[3\], but `like` has float64 \[3\]/);
    expect(() => deserialiseLeaves({ ...like(), k: true }, bytes)).toThrow(/"k" is stored as float64 \[\], but `like` has a boolean/);
    expect(() => deserialiseLeaves({ ...like(), k: 0, w: np.zeros([2, 3]), b: 5 }, bytes)).toThrow(/"b" is stored as float32 \[3\], but `like` has a number/);
  });

  it("rejects missing and extra leaves, naming them", () => {
    expect(() => deserialiseLeaves({ ...like(), extra: np.zeros([1]) }, bytes)).toThrow(/no value for leaf "extra"/);
    const { b: _b, ...fewer } = like();
    expect(() => deserialiseLeaves(fewer, bytes)).toThrow(/has a tensor "b" that `like` has no leaf for/);
    expect(() => deserialiseLeaves({ ...like(), b: "not stored" }, bytes)).toThrow(SerialisationError);
  });

  it("refuses to write a traced leaf or two leaves with the same name", () => {
    class Abstract extends Tensor {
      readonly shape = [2];
      readonly dtype = "float32" as const;
      readonly weakType = false;
      concrete(): ConcreteTensor {
        throw new ConcretizationError("abstract value");
      }
    }
    expect(() => serialiseLeaves({ w: new Abstract() })).toThrow(/leaf "w" has no concrete value/);
    expect(() => serialiseLeaves({ "a.b": np.zeros([1]), a: { b: np.ones([1]) } })).toThrow(/two leaves are both named "a.b"/);
    expect(() => serialiseLeaves({ __metadata__: np.zeros([1]) })).toThrow(/reserved/);
    expect(() => serialiseLeaves({}, { metadata: { n: 3 as unknown as string } })).toThrow(/metadata value "n" must be a string/);
  });
});

describe("tree.deserialiseLeaves: corrupt and truncated files", () => {
  const good = serialiseLeaves({ w: np.array([[1.5, 2], [3, 4]]), m: np.array([true, false]), s: 1 }, { metadata: { a: "b" } });
  const like = { w: np.zeros([2, 2]), m: np.zeros([2], { dtype: "bool" }), s: 0 };

  it("rejects every truncation of a valid file with CorruptFileError", () => {
    expect(deserialiseLeaves(like, good).w.toArray()).toEqual([[1.5, 2], [3, 4]]);
    for (let n = 0; n < good.length; n++) {
      expect(() => deserialiseLeaves(like, good.subarray(0, n)), `prefix of ${n} bytes`).toThrow(CorruptFileError);
    }
  });

  it("rejects trailing garbage", () => {
    const longer = new Uint8Array(good.length + 3);
    longer.set(good);
    expect(() => deserialiseLeaves(like, longer)).toThrow(/3 bytes of data after the last tensor/);
  });

  it("explains what is wrong with a malformed header", () => {
    const cases: [unknown, number[], RegExp][] = [
      [[1, 2], [], /must be a JSON object/],
      [{ w: { dtype: "F16", shape: [1], data_offsets: [0, 2] } }, [0, 0], /unsupported dtype "F16"/],
      [{ w: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, [0, 0, 0, 0], /shape must be a list of non-negative integers/],
      [{ w: { dtype: "F32", shape: [2], data_offsets: [0, 4] } }, [0, 0, 0, 0], /needs 8 bytes, but data_offsets \[0,4\] span 4/],
      [{ w: { dtype: "F32", shape: [1], data_offsets: [4, 0] } }, [0, 0, 0, 0], /data_offsets must be \[begin, end\]/],
      [{ w: { dtype: "F32", shape: [1] } }, [0, 0, 0, 0], /data_offsets must be/],
      [{ w: "F32" }, [], /expected an object/],
      [{ a: { dtype: "F32", shape: [1], data_offsets: [0, 4] }, b: { dtype: "F32", shape: [1], data_offsets: [2, 6] } }, [0, 0, 0, 0, 0, 0], /overlaps/],
      [{ a: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, [0, 0, 0, 0, 0, 0, 0, 0], /a gap in the data: bytes 0..4/],
      [{ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }, [0, 0, 0, 0], /truncated: the tensors need 8 bytes of data, but the file has 4/],
      [{ m: { dtype: "BOOL", shape: [2], data_offsets: [0, 2] } }, [1, 2], /BOOL but holds the byte 2/],
      [{ __metadata__: { epoch: 3 } }, [], /"__metadata__" value "epoch" must be a string/],
      [{ __metadata__: [] }, [], /"__metadata__" must be an object/],
    ];
    for (const [json, data, message] of cases) {
      expect(() => decodeSafetensors(fileWith(json, data)), String(message)).toThrow(CorruptFileError);
      expect(() => decodeSafetensors(fileWith(json, data)), String(message)).toThrow(message);
    }
  });

  it("rejects a header that is not JSON or not UTF-8, a huge header length, and non-bytes", () => {
    const notJson = fileWith({ a: 1 });
    notJson[8] = "x".charCodeAt(0);
    expect(() => decodeSafetensors(notJson)).toThrow(/not valid JSON/);
    const notUtf8 = fileWith({ a: 1 });
    notUtf8[9] = 0xff;
    expect(() => decodeSafetensors(notUtf8)).toThrow(/not valid UTF-8/);
    const huge = good.slice();
    new DataView(huge.buffer).setUint32(4, 1, true);
    expect(() => decodeSafetensors(huge)).toThrow(/the header claims 4294967\d+ bytes/);
    expect(() => decodeSafetensors("bytes" as unknown as Uint8Array)).toThrow(/expected a Uint8Array, got string/);
  });

  it("accepts the data bytes in any header order when they tile exactly", () => {
    const bytes = encodeSafetensors(
      [
        { name: "b", dtype: "bool", shape: [1], data: new Uint8Array([1]) },
        { name: "f", dtype: "float64", shape: [1], data: new Float64Array([2]) },
      ],
      {},
    );
    const { json } = header(bytes);
    expect(json.f.data_offsets).toEqual([0, 8]);
    expect(json.b.data_offsets).toEqual([8, 9]);
    const { tensors } = decodeSafetensors(bytes);
    expect([...tensors.keys()]).toEqual(["b", "f"]);
  });
});
