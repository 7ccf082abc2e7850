import { describe, expect, it } from "vitest";
import { nn, np, type Tensor } from "@connex/core";
import { jit, makeJaxpr, valueAndGrad } from "../../src/index.js";
import { compile } from "@connex/core/internal";

describe("elementwise fusion", () => {
  const f = (x: Tensor, row: Tensor) => {
    const h = nn.gelu(np.add(np.multiply(x, 2), row)); // broadcast of row is a view eqn between elementwise ones
    return [np.sum(h), np.maximum(h, 0)];
  };
  const x = np.transpose(np.reshape(np.linspace(-2, 2, 12, { dtype: "float64" }), [4, 3])); // non-contiguous [3, 4]
  const row = np.array([0.5, -0.25, 1, 0], { dtype: "float64" });

  it("fuses chains into fewer steps than equations", () => {
    const jaxpr = makeJaxpr(f)(x, row);
    const steps = compile(jaxpr).steps;
    const fused = steps.filter((s) => s.kind === "fused");
    expect(fused.length).toBeGreaterThan(0);
    expect(steps.length).toBeLessThan(jaxpr.eqns.length);
  });

  it("computes what the unfused function computes, on strided and broadcast inputs", () => {
    const [s1, m1] = jit(f)(x, row) as Tensor[];
    const [s2, m2] = f(x, row) as Tensor[];
    expect(Math.abs(s1!.item() - s2!.item())).toBeLessThan(1e-12);
    expect(m1!.toArray()).toEqual(m2!.toArray());
  });

  it("reuses intermediate buffers across calls without touching earlier results", () => {
    const j = jit((a: Tensor) => np.sum(np.exp(np.multiply(np.sin(a), 2)), { axis: 0 }));
    const first = j(x) as Tensor;
    const snapshot = Array.from(first.toTypedArray());
    const second = j(np.multiply(x, 3)) as Tensor;
    expect(Array.from(first.toTypedArray())).toEqual(snapshot);
    expect(second.toArray()).not.toEqual(first.toArray());
  });

  it("keeps float32 rounding per operation (same bits as eager)", () => {
    const x32 = np.astype(x, "float32");
    const row32 = np.astype(row, "float32");
    const [, a] = jit(f)(x32, row32) as Tensor[];
    const [, b] = f(x32, row32) as Tensor[];
    expect(Array.from(a!.toTypedArray())).toEqual(Array.from(b!.toTypedArray()));
  });

  it("leaves GELU on large float32 arrays unfused (its WebAssembly kernel), with the same bits as eager, value and gradient", () => {
    const big = np.astype(np.reshape(np.linspace(-7, 7, 300), [3, 100]), "float32");
    const g = (a: Tensor) => nn.gelu(np.add(a, 0.5));
    const names = (a: Tensor) => compile(makeJaxpr(g)(a)).steps.map((st) => (st.kind === "eqn" ? st.eqn.prim.name : "fused"));
    expect(names(big)).toContain("gelu_tanh");
    expect(names(np.astype(big, "float64"))).not.toContain("gelu_tanh"); // float64: fused with the add
    expect(names(np.astype(np.slice(big, [0, 0], [1, 10]), "float32"))).not.toContain("gelu_tanh"); // short: fused
    expect(Array.from((jit(g)(big) as Tensor).toTypedArray())).toEqual(Array.from(g(big).toTypedArray()));
    const loss = (a: Tensor) => np.sum(np.multiply(g(a), a));
    const vg = valueAndGrad(loss);
    const [v1, g1] = jit(vg)(big) as [Tensor, Tensor];
    const [v2, g2] = vg(big) as [Tensor, Tensor];
    expect(v1.item()).toBe(v2.item());
    expect(Array.from(g1.toTypedArray())).toEqual(Array.from(g2.toTypedArray()));
  });

  it("under grad, computes a large float32 GELU and its derivative in one step, with eager's bits", () => {
    // A layer: h = gelu(x · w); the loss's gradient needs gelu'(x · w) at the same operand.
    const x = np.astype(np.reshape(np.linspace(-3, 3, 64 * 16), [64, 16]), "float32");
    const w = np.astype(np.reshape(np.cos(np.linspace(0, 9, 16 * 32)), [16, 32]), "float32");
    const loss = (weights: Tensor) => np.sum(np.square(nn.gelu(np.matmul(x, weights))));
    const vg = valueAndGrad(loss);
    const names = compile(makeJaxpr(vg)(w)).steps.map((st) => (st.kind === "eqn" ? st.eqn.prim.name : "fused"));
    expect(names).toContain("gelu_tanh_with_derivative");
    expect(names).not.toContain("gelu_tanh");
    expect(names).not.toContain("gelu_tanh_derivative");
    const [v1, g1] = jit(vg)(w) as [Tensor, Tensor];
    const [v2, g2] = vg(w) as [Tensor, Tensor];
    expect(v1.item()).toBe(v2.item());
    expect(Array.from(g1.toTypedArray())).toEqual(Array.from(g2.toTypedArray()));
  });
});
