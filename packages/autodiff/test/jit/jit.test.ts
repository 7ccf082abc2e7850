import { describe, expect, it } from "vitest";
import { ConcretizationError, np, nn, random, type Tensor, ValueError } from "@connex/core";
import { filterJit, grad, jit, makeJaxpr, valueAndGrad, vmap } from "../../src/index.js";

const f64 = (x: number[] | number[][]) => np.array(x, { dtype: "float64" });
const expectClose = (a: Tensor, b: Tensor, tol = 1e-12) => {
  expect(a.shape).toEqual(b.shape);
  const x = a.toTypedArray();
  const y = b.toTypedArray();
  x.forEach((v, i) => expect(Math.abs(v - y[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(y[i]!))));
};

describe("jit", () => {
  const mlp = (p: { w: Tensor; b: Tensor }, x: Tensor) => np.sum(np.square(nn.gelu(np.add(np.matmul(x, p.w), p.b))));
  const params = { w: f64([[0.1, -0.2], [0.3, 0.4]]), b: f64([0.01, -0.02]) };
  const xs = f64([[1, 2], [3, -1], [0.5, 0.5]]);

  it("equals the function it compiles and caches per signature", () => {
    const j = jit(mlp);
    expectClose(j(params, xs), mlp(params, xs));
    expectClose(j(params, np.multiply(xs, 2)), mlp(params, np.multiply(xs, 2)));
    expect(j.cacheSize).toBe(1);
    const more = f64([[1, 2]]);
    expectClose(j(params, more), mlp(params, more));
    expect(j.cacheSize).toBe(2); // a new shape retraces
    j(params, np.astype(more, "float32"));
    expect(j.cacheSize).toBe(3); // so does a new dtype
  });

  it("recycles big intermediates across calls without touching values that escape", () => {
    // Large fresh-output intermediates (concatenate, matmul, gather) feed views that escape
    // (a slice, a reshape, a transpose) and values that do not; every returned array must keep
    // its contents after later calls reuse the recycled memory.
    const f = (a: Tensor, b: Tensor) => {
      const joined = np.concatenate([a, b]); // [2n]: escapes through a slice view
      const prod = np.matmul(np.reshape(a, [40, 50]), np.reshape(b, [50, 40])); // intermediate only
      const padded = np.concatenate([np.zeros([3]), np.reshape(prod, [-1]), np.zeros([3])]); // escapes reshaped
      const picked = np.take(joined, np.array([5, 1, 3999, 2], { dtype: "int32" })); // small
      return [np.slice(joined, 10, 3000), np.reshape(padded, [2, -1]), np.transpose(prod), np.sum(np.tanh(prod)), picked];
    };
    const j = jit(f);
    const inputs = (s: number) => [np.multiply(np.sin(np.arange(2000, { dtype: "float32" })), s), np.cos(np.multiply(np.arange(2000, { dtype: "float32" }), s))] as const;
    const first = j(...inputs(1));
    const kept = first.map((t) => t.toArray());
    for (let s = 2; s < 6; s++) {
      const got = j(...inputs(s));
      const want = f(...inputs(s));
      got.forEach((t, k) => expectClose(t, want[k]!, 1e-5));
    }
    first.forEach((t, k) => expect(t.toArray()).toEqual(kept[k]));
  });

  it("composes with grad and vmap both ways", () => {
    const g = grad(mlp);
    const jg = jit(g);
    const a = jg(params, xs) as typeof params;
    const b = g(params, xs) as typeof params;
    expectClose(a.w, b.w);
    expectClose(a.b, b.b);
    const gj = grad(jit(mlp))(params, xs) as typeof params;
    expectClose(gj.w, b.w);
    const perExample = vmap(jit((x: Tensor) => np.sum(np.tanh(x))))(xs);
    expectClose(perExample, np.sum(np.tanh(xs), { axis: 1 }));
    const jv = jit(vmap((x: Tensor) => np.sum(np.tanh(x))))(xs);
    expectClose(jv, perExample);
  });

  it("compiles a whole training step with random keys", () => {
    const step = jit((p: Tensor, key: Tensor, x: Tensor) => {
      const noise = random.normal(key, x.shape, { dtype: "float64" });
      const [loss, g] = valueAndGrad((q: Tensor) => np.mean(np.square(np.subtract(np.multiply(q, x), noise))))(p);
      return [loss, np.subtract(p, np.multiply(g, 0.1))];
    });
    const k = random.key(3);
    const p = f64([1]);
    const [l1, p1] = step(p, k, xs) as Tensor[];
    const noise = random.normal(k, xs.shape, { dtype: "float64" });
    const eager = valueAndGrad((q: Tensor) => np.mean(np.square(np.subtract(np.multiply(q, xs), noise))))(p);
    expectClose(l1!, eager[0] as Tensor);
    expectClose(p1!, np.subtract(p, np.multiply(eager[1] as Tensor, 0.1)));
  });

  it("raises a concretization error naming the primitive when traced values drive control flow", () => {
    const f = jit((x: Tensor) => (np.sum(x).item() > 0 ? x : np.negative(x)));
    expect(() => f(f64([1, 2]))).toThrow(ConcretizationError);
    expect(() => f(f64([1, 2]))).toThrow(/primitive reduce_sum/);
  });

  it("treats staticArgnums as compile-time values and retraces when they change", () => {
    const f = jit((x: Tensor, n: number) => (n > 1 ? np.multiply(x, n) : x), { staticArgnums: 1 });
    expectClose(f(f64([1, 2]), 3), f64([3, 6]));
    expectClose(f(f64([1, 2]), 1), f64([1, 2]));
    expect(f.cacheSize).toBe(2);
  });

  it("rejects non-array leaves unless static; filterJit makes them static", () => {
    const apply = (cfg: { scale: number; act: (x: Tensor) => Tensor }, x: Tensor) => cfg.act(np.multiply(x, cfg.scale));
    expect(() => jit(apply)({ scale: 2, act: nn.relu }, f64([-1, 1]))).toThrow(ValueError);
    const fj = filterJit(apply);
    expectClose(fj({ scale: 2, act: nn.relu }, f64([-1, 1])), f64([0, 2]));
    expectClose(fj({ scale: 3, act: nn.relu }, f64([-1, 1])), f64([0, 3]));
    expect(fj.cacheSize).toBe(2);
  });

  it("finds the signature again after other signatures ran, and retraces on every kind of change", () => {
    const f = filterJit((p: { w: Tensor; k: number; tag: string }, x: Tensor) => np.multiply(np.add(x, p.w), p.k));
    const p = { w: f64([1, 2]), k: 2, tag: "a" };
    expectClose(f(p, f64([1, 1])), f64([4, 6]));
    expectClose(f({ ...p, w: f64([0, 0]) }, f64([1, 1])), f64([2, 2])); // same signature, new values
    expect(f.cacheSize).toBe(1);
    expectClose(f({ ...p, k: 3 }, f64([1, 1])), f64([6, 9])); // a static leaf changed
    expectClose(f({ ...p, tag: "b" }, f64([1, 1])), f64([4, 6])); // another static leaf changed
    expectClose(f({ w: f64([1, 2]), k: 2 } as never, f64([1, 1])), f64([4, 6])); // structure changed
    expectClose(f(p, np.astype(f64([1, 1]), "float32")), f64([4, 6]), 1e-6); // dtype changed
    expect(f.cacheSize).toBe(5);
    expectClose(f(p, f64([1, 1])), f64([4, 6])); // the first signature, from the cache
    expect(f.cacheSize).toBe(5);
  });

  it("notices a mutated static array between calls (it is keyed by content, not identity)", () => {
    const f = jit((x: Tensor, scales: number[]) => np.multiply(x, scales[0]!), { staticArgnums: 1 });
    const scales = [2];
    expectClose(f(f64([1, 2]), scales), f64([2, 4]));
    scales[0] = 5;
    expectClose(f(f64([1, 2]), scales), f64([5, 10]));
    expect(f.cacheSize).toBe(2);
  });

  it("prints jaxprs and removes dead code and common subexpressions", () => {
    const f = (x: Tensor) => {
      np.exp(x); // dead
      const a = np.sin(x);
      const b = np.sin(x); // same as a
      return np.sum(np.add(a, b));
    };
    const jaxpr = makeJaxpr(f)(np.ones([3]));
    const text = String(jaxpr);
    expect(jaxpr.eqns.map((e) => e.prim.name)).toEqual(["sin", "add", "reduce_sum"]);
    expect(text).toContain("a:f32[3]");
    expect(text).toMatch(/b:f32\[3\] = sin a/);
    expect(text).toMatch(/reduce_sum\[axes=\(0,\)\]/);
  });
});
