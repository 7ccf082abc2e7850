import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { ConcreteTensor } from "../../src/tensor.js";
import * as np from "../../src/np/index.js";
import { bind } from "../../src/trace.js";
import { DTypeError, ShapeError } from "../../src/errors.js";
import { threefry2x32Block, threefry2x32P } from "../../src/primitives/threefry.js";

const fixtures = JSON.parse(readFileSync(new URL("../fixtures/random.json", import.meta.url), "utf8"));

const u32 = (values: number[], shape: number[] = [values.length]) => ConcreteTensor.fromData(Uint32Array.from(values), shape, "uint32");

function threefry(k1: number[], k2: number[], x1: number[], x2: number[]): [number[], number[]] {
  const [y1, y2] = bind(threefry2x32P, [u32(k1), u32(k2), u32(x1), u32(x2)]);
  return [Array.from(y1!.toTypedArray()), Array.from(y2!.toTypedArray())];
}

describe("threefry2x32", () => {
  // Known answers from Random123's kat_vectors (threefry2x32_20), also used by JAX's own tests.
  it.each([
    [[0x00000000, 0x00000000], [0x00000000, 0x00000000], [0x6b200159, 0x99ba4efe]],
    [[0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x1cb996fc, 0xbb002be7]],
    [[0x13198a2e, 0x03707344], [0x243f6a88, 0x85a308d3], [0xc4923a9c, 0x483df7a0]],
  ])("key %j counter %j gives %j (Random123 known answer)", (key, ctr, expected) => {
    expect(threefry([key[0]!], [key[1]!], [ctr[0]!], [ctr[1]!])).toEqual([[expected[0]], [expected[1]]]);
    const out = new Uint32Array(2);
    threefry2x32Block(key[0]!, key[1]!, ctr[0]!, ctr[1]!, out);
    expect(Array.from(out)).toEqual(expected);
  });

  it("matches the reference script on random blocks, evaluated as one vector", () => {
    const cases: { key: number[]; counter: number[]; out: number[] }[] = fixtures.threefry;
    const [y1, y2] = threefry(
      cases.map((c) => c.key[0]!),
      cases.map((c) => c.key[1]!),
      cases.map((c) => c.counter[0]!),
      cases.map((c) => c.counter[1]!),
    );
    expect(y1).toEqual(cases.map((c) => c.out[0]));
    expect(y2).toEqual(cases.map((c) => c.out[1]));
  });

  it("reproduces a published JAX output (original counter layout, JAX < 0.5)", () => {
    // jax.nn.initializers.uniform(10.0)(jax.random.PRNGKey(42), (2, 3)) printed in JAX's docs:
    // [[7.298188, 8.691938, 8.7230015], [2.0818567, 1.8662417, 5.5022564]]. The original layout
    // enciphers counters (0, 1, 2) paired with (3, 4, 5) and concatenates both outputs.
    const [y1, y2] = threefry([0, 0, 0], [42, 42, 42], [0, 1, 2], [3, 4, 5]);
    const floats = [...y1, ...y2].map((b) => {
      const view = new DataView(new ArrayBuffer(4));
      view.setUint32(0, (b >>> 9) | 0x3f800000);
      return Math.fround(Math.fround(view.getFloat32(0) - 1) * 10);
    });
    expect(floats).toEqual([7.298188, 8.691938, 8.7230015, 2.0818567, 1.8662417, 5.5022564].map(Math.fround));
  });

  it("works on any shape, including 0-d, empty and non-contiguous views", () => {
    const scalar = (v: number) => ConcreteTensor.scalar(v, "uint32");
    const [a, b] = bind(threefry2x32P, [scalar(0), scalar(0), scalar(0), scalar(0)]);
    expect(a!.shape).toEqual([]);
    expect([a!.item(), b!.item()]).toEqual([0x6b200159, 0x99ba4efe]);

    const empty = u32([], [0, 3]);
    const outs = bind(threefry2x32P, [empty, empty, empty, empty]);
    expect(outs.map((o) => o.shape)).toEqual([[0, 3], [0, 3]]);

    // A transposed view of counters gives the same blocks as its contiguous copy.
    const x1 = u32([1, 2, 3, 4, 5, 6], [2, 3]);
    const x1T = ConcreteTensor.view(x1, [3, 2], [1, 3], 0);
    const zeros = u32([0, 0, 0, 0, 0, 0], [3, 2]);
    const [t1] = bind(threefry2x32P, [zeros, zeros, x1T, zeros]);
    const [c1] = bind(threefry2x32P, [zeros, zeros, u32([1, 4, 2, 5, 3, 6], [3, 2]), zeros]);
    expect(t1!.toArray()).toEqual(c1!.toArray());
  });

  it("reads broadcast operands in place: every mix of broadcast and full keys and counters gives each element's block", () => {
    const n = 7;
    const full = (seed: number) => u32(Array.from({ length: n }, (_, i) => (Math.imul(i + 1, 0x9e3779b9) ^ seed) >>> 0));
    const broadcast = (v: number) => ConcreteTensor.view(ConcreteTensor.scalar(v, "uint32"), [n], [0], 0);
    for (let mask = 0; mask < 16; mask++) {
      const operands = [0, 1, 2, 3].map((j) => ((mask >> j) & 1 ? broadcast(0x01234567 * (j + 1)) : full(j * 1000)));
      const [y1, y2] = bind(threefry2x32P, operands);
      const words = operands.map((t) => Array.from(t.toTypedArray()));
      const out = new Uint32Array(2);
      for (let i = 0; i < n; i++) {
        threefry2x32Block(words[0]![i]!, words[1]![i]!, words[2]![i]!, words[3]![i]!, out);
        expect([y1!.toTypedArray()[i], y2!.toTypedArray()[i]], `mask ${mask}, element ${i}`).toEqual(Array.from(out));
      }
    }
  });

  it("does not write into its operands", () => {
    const k = u32([1, 2]);
    const before = Array.from(k.data);
    bind(threefry2x32P, [k, k, k, k]);
    expect(Array.from(k.data)).toEqual(before);
  });

  it("rejects operands that are not uint32 or differ in shape, naming the operand", () => {
    const a = u32([1, 2]);
    const i32 = ConcreteTensor.fromData(Int32Array.of(1, 2), [2], "int32");
    expect(() => bind(threefry2x32P, [a, a, i32, a])).toThrow(DTypeError);
    expect(() => bind(threefry2x32P, [a, a, i32, a])).toThrow(/threefry2x32: operand x1 must be uint32, got int32/);
    expect(() => bind(threefry2x32P, [a, a, a, u32([1, 2, 3])])).toThrow(ShapeError);
    expect(() => bind(threefry2x32P, [a, a, a, u32([1, 2, 3])])).toThrow(/x2 \[3\]/);
    expect(() => bind(threefry2x32P, [a, a, a])).toThrow(/expected 4 operands/);
  });

  it("is not differentiable: jvp gives null tangents and vjp null cotangents", () => {
    const k = u32([3]);
    const [outs, tangents] = threefry2x32P.jvp!([k, k, k, k], [null, null, null, null], {});
    expect(outs.map((o) => o.toArray())).toEqual(threefry([3], [3], [3], [3]));
    expect(tangents).toEqual([null, null]);
    expect(threefry2x32P.vjp!([null, null], [k, k, k, k], outs, {}, [true, true, true, true])).toEqual([null, null, null, null]);
    expect(threefry2x32P.nonDifferentiable).toBe(true);
  });

  it("batch rule equals a loop over examples (batched key, unbatched counters)", () => {
    // Keys batched along axis 1 ([3 counters, 2 examples]); counters unbatched ([3]).
    const k1 = u32([1, 10, 2, 20, 3, 30], [3, 2]);
    const k2 = u32([7, 70, 8, 80, 9, 90], [3, 2]);
    const x1 = u32([0, 0, 0]);
    const x2 = u32([0, 1, 2]);
    const [outs, dims] = threefry2x32P.batch!([k1, k2, x1, x2], [1, 1, null, null], {});
    // The batch axis stays where the batched keys have it (axis 1).
    expect(dims).toEqual([1, 1]);
    const expected1: number[][] = [];
    const expected2: number[][] = [];
    for (const [a, b] of [
      [[1, 2, 3], [7, 8, 9]],
      [[10, 20, 30], [70, 80, 90]],
    ]) {
      const [y1, y2] = threefry(a!, b!, [0, 0, 0], [0, 1, 2]);
      expected1.push(y1);
      expected2.push(y2);
    }
    expect(np.moveaxis(outs[0]!, 1, 0).toArray()).toEqual(expected1);
    expect(np.moveaxis(outs[1]!, 1, 0).toArray()).toEqual(expected2);
  });
});
