/**
 * Buffer donation (`jit`'s `donateArgnums`, `filterJit`'s `donate`): results equal the
 * undonated call's bit for bit, donated arguments are deleted (every entry point then throws
 * `DeletedArrayError`), nothing else is touched, outputs that alias a donated argument stay
 * valid, the donated memory is really reused, and bad options or arguments are typed errors.
 */
import { describe, expect, it } from "vitest";
import { ArgumentTypeError, ConcreteTensor, DeletedArrayError, np, random, type Tensor, UnknownOptionError, ValueError } from "@connex/core";
import { filterJit, grad, jit, makeJaxpr, vmap } from "../../src/index.js";

/** Large enough (400 KB) for the allocator's recycling, which small arrays bypass. */
const N = 100_000;
const big = (seed: number, n = N): Tensor => random.normal(random.key(seed), [n]);
/** The values' bytes as one string (compared exactly; a deep array comparison of 400 KB is slow). */
const bits = (t: Tensor): string => Buffer.from(t.toTypedArray().buffer).toString("base64");
/** Which memory a tensor's storage is: its buffer and where in it (large arrays may be blocks of one shared kernel memory). */
const bufferIds = new WeakMap<ArrayBufferLike, number>();
let nextBufferId = 0;
const storage = (t: Tensor): string => {
  const data = (t as ConcreteTensor).data;
  // The kernel memory's buffer object changes when it grows; the same address is the same memory.
  if (data.buffer instanceof SharedArrayBuffer) return `kernel memory:${data.byteOffset}`;
  if (!bufferIds.has(data.buffer)) bufferIds.set(data.buffer, nextBufferId++);
  return `${bufferIds.get(data.buffer)}:${data.byteOffset}`;
};

type Params = { w: Tensor; b: Tensor };
type Moments = { m: Params; v: Params };

/** An Adam-like step over two parameter arrays: new params, new moments, the loss. */
function adamLike(p: Params, s: Moments, x: Tensor): [Params, Moments, Tensor] {
  const loss = (q: Params) => np.sum(np.square(np.add(np.multiply(q.w, x), q.b)));
  const g = grad(loss)(p) as Params;
  const m = { w: np.add(np.multiply(0.9, s.m.w), np.multiply(0.1, g.w)), b: np.add(np.multiply(0.9, s.m.b), np.multiply(0.1, g.b)) };
  const v = { w: np.add(np.multiply(0.999, s.v.w), np.multiply(0.001, np.square(g.w))), b: np.add(np.multiply(0.999, s.v.b), np.multiply(0.001, np.square(g.b))) };
  const upd = (q: Tensor, mm: Tensor, vv: Tensor) => np.subtract(q, np.divide(np.multiply(1e-3, mm), np.add(np.sqrt(vv), 1e-8)));
  return [{ w: upd(p.w, m.w, v.w), b: upd(p.b, m.b, v.b) }, { m, v }, loss(p)];
}

function start(): { p: Params; s: Moments; x: Tensor } {
  const zeros = () => ({ w: np.zeros([N]), b: np.zeros([N]) });
  return { p: { w: big(1), b: big(2) }, s: { m: zeros(), v: zeros() }, x: big(3) };
}

const DELETED = /was donated to a jitted call/;

describe("jit donateArgnums", () => {
  it("gives the same results as the undonated step, bit for bit, over many calls", () => {
    const plain = jit(adamLike);
    const donating = jit(adamLike, { donateArgnums: [0, 1] });
    let a = start();
    let b = start();
    for (let i = 0; i < 6; i++) {
      const [pa, sa, la] = plain(a.p, a.s, a.x);
      const [pb, sb, lb] = donating(b.p, b.s, b.x);
      expect(bits(la)).toEqual(bits(lb));
      for (const [u, w] of [[pa.w, pb.w], [pa.b, pb.b], [sa.m.w, sb.m.w], [sa.v.b, sb.v.b]] as const) expect(bits(u)).toEqual(bits(w));
      a = { ...a, p: pa, s: sa };
      b = { ...b, p: pb, s: sb };
    }
  });

  it("deletes the donated arguments' leaves, and leaves the other arguments untouched", () => {
    const step = jit(adamLike, { donateArgnums: [0, 1] });
    const { p, s, x } = start();
    const xBits = bits(x);
    const [p2, s2] = step(p, s, x);
    for (const t of [p.w, p.b, s.m.w, s.m.b, s.v.w, s.v.b]) expect(t.isDeleted()).toBe(true);
    expect(x.isDeleted()).toBe(false);
    expect(bits(x)).toEqual(xBits);
    for (const t of [p2.w, p2.b, s2.m.w, s2.v.b]) expect(t.isDeleted()).toBe(false);
  });

  it("makes every entry point throw DeletedArrayError naming the operation", () => {
    const f = jit((w: Tensor) => np.multiply(w, 2), { donateArgnums: 0 });
    const w = big(4);
    const view = np.reshape(w, [1000, 100]); // made before the call: a view of the same storage
    const doubled = f(w);
    expect(doubled.isDeleted()).toBe(false);
    const entries: [string, () => unknown][] = [
      ["toArray", () => w.toArray()],
      ["item", () => w.item()],
      ["toTypedArray", () => w.toTypedArray()],
      ["concrete", () => w.concrete()],
      ["add", () => np.add(w, 1)],
      ["reduce_sum", () => np.sum(view)],
      ["jit", () => f(w)],
      ["jit", () => jit((a: Tensor) => np.sin(a))(view)],
      ["toArray", () => view.toArray()],
    ];
    for (const [where, use] of entries) {
      let error: unknown;
      try {
        use();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DeletedArrayError);
      expect(error).toBeInstanceOf(ValueError);
      expect((error as Error).message).toMatch(DELETED);
      expect((error as DeletedArrayError).where).toBe(where);
    }
    expect(String(w)).toMatch(/deleted/);
  });

  it("names the argument and leaf of a deleted array passed to a jitted function", () => {
    const f = jit((p: Params) => p.w, { donateArgnums: 0 });
    const p = { w: big(5), b: big(6) };
    f(p);
    expect(() => jit((a: Tensor, q: Params) => np.add(a, q.b))(big(7), p)).toThrow(/argument 1 \(leaf 0\)/);
  });

  it("deletes small arrays too (the semantics do not depend on size)", () => {
    const f = jit((a: Tensor) => np.add(a, 1), { donateArgnums: 0 });
    const a = np.array([1, 2, 3], { dtype: "float32" });
    expect(f(a).toArray()).toEqual([2, 3, 4]);
    expect(a.isDeleted()).toBe(true);
    expect(() => a.toArray()).toThrow(DeletedArrayError);
  });

  it("keeps outputs that alias a donated argument valid (identity, reshape, transpose)", () => {
    const cases: [string, (x: Tensor) => Tensor[]][] = [
      ["identity", (x) => [x]],
      ["reshape", (x) => [np.reshape(x, [1000, 100])]],
      ["transpose and a new value", (x) => [np.transpose(np.reshape(x, [100, 1000])), np.multiply(x, 3)]],
    ];
    for (const [, body] of cases) {
      const plain = jit(body);
      const donating = jit(body, { donateArgnums: 0 });
      let input = big(8);
      for (let call = 0; call < 3; call++) {
        const expected = plain(input).map(bits);
        const outs = donating(input);
        expect(input.isDeleted()).toBe(true);
        expect(outs.map(bits)).toEqual(expected);
        for (const o of outs) expect(o.isDeleted()).toBe(false);
        // Feed the first output back (reshaped to x's shape), donating it in turn.
        input = np.array(np.reshape(outs[0]!, [N]));
      }
    }
  });

  it("reuses the donated memory for the next results (through the internal storage)", () => {
    const f = jit((w: Tensor, g: Tensor) => np.subtract(w, np.multiply(0.5, g)), { donateArgnums: 0 });
    const g = big(9);
    let w = big(10);
    const donated = new Set<string>();
    let reused = 0;
    for (let i = 0; i < 8; i++) {
      donated.add(storage(w));
      w = f(w, g);
      if (i >= 2 && donated.has(storage(w))) reused++;
    }
    // After the warm-up call, every result lives in memory an earlier call was given.
    expect(reused).toBe(6);
    // Without donation the results never reuse their arguments' memory while those live.
    const plain = jit((w: Tensor, gg: Tensor) => np.subtract(w, np.multiply(0.5, gg)));
    const kept = [big(11)];
    for (let i = 0; i < 4; i++) kept.push(plain(kept[kept.length - 1]!, g));
    expect(new Set(kept.map(storage)).size).toBe(kept.length);
  });

  it("never recycles memory that a non-donated argument or a kept array views", () => {
    const f = jit((a: Tensor, b: Tensor) => [np.add(a, 1), np.multiply(b, 2)], { donateArgnums: 0 });
    const whole = big(12, 2 * N);
    const expected = bits(np.multiply(np.slice(whole, N, 2 * N), 2));
    // A donated slice of a larger array: only the slice is deleted; the owner keeps its memory.
    const part = np.slice(whole, 0, N);
    const other = np.slice(whole, N, 2 * N);
    const wholeBits = bits(whole);
    const [, doubled] = f(part, other);
    expect(part.isDeleted()).toBe(true);
    expect(whole.isDeleted()).toBe(false);
    expect(other.isDeleted()).toBe(false);
    expect(bits(doubled!)).toEqual(expected);
    for (let i = 0; i < 4; i++) f(big(20 + i), big(30 + i)); // allocations that would take recycled memory
    expect(bits(whole)).toEqual(wholeBits);
  });

  it("rejects a buffer donated twice, or donated and also passed undonated, before running", () => {
    const two = jit((a: Tensor, b: Tensor) => np.add(a, b), { donateArgnums: [0, 1] });
    const one = jit((a: Tensor, b: Tensor) => np.add(a, b), { donateArgnums: 0 });
    const x = big(13);
    expect(() => two(x, x)).toThrow(/same buffer is donated twice, as argument 0 and argument 1/);
    expect(() => one(x, x)).toThrow(/argument 1 shares its buffer with the donated argument 0/);
    expect(() => one(x, np.reshape(x, [N]))).toThrow(ValueError);
    const tied = jit((p: Params) => np.add(p.w, p.b), { donateArgnums: 0 });
    expect(() => tied({ w: x, b: x })).toThrow(/argument 0 \(leaf 0\) and argument 0 \(leaf 1\)/);
    // Nothing was deleted or changed by the rejected calls.
    expect(x.isDeleted()).toBe(false);
    expect(bits(x)).toEqual(bits(big(13)));
  });

  it("donates nothing where jit inlines (under grad and vmap)", () => {
    const f = jit((w: Tensor) => np.sum(np.square(w)), { donateArgnums: 0 });
    const w = big(14, 1000);
    grad(f)(w);
    vmap(f)(np.reshape(w, [10, 100]));
    expect(w.isDeleted()).toBe(false);
    expect(np.sum(w).item()).toBeTypeOf("number");
  });

  it("makes a jitted function whose captured constant was donated elsewhere throw DeletedArrayError", () => {
    const w = big(15);
    const uses = jit((x: Tensor) => np.multiply(x, w));
    uses(big(16));
    jit((a: Tensor) => np.add(a, 1), { donateArgnums: 0 })(w);
    expect(() => uses(big(16))).toThrow(/captured by the jitted function as a constant/);
  });

  it("leaves JS numbers in a donated argument alone", () => {
    const f = jit((a: Tensor, s: number) => np.multiply(a, s), { donateArgnums: [0, 1] });
    expect(f(np.array([1, 2], { dtype: "float32" }), 3).toArray()).toEqual([3, 6]);
  });
});

describe("Tensor.delete under the transformations", () => {
  it("a deleted argument or captured constant makes a jitted call throw DeletedArrayError saying delete() did it; a traced value cannot be deleted", () => {
    const p = { w: big(21), b: big(22) };
    p.b.delete();
    expect(() => jit((a: Tensor, q: Params) => np.add(a, q.b))(big(23), p)).toThrow(/argument 1 \(leaf 0\), float32 \[100000\]\) was deleted by delete\(\)/);
    const w = big(24);
    const uses = jit((x: Tensor) => np.multiply(x, w));
    uses(big(25));
    w.delete();
    expect(() => uses(big(25))).toThrow(/captured by the jitted function as a constant\) was deleted by delete\(\)/);
    for (const transform of [(f: (x: Tensor) => Tensor) => jit(f), (f: (x: Tensor) => Tensor) => grad((x: Tensor) => np.sum(f(x))), (f: (x: Tensor) => Tensor) => vmap(f)]) {
      const deleting = transform((x: Tensor) => {
        x.delete();
        return x;
      });
      expect(() => deleting(np.array([1, 2, 3], { dtype: "float32" }))).toThrow(ValueError);
      expect(() => deleting(np.array([1, 2, 3], { dtype: "float32" }))).toThrow(/delete: a traced value .* has no buffer of its own/);
    }
  });
});

describe("filterJit donate", () => {
  const body = (first: { w: Tensor; tag: string }, second: { w: Tensor }) => ({ a: np.add(first.w, 1), b: np.add(second.w, 1) });

  it('"all" deletes every array leaf of every argument, "all-except-first" all but the first\'s', () => {
    const all = filterJit(body, { donate: "all" });
    const a1 = { w: big(17), tag: "x" };
    const b1 = { w: big(18) };
    const r = all(a1, b1);
    expect([a1.w.isDeleted(), b1.w.isDeleted()]).toEqual([true, true]);
    const exceptFirst = filterJit(body, { donate: "all-except-first" });
    const a2 = { w: np.array(r.a), tag: "x" };
    const b2 = { w: np.array(r.b) };
    const r2 = exceptFirst(a2, b2);
    expect([a2.w.isDeleted(), b2.w.isDeleted()]).toEqual([false, true]);
    const none = filterJit(body, { donate: "none" });
    const r3 = none(a2, { w: r2.b });
    expect(r2.b.isDeleted()).toBe(false);
    expect(bits(r3.a)).toEqual(bits(r2.a));
  });
});

describe("donation options", () => {
  const id = (x: Tensor) => x;
  it("rejects bad donateArgnums and staticArgnums with typed errors naming the option", () => {
    expect(() => jit(id, { donateArgnums: 1.5 })).toThrow(ArgumentTypeError);
    expect(() => jit(id, { donateArgnums: 1.5 })).toThrow(/donateArgnums/);
    expect(() => jit(id, { donateArgnums: "0" as never })).toThrow(ArgumentTypeError);
    expect(() => jit(id, { donateArgnums: [0, "1"] as never })).toThrow(/donateArgnums entries must be integers, got string "1"/);
    expect(() => jit(id, { donateArgnums: -1 })).toThrow(/donateArgnums entries must be non-negative/);
    expect(() => jit(id, { donateArgnums: [0, 0] })).toThrow(/donateArgnums lists argument 0 twice/);
    expect(() => jit(id, { staticArgnums: [1, 1] })).toThrow(/staticArgnums lists argument 1 twice/);
    expect(() => jit(id, { staticArgnums: 0.5 })).toThrow(ArgumentTypeError);
    expect(() => jit(id, { staticArgnums: 1, donateArgnums: [0, 1] })).toThrow(/argument 1 is in both staticArgnums and donateArgnums/);
    expect(() => jit(id, { donateArgnum: 0 } as never)).toThrow(UnknownOptionError);
    expect(() => jit(id, 3 as never)).toThrow(ArgumentTypeError);
    expect(() => makeJaxpr(id, { donateArgnums: 0 } as never)).toThrow(UnknownOptionError);
  });

  it("rejects a donateArgnums index out of range for the call, before touching anything", () => {
    const f = jit((a: Tensor) => np.add(a, 1), { donateArgnums: [0, 2] });
    const x = big(19);
    expect(() => f(x)).toThrow(/donateArgnums 2 is out of range for a call with 1 argument\(s\)/);
    expect(x.isDeleted()).toBe(false);
  });

  it("rejects a bad filterJit donate mode", () => {
    expect(() => filterJit(id, { donate: "some" as never })).toThrow(/donate must be one of "none", "all", "all-except-first", got "some"/);
    expect(() => filterJit(id, { donate: true as never })).toThrow(ArgumentTypeError);
    expect(() => filterJit(id, { donateArgnums: 0 } as never)).toThrow(UnknownOptionError);
  });
});
