import { describe, expect, test } from "vitest";
import { encodeModule, FunctionBuilder } from "../../../../src/backend/kernels/wasm/module_encoder.js";
import { readUnsignedLeb128 } from "../../../../src/backend/kernels/wasm/leb128.js";
import { webAssembly } from "../../../../src/backend/kernels/wasm/webassembly_api.js";

const wasm = webAssembly!;
const MEMORY = { module: "env", name: "memory", minPages: 1 };

/** Compiles and instantiates functions against a fresh memory; returns the exports and the memory. */
function instantiate(functions: FunctionBuilder[]) {
  const memory = new wasm.Memory({ initial: 1 });
  const bytes = encodeModule(MEMORY, functions);
  expect(wasm.validate(bytes)).toBe(true);
  const instance = new wasm.Instance(new wasm.Module(bytes), { env: { memory } });
  return { exports: instance.exports as Record<string, (...args: number[]) => number>, memory };
}

describe("encodeModule", () => {
  test("starts with the magic number and version, then type, import, function, export and code sections in order", () => {
    const f = new FunctionBuilder("nop");
    f.code.end();
    const bytes = encodeModule(MEMORY, [f]);
    expect([...bytes.slice(0, 8)]).toEqual([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    const ids: number[] = [];
    for (let at = 8; at < bytes.length; ) {
      ids.push(bytes[at]!);
      const size = readUnsignedLeb128(bytes, at + 1);
      at += 1 + size.length + size.value;
    }
    expect(ids).toEqual([1, 2, 3, 7, 10]);
  });

  test("i32 parameters, locals, arithmetic and a result", () => {
    const f = new FunctionBuilder("affine", ["i32"]);
    const x = f.param("i32");
    const y = f.param("i32");
    const t = f.local("i32");
    f.code.localGet(x).i32Const(3).i32Mul().localTee(t).localGet(y).i32Sub().localGet(t).i32Add().end();
    const { exports } = instantiate([f]);
    expect(exports.affine!(5, 4)).toBe(15 - 4 + 15);
    expect(exports.affine!(-200, 7)).toBe(-600 - 7 - 600);
  });

  test("a counted loop with block, loop, br_if and br (sum of 1..n)", () => {
    const f = new FunctionBuilder("triangle", ["i32"]);
    const n = f.param("i32");
    const sum = f.local("i32");
    f.code.block().loop();
    f.code.localGet(n).i32Eqz().brIf(1);
    f.code.localGet(sum).localGet(n).i32Add().localSet(sum);
    f.code.localGet(n).i32Const(1).i32Sub().localSet(n).br(0);
    f.code.end().end().localGet(sum).end();
    const { exports } = instantiate([f]);
    expect(exports.triangle!(0)).toBe(0);
    expect(exports.triangle!(100)).toBe(5050);
  });

  test("if/else and comparisons", () => {
    const f = new FunctionBuilder("max", ["i32"]);
    const x = f.param("i32");
    const y = f.param("i32");
    const r = f.local("i32");
    f.code.localGet(x).localGet(y).i32GtS().if().localGet(x).localSet(r).else().localGet(y).localSet(r).end().localGet(r).end();
    const { exports } = instantiate([f]);
    expect(exports.max!(-3, 2)).toBe(2);
    expect(exports.max!(9, -1)).toBe(9);
  });

  test("f32x4 splat, mul and add through v128 loads and stores", () => {
    // out[0..4] = x[0..4] * splat(s) + y[0..4], addresses in bytes.
    const f = new FunctionBuilder("axpy4");
    const x = f.param("i32");
    const y = f.param("i32");
    const out = f.param("i32");
    const s = f.param("f32");
    f.code.localGet(out).localGet(x).v128Load().localGet(s).f32x4Splat().f32x4Mul().localGet(y).v128Load(0).f32x4Add().v128Store().end();
    const { exports, memory } = instantiate([f]);
    const view = new Float32Array(memory.buffer);
    view.set([1, 2, 3, 4], 0);
    view.set([10, 20, 30, 40], 4);
    exports.axpy4!(0, 16, 32, 0.5);
    expect([...view.slice(8, 12)]).toEqual([10.5, 21, 31.5, 42]);
  });

  test("load-splat and constant offsets in memory instructions", () => {
    // out[0..2] (f64) = splat(mem[a + 8]) * mem[b + 16 .. b + 32]
    const f = new FunctionBuilder("scale2");
    const a = f.param("i32");
    const b = f.param("i32");
    const out = f.param("i32");
    f.code.localGet(out).localGet(a).v128Load64Splat(8).localGet(b).v128Load(16).f64x2Mul().v128Store(0).end();
    const { exports, memory } = instantiate([f]);
    const view = new Float64Array(memory.buffer);
    view.set([0, 3], 0); // a = 0: mem[a + 8] = 3
    view.set([0, 0, 5, 7], 4); // b = 32: b + 16 is view[6]
    exports.scale2!(0, 32, 128);
    expect([...view.slice(16, 18)]).toEqual([15, 21]);
  });

  test("scalar float loads, stores and constants; lane extraction", () => {
    const f = new FunctionBuilder("scalars", ["f32"]);
    const at = f.param("i32");
    f.code.localGet(at).localGet(at).f64Load(8).f64Const(0.25).f64Add().f64Store(16);
    f.code.localGet(at).f32Const(1.5).f32x4Splat().f32x4ExtractLane(2).f32Const(2).f32Mul().f32Store(24);
    f.code.localGet(at).f32Load(24).end();
    const { exports, memory } = instantiate([f]);
    new Float64Array(memory.buffer)[1] = 2;
    expect(exports.scalars!(0)).toBe(3);
    expect(new Float64Array(memory.buffer)[2]).toBe(2.25);
  });

  test("exports every function under its name", () => {
    const fs = ["one", "two", "three"].map((name, i) => {
      const f = new FunctionBuilder(name, ["i32"]);
      f.code.i32Const(i + 1).end();
      return f;
    });
    const { exports } = instantiate(fs);
    expect([exports.one!(), exports.two!(), exports.three!()]).toEqual([1, 2, 3]);
  });

  test("a shared memory import validates and links to a shared WebAssembly.Memory", () => {
    const f = new FunctionBuilder("peek", ["i32"]);
    f.code.i32Const(0).i32Load(4).end();
    const bytes = encodeModule({ ...MEMORY, maxPages: 4, shared: true }, [f]);
    const memory = new wasm.Memory({ initial: 1, maximum: 4, shared: true });
    expect(memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    new Int32Array(memory.buffer)[1] = 42;
    const instance = new wasm.Instance(new wasm.Module(bytes), { env: { memory } });
    expect((instance.exports.peek as () => number)()).toBe(42);
  });

  test("rejects a shared memory without a maximum, duplicate names and parameters after locals", () => {
    const f = new FunctionBuilder("f");
    f.code.end();
    expect(() => encodeModule({ ...MEMORY, shared: true }, [f])).toThrow(/encodeModule: a shared memory needs maxPages/);
    expect(() => encodeModule(MEMORY, [f, f])).toThrow(/encodeModule: two functions named "f"/);
    const g = new FunctionBuilder("g");
    g.local("i32");
    expect(() => g.param("i32")).toThrow(/FunctionBuilder\(g\): parameter declared after a local/);
  });

  test("an unfinished body does not validate (the encoder adds no implicit end)", () => {
    const f = new FunctionBuilder("open");
    f.code.block();
    expect(wasm.validate(encodeModule(MEMORY, [f]))).toBe(false);
  });
});

describe("i8x16Shuffle / i32x4Shuffle", () => {
  test("select lanes of two vectors, and reject lane indices outside 0-31", () => {
    // f(a, b) = i32x4 lanes [a1, b0, a3, b2] of two splats stored at address 0, read back as i32.
    const f = new FunctionBuilder("shuffle");
    const c = f.code;
    c.i32Const(0).i32Const(7).i32x4Splat().i32Const(9).i32x4Splat().i32x4Shuffle([1, 4, 3, 6]).v128Store();
    c.end();
    const memory = new webAssembly!.Memory({ initial: 1 });
    const instance = new webAssembly!.Instance(new webAssembly!.Module(encodeModule({ module: "env", name: "memory", minPages: 1 }, [f])), { env: { memory } });
    (instance.exports["shuffle"] as () => void)();
    expect(Array.from(new Int32Array(memory.buffer, 0, 4))).toEqual([7, 9, 7, 9]);
    expect(() => new FunctionBuilder("bad").code.i8x16Shuffle([32, ...new Array<number>(15).fill(0)])).toThrow(/0 to 31/);
    expect(() => new FunctionBuilder("bad").code.i8x16Shuffle([0, 1])).toThrow(/16 lane indices/);
  });
});
