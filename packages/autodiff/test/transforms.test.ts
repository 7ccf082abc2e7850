import { describe, expect, it } from "vitest";
import { np, nn, Tensor, LeakedTracerError, ShapeError, DTypeError, ValueError, ConcretizationError } from "@connex/core";
import { grad, valueAndGrad, vjp, jvp, vmap, jacfwd, jacrev, hessian, makeJaxpr } from "../src/index.js";

const f64 = (x: number | number[] | number[][]) => np.array(x, { dtype: "float64" });
const close = (a: Tensor | number, b: Tensor | number | number[] | number[][], tol = 1e-9) => {
  const av = a instanceof Tensor ? a.toArray() : a;
  const bv = b instanceof Tensor ? b.toArray() : b;
  const fa = [av].flat(Infinity as 1) as number[];
  const fb = [bv].flat(Infinity as 1) as number[];
  expect(fa.length).toBe(fb.length);
  fa.forEach((x, i) => expect(Math.abs(x - fb[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(fb[i]!))));
};

describe("grad", () => {
  it("differentiates a scalar function", () => {
    const g = grad((x: Tensor) => np.sum(np.sin(x)));
    const x = f64([0.1, 0.5, 2]);
    close(g(x), [Math.cos(0.1), Math.cos(0.5), Math.cos(2)]);
  });

  it("takes argnums as an index or a list, and hasAux", () => {
    const f = (a: Tensor, b: Tensor) => np.sum(np.multiply(a, np.square(b)));
    const a = f64([1, 2]);
    const b = f64([3, 4]);
    close(grad(f, { argnums: 1 })(a, b), [6, 16]);
    const [ga, gb] = grad(f, { argnums: [0, 1] })(a, b);
    close(ga, [9, 16]);
    close(gb, [6, 16]);
    const [[v, aux], g] = valueAndGrad((x: Tensor) => [np.sum(np.square(x)), { twice: np.multiply(x, 2) }], { hasAux: true })(a);
    close(v, 5);
    close(aux.twice, [2, 4]);
    close(g, [2, 4]);
  });

  it("composes: grad of grad, and jvp of grad (Hessian-vector product)", () => {
    const f = (x: Tensor) => np.sum(np.power(x, 3));
    const x = f64([1, 2, 3]);
    close(grad((y: Tensor) => np.sum(grad(f)(y)))(x), [6, 12, 18]);
    const [, hvp] = jvp(grad(f), [x], [f64([1, 0, 1])]);
    close(hvp, [6, 0, 18]);
    const scalar = (y: Tensor) => np.sin(y);
    close(grad(grad(grad(scalar)))(f64(0.3)), -Math.cos(0.3));
  });

  it("differentiates through pytrees of parameters", () => {
    const params = { w: f64([[1, 2], [3, 4]]), b: f64([0.5, -0.5]) };
    const x = f64([1, -1]);
    const loss = (p: typeof params) => np.sum(np.square(np.add(np.matmul(p.w, x), p.b)));
    const g = grad(loss)(params);
    // y = W x + b = [-1 + 0.5, -1 - 0.5] = [-0.5, -1.5]; dL/dy = 2y
    close(g.b, [-1, -3]);
    close(g.w, [[-1, 1], [-3, 3]]);
  });

  it("supports JS control flow on concrete values", () => {
    const f = (x: Tensor) => (np.sum(x).item() > 0 ? np.sum(np.square(x)) : np.sum(np.negative(x)));
    close(grad(f)(f64([1, 2])), [2, 4]);
    close(grad(f)(f64([-1, -2])), [-1, -1]);
  });

  it("treats closed-over tensors as constants and stopGradient as a barrier", () => {
    const c = f64([2, 3]);
    close(grad((x: Tensor) => np.sum(np.multiply(x, c)))(f64([1, 1])), [2, 3]);
    close(grad((x: Tensor) => np.sum(np.multiply(x, np.stopGradient(x))))(f64([1, 4])), [1, 4]);
  });

  it("rejects non-scalar outputs, integer inputs and bad argnums", () => {
    expect(() => grad((x: Tensor) => np.sin(x))(f64([1, 2]))).toThrow(ShapeError);
    expect(() => grad((x: Tensor) => np.sin(x))(f64([1, 2]))).toThrow(/shape \[2\]/);
    expect(() => grad((x: Tensor) => np.sum(x))(np.array([1, 2], { dtype: "int32" }))).toThrow(DTypeError);
    expect(() => grad((x: Tensor) => np.sum(x), { argnums: 3 })(f64([1]))).toThrow(ValueError);
  });

  it("detects leaked tracers", () => {
    let leaked: Tensor | null = null;
    grad((x: Tensor) => {
      leaked = x;
      return np.sum(x);
    })(f64([1]));
    expect(() => np.add(leaked!, 1)).toThrow(LeakedTracerError);
  });
});

describe("vjp and jvp", () => {
  it("vjp pulls back cotangents of pytree outputs", () => {
    const [y, pullback] = vjp((x: Tensor) => ({ a: np.multiply(x, x), b: np.sum(x) }), f64([1, 2]));
    close(y.a, [1, 4]);
    const [g] = pullback({ a: f64([1, 1]), b: f64(2) }) as Tensor[];
    close(g!, [4, 6]);
  });

  it("jvp pushes tangents forward", () => {
    const [y, t] = jvp((x: Tensor) => np.exp(x), [f64([0, 1])], [f64([1, 2])]);
    close(y, [1, Math.E]);
    close(t, [1, 2 * Math.E]);
  });
});

describe("vmap", () => {
  it("maps over a leading axis and matches a loop", () => {
    const xs = f64([[1, 2], [3, 4], [5, 6]]);
    const ys = vmap((x: Tensor) => np.sum(np.square(x)))(xs);
    close(ys, [5, 25, 61]);
  });

  it("handles inAxes null, negative axes and outAxes", () => {
    const w = f64([[1, 0], [0, 2]]);
    const xs = f64([[1, 2, 3], [4, 5, 6]]); // mapped along axis -1: three vectors of size 2
    const ys = vmap((m: Tensor, x: Tensor) => np.matmul(m, x), [null, -1], 1)(w, xs);
    close(ys, [[1, 2, 3], [8, 10, 12]]);
  });

  it("per-example gradients: vmap(grad(f)) equals a loop of grads", () => {
    const w = f64([0.5, -1]);
    const xs = f64([[1, 2], [3, 4], [-1, 0.5]]);
    const loss = (p: Tensor, x: Tensor) => np.square(np.sum(np.multiply(p, x)));
    const batched = vmap(grad(loss), [null, 0])(w, xs);
    const rows = [...xs].map((x) => grad(loss)(w, x) as Tensor);
    close(batched, rows.map((r) => r.toArray() as number[]));
  });

  it("grad through vmap and vmap of vmap", () => {
    const xs = f64([[1, 2], [3, 4]]);
    const g = grad((p: Tensor) => np.sum(vmap((x: Tensor) => np.sum(np.multiply(p, x)))(xs)))(f64([1, 1]));
    close(g, [4, 6]);
    const outer = vmap(vmap((x: Tensor) => np.multiply(x, 2)))(xs);
    close(outer, [[2, 4], [6, 8]]);
  });

  it("reports inconsistent batch sizes naming the arguments", () => {
    expect(() => vmap((a: Tensor, b: Tensor) => np.add(a, b))(f64([1, 2]), f64([1, 2, 3]))).toThrow(/argument 0 has size 2.*argument 1 has size 3/);
  });

  it("refuses to concretize a batched value", () => {
    expect(() => vmap((x: Tensor) => (x.item() > 0 ? x : np.negative(x)))(f64([1, -1]))).toThrow(ConcretizationError);
  });
});

describe("jacobians", () => {
  it("jacfwd, jacrev and hessian agree with closed forms", () => {
    const x = f64([0.3, -0.7]);
    const f = (v: Tensor) => np.sin(v);
    const expected = [[Math.cos(0.3), 0], [0, Math.cos(-0.7)]];
    close(jacrev(f)(x), expected);
    close(jacfwd(f)(x), expected);
    const h = hessian((v: Tensor) => np.sum(np.power(v, 3)))(f64([1, 2]));
    close(h, [[6, 0], [0, 12]]);
  });

  it("nn functions are differentiable", () => {
    const g = grad((v: Tensor) => np.sum(nn.relu(v)))(f64([-1, 2]));
    close(g, [0, 1]);
  });
});

describe("vmap keeps a features-major layout through sparse products", () => {
  it("puts the batch axis last for spmv and keeps it there through elementwise ops, concatenate and slice", () => {
    const first = np.edgeTable([0, 1, 1, 2], [0, 1, 0, 1]); // 2 inputs -> 3 rows
    const second = np.edgeTable([0, 1, 1, 2], [0, 1, 2, 2]); // 3 inputs -> 3 rows
    const v = np.array([0.5, -1, 2, 0.25], { dtype: "float64" });
    const perSample = (x: Tensor) => {
      const h = np.tanh(np.add(np.spmv(x, v, first, 3), 1)); // [3]
      const joined = np.concatenate([x, h]); // [5]: the larger chunk h sets the batch axis
      return np.spmv(np.slice(joined, 1, 4), v, second, 3);
    };
    const xs = np.reshape(np.linspace(-1, 1, 7 * 2, { dtype: "float64" }), [7, 2]);
    const jaxpr = makeJaxpr(vmap(perSample))(xs);
    const spmvs = jaxpr.eqns.filter((e) => e.prim.name === "spmv");
    expect(spmvs.map((e) => (e.params as { axis: number }).axis)).toEqual([0, 0]);
    // The second product reads the slice of the features-major concatenation directly: no
    // transpose between them: only the batch-first input and the output are transposed.
    const producer = jaxpr.eqns.find((e) => e.outputs.some((o) => spmvs[1]!.inputs[0]!.kind === "var" && o === spmvs[1]!.inputs[0]!.v))!;
    expect(producer.prim.name).toBe("slice");
    expect(jaxpr.eqns.filter((e) => e.prim.name === "transpose").length).toBeLessThanOrEqual(3);
    const loop = np.stack(Array.from({ length: 7 }, (_, i) => perSample(np.take(xs, i, 0))));
    const got = vmap(perSample)(xs);
    expect(got.shape).toEqual([7, 3]);
    const a = got.toTypedArray();
    const b = loop.toTypedArray();
    a.forEach((x, i) => expect(Math.abs(x - b[i]!)).toBeLessThanOrEqual(1e-15));
  });
});
