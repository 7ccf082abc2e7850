/**
 * The verification harness: every core primitive, through every transformation.
 *  - jvp against central finite differences (float64), on contiguous and non-contiguous inputs;
 *  - vjp against jvp (transpose consistency: <vjp(ct), t> == <ct, jvp(t)>);
 *  - vmap against a loop, with the batch axis in several places and unbatched operands;
 *  - vmap of grad against a loop of grads.
 * The table must list every registered primitive: adding a primitive without cases fails here.
 */
import { describe, expect, it } from "vitest";
import { allPrimitives, bind, ConcreteTensor, isFloat, np, type DType, type Tensor } from "@connex/core";
import { checkGrads, grad, jvp, vjp, vmap } from "@connex/autodiff";

// ---------- deterministic inputs ----------
function rng(seed: number) {
  let s = (seed * 2654435761 + 12345) >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}
const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
/** Values in [lo, hi), as float64 (or another dtype). */
function uniform(shape: number[], seed: number, lo = -1.5, hi = 1.5, dtype: DType = "float64"): Tensor {
  const r = rng(seed);
  const vals = Array.from({ length: sizeOf(shape) }, () => lo + (hi - lo) * r());
  return np.reshape(np.array(vals, { dtype }), shape);
}
/** Values away from the kinks of abs/max/floor (|x| in [0.2, 1.5], distinct). */
function smooth(shape: number[], seed: number): Tensor {
  const r = rng(seed);
  const vals = Array.from({ length: sizeOf(shape) }, (_, i) => (r() < 0.5 ? -1 : 1) * (0.2 + 1.3 * r()) + i * 1e-3);
  return np.reshape(np.array(vals, { dtype: "float64" }), shape);
}
function ints(shape: number[], seed: number, lo: number, hi: number, dtype: DType = "int32"): Tensor {
  const r = rng(seed);
  return np.reshape(np.array(Array.from({ length: sizeOf(shape) }, () => lo + Math.floor((hi - lo) * r())), { dtype }), shape);
}
function bools(shape: number[], seed: number): Tensor {
  return np.greater(uniform(shape, seed), 0);
}
/** The same values as a non-contiguous (transposed) view. */
function nonContiguous(x: Tensor): Tensor {
  if (x.ndim < 2) return x;
  const perm = x.shape.map((_, i) => x.ndim - 1 - i);
  const reversed = np.array(np.transpose(x, perm).toArray() as number[], { dtype: x.dtype });
  return np.transpose(reversed, perm);
}

/** Entries of a 3 x 4 sparse matrix for spmv/edge_dot: unsorted, with (0, 3) stored twice. */
const SPARSE_TABLE = np.edgeTable([0, 2, 1, 2, 0, 0], [3, 0, 1, 1, 0, 3]);

// ---------- the table ----------
interface Case {
  label: string;
  /** Operands for a given seed (seeds vary them for the vmap batch). */
  args: (seed: number) => Tensor[];
  params?: unknown;
  /** Operand indices differentiated (default: every float operand unless the primitive is non-differentiable). */
  diff?: number[];
  /** Batch-axis variants for vmap (one entry per operand; null = unbatched). */
  batchDims?: (number | null)[][];
  /** Tolerance of derivative checks (outputs rounded to float32 need a looser one). */
  tol?: number;
  /** The primitive deliberately differs from finite differences (stop_gradient): check zero derivatives instead. */
  zeroDerivative?: boolean;
}

const unary = (name: string, gen: (shape: number[], seed: number) => Tensor = smooth): Case[] => [
  { label: `${name} [2,3]`, args: (s) => [gen([2, 3], s)], batchDims: [[0], [2]] },
  { label: `${name} 0-d`, args: (s) => [gen([], s)], batchDims: [[0]] },
];
const binary = (name: string, gen: (shape: number[], seed: number) => Tensor = smooth, gen2 = gen): Case[] => [
  { label: `${name} [3,2]`, args: (s) => [gen([3, 2], s), gen2([3, 2], s + 7)], batchDims: [[0, 0], [1, null], [null, 2]] },
  { label: `${name} 0-d`, args: (s) => [gen([], s), gen2([], s + 7)], batchDims: [[0, 0], [null, 0]] },
];
const positive = (shape: number[], seed: number) => uniform(shape, seed, 0.3, 2);
const inUnit = (shape: number[], seed: number) => uniform(shape, seed, -0.9, 0.9);
const intGen = (shape: number[], seed: number) => ints(shape, seed, -50, 50);
const uintGen = (shape: number[], seed: number) => ints(shape, seed, 0, 4000000000, "uint32");
const shiftGen = (shape: number[], seed: number) => ints(shape, seed, 0, 40, "uint32");

const cases: Record<string, Case[]> = {
  neg: unary("neg"),
  sign: unary("sign"),
  abs: unary("abs"),
  floor: unary("floor"),
  ceil: unary("ceil"),
  round: unary("round"),
  exp: unary("exp"),
  log: unary("log", positive),
  log1p: unary("log1p", positive),
  expm1: unary("expm1"),
  sqrt: unary("sqrt", positive),
  rsqrt: unary("rsqrt", positive),
  sin: unary("sin"),
  cos: unary("cos"),
  tan: unary("tan", inUnit),
  tanh: unary("tanh"),
  logistic: unary("logistic"),
  erf: unary("erf"),
  gelu_tanh: unary("gelu_tanh"),
  gelu_tanh_derivative: unary("gelu_tanh_derivative"),
  gelu_tanh_with_derivative: unary("gelu_tanh_with_derivative"),
  erf_inv: unary("erf_inv", inUnit),
  is_finite: unary("is_finite"),
  not: [...unary("not", bools), ...unary("not int", intGen)],
  add: binary("add"),
  sub: binary("sub"),
  mul: binary("mul"),
  div: binary("div", smooth, positive),
  rem: binary("rem", smooth, positive),
  pow: binary("pow", positive, smooth),
  max: binary("max"),
  min: binary("min"),
  atan2: binary("atan2"),
  nextafter: binary("nextafter"),
  eq: binary("eq", intGen),
  ne: binary("ne", intGen),
  lt: binary("lt"),
  le: binary("le"),
  gt: binary("gt"),
  ge: binary("ge"),
  and: [...binary("and", bools), ...binary("and uint", uintGen)],
  or: [...binary("or", bools), ...binary("or uint", uintGen)],
  xor: [...binary("xor", bools), ...binary("xor uint", uintGen)],
  shift_left: binary("shift_left", uintGen, shiftGen),
  shift_right_logical: binary("shift_right_logical", uintGen, shiftGen),
  shift_right_arithmetic: binary("shift_right_arithmetic", intGen, (sh, s) => ints(sh, s, 0, 40)),
  select: [
    { label: "select", args: (s) => [bools([2, 3], s + 3), smooth([2, 3], s), smooth([2, 3], s + 1)], batchDims: [[0, 0, 0], [null, 1, 0], [1, null, null]] },
  ],
  convert_element_type: [
    { label: "f64->f32", args: (s) => [smooth([2, 3], s)], params: { newDtype: "float32", weakType: false }, batchDims: [[0], [1]], tol: 1e-5 },
    { label: "f32->f64", args: (s) => [np.astype(smooth([2, 3], s), "float32")], params: { newDtype: "float64", weakType: false }, batchDims: [[0]], tol: 1e-5 },
    { label: "f64->int32", args: (s) => [smooth([3], s)], params: { newDtype: "int32", weakType: false }, batchDims: [[0]] },
  ],
  bitcast_convert_type: [{ label: "uint32->float32", args: (s) => [ints([2, 2], s, 0, 1 << 30, "uint32")], params: { newDtype: "float32" }, batchDims: [[0], [1]] }],
  stop_gradient: unary("stop_gradient").map((c) => ({ ...c, zeroDerivative: true })),
  broadcast_in_dim: [
    { label: "[3,1] -> [2,3,4]", args: (s) => [smooth([3, 1], s)], params: { shape: [2, 3, 4], broadcastDimensions: [1, 2] }, batchDims: [[0], [1]] },
  ],
  reshape: [{ label: "[2,3] -> [3,2]", args: (s) => [smooth([2, 3], s)], params: { newShape: [3, 2] }, batchDims: [[0], [2]] }],
  transpose: [{ label: "[2,3,4] perm", args: (s) => [smooth([2, 3, 4], s)], params: { permutation: [2, 0, 1] }, batchDims: [[0], [3]] }],
  reduce_sum: [{ label: "axes [0,2]", args: (s) => [smooth([2, 3, 4], s)], params: { axes: [0, 2] }, batchDims: [[0], [2]] }],
  reduce_max: [{ label: "axes [1]", args: (s) => [smooth([2, 3, 4], s)], params: { axes: [1] }, batchDims: [[0], [3]] }],
  reduce_min: [{ label: "axes [0]", args: (s) => [smooth([2, 3], s)], params: { axes: [0] }, batchDims: [[1]] }],
  reduce_prod: [{ label: "axes [1,2]", args: (s) => [smooth([2, 3, 2], s)], params: { axes: [1, 2] }, batchDims: [[0], [2]] }],
  argmax: [{ label: "axis 1", args: (s) => [smooth([2, 3], s)], params: { axis: 1, indexDtype: "int32" }, batchDims: [[0], [2]] }],
  argmin: [{ label: "axis 0", args: (s) => [smooth([2, 3], s)], params: { axis: 0, indexDtype: "int32" }, batchDims: [[1]] }],
  cumsum: [
    { label: "axis 1", args: (s) => [smooth([2, 3], s)], params: { axis: 1, reverse: false }, batchDims: [[0], [2]] },
    { label: "reverse", args: (s) => [smooth([4], s)], params: { axis: 0, reverse: true }, batchDims: [[0]] },
  ],
  matmul: [
    { label: "2-d", args: (s) => [smooth([2, 3], s), smooth([3, 4], s + 1)], batchDims: [[0, 0], [null, 0], [0, null], [2, 1]] },
    { label: "batched", args: (s) => [smooth([2, 2, 3], s), smooth([2, 3, 2], s + 1)], batchDims: [[0, 0], [null, 3]] },
  ],
  slice: [{ label: "strided", args: (s) => [smooth([3, 5], s)], params: { start: [1, 0], limit: [3, 5], strides: [1, 2] }, batchDims: [[0], [2]] }],
  pad: [{ label: "lo/hi/interior", args: (s) => [smooth([2, 3], s), smooth([], s + 1)], params: { lo: [1, 0], hi: [0, 2], interior: [1, 1] }, batchDims: [[0, null], [1, 0]] }],
  concatenate: [{ label: "axis 1", args: (s) => [smooth([2, 1], s), smooth([2, 3], s + 1)], params: { axis: 1 }, batchDims: [[0, 0], [null, 1]] }],
  // The growing forms jit puts in place of a chain of concatenations: concatenations along axis 0.
  concatenate_open: [{ label: "room for more rows", args: (s) => [smooth([1, 3], s), smooth([2, 3], s + 1)], params: { capacity: 5 }, batchDims: [[0, 0], [null, 1]] }],
  concatenate_extend: [{ label: "a prefix and a block", args: (s) => [smooth([3, 2], s), smooth([2, 2], s + 1)], params: {}, batchDims: [[0, 0], [1, null]] }],
  gather: [{ label: "axis 1", args: (s) => [smooth([2, 4], s), ints([3], s, 0, 4)], params: { axis: 1 }, batchDims: [[0, null], [null, 0], [2, 0]] }],
  scatter_add: [
    { label: "axis 0 with duplicates", args: (s) => [smooth([4, 2], s), ints([3], s, 0, 4), smooth([3, 2], s + 1)], params: { axis: 0 }, batchDims: [[0, null, 0], [null, 0, 2], [0, 0, null]] },
  ],
  scatter: [
    { label: "axis 0 distinct", args: (s) => [smooth([4, 2], s), np.array([3, 0, 1 + (s % 2)], { dtype: "int32" }), smooth([3, 2], s + 1)], params: { axis: 0 }, batchDims: [[0, null, 0], [null, null, 2]] },
  ],
  sort: [
    { label: "two operands", args: (s) => [smooth([2, 5], s), smooth([2, 5], s + 1)], params: { dimension: 1, numKeys: 1 }, batchDims: [[0, 0], [2, null]] },
  ],
  spmv: [
    {
      label: "unsorted table with a repeated entry, numRows past the table",
      args: (s) => [smooth([3, 4], s), smooth([6], s + 1)],
      params: { edges: SPARSE_TABLE, numRows: 4 },
      batchDims: [[0, null], [2, null], [null, 0], [1, 0]],
    },
    { label: "1-d x", args: (s) => [smooth([4], s), smooth([6], s + 1)], params: { edges: SPARSE_TABLE, numRows: 3 }, batchDims: [[0, null], [0, 0], [null, 0]] },
    {
      label: "features-major x (feature axis 0)",
      args: (s) => [smooth([4, 3], s), smooth([6], s + 1)],
      params: { edges: SPARSE_TABLE, numRows: 4, axis: 0 },
      batchDims: [[0, null], [2, null], [null, 0], [1, 0]],
    },
    { label: "feature axis in the middle", args: (s) => [smooth([2, 4, 3], s), smooth([6], s + 1)], params: { edges: SPARSE_TABLE, numRows: 3, axis: 1 }, batchDims: [[0, null], [3, null], [null, 0]] },
  ],
  edge_dot: [
    {
      label: "[2,3] x [2,4]",
      args: (s) => [smooth([2, 3], s), smooth([2, 4], s + 1)],
      params: { edges: SPARSE_TABLE },
      batchDims: [[0, 0], [null, 1], [2, null]],
    },
    { label: "1-d operands", args: (s) => [smooth([3], s), smooth([4], s + 1)], params: { edges: SPARSE_TABLE }, batchDims: [[0, 0], [null, 0]] },
    { label: "features-major (feature axis 0)", args: (s) => [smooth([3, 2], s), smooth([4, 2], s + 1)], params: { edges: SPARSE_TABLE, axis: 0 }, batchDims: [[0, 0], [null, 1], [2, null]] },
    { label: "feature axis in the middle", args: (s) => [smooth([2, 3, 2], s), smooth([2, 4, 2], s + 1)], params: { edges: SPARSE_TABLE, axis: 1 }, batchDims: [[0, 0], [3, null]] },
  ],
  threefry2x32: [
    { label: "threefry", args: (s) => [uintGen([3], s), uintGen([3], s + 1), uintGen([3], s + 2), uintGen([3], s + 3)], batchDims: [[0, 0, 0, 0], [null, 0, null, 0]] },
  ],
};

// ---------- helpers ----------
const prims = allPrimitives();
const apply = (name: string, params: unknown) => (...xs: Tensor[]) => bind(prims.get(name)!, xs, params);

function maxAbsDiff(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  const x = np.astype(a, "float64").toTypedArray();
  const y = np.astype(b, "float64").toTypedArray();
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i]!) && Number.isNaN(y[i]!)) continue;
    if (x[i] === y[i]) continue;
    m = Math.max(m, Math.abs(x[i]! - y[i]!));
  }
  return m;
}

function diffIndices(name: string, c: Case, args: Tensor[]): number[] {
  if (prims.get(name)!.nonDifferentiable) return [];
  return c.diff ?? args.flatMap((a, i) => (isFloat(a.dtype) ? [i] : []));
}

/** f over the differentiated operands, the rest fixed; float outputs only. */
function restrict(name: string, c: Case, args: Tensor[], idx: number[]) {
  return (...d: Tensor[]) => {
    const full = args.slice();
    idx.forEach((k, j) => (full[k] = d[j]!));
    return apply(name, c.params ?? {})(...full).filter((o) => isFloat(o.dtype));
  };
}

function innerProduct(a: Tensor[], b: Tensor[]): number {
  let s = 0;
  a.forEach((x, i) => {
    const u = np.astype(x, "float64").toTypedArray();
    const v = np.astype(b[i]!, "float64").toTypedArray();
    for (let k = 0; k < u.length; k++) s += u[k]! * v[k]!;
  });
  return s;
}

// ---------- the tests ----------
describe("primitive harness", () => {
  it("lists every registered primitive", () => {
    const registered = [...prims.keys()].sort();
    const listed = Object.keys(cases).sort();
    expect(registered.filter((p) => !listed.includes(p))).toEqual([]);
    expect(listed.filter((p) => !registered.includes(p))).toEqual([]);
  });

  for (const [name, list] of Object.entries(cases)) {
    for (const c of list) {
      describe(`${name}: ${c.label}`, () => {
        const args = c.args(1);
        const idx = diffIndices(name, c, args);

        if (prims.get(name)!.outputBuffers === "fresh") {
          it("returns outputs in buffers of their own, as its outputBuffers: \"fresh\" mark promises (jit recycles them)", () => {
            const concrete = args.map((a) => a as ConcreteTensor);
            const outs = prims.get(name)!.impl(concrete, (c.params ?? {}) as never);
            for (const o of outs) for (const a of concrete) expect(o.data === a.data).toBe(false);
          });
        }

        if (c.zeroDerivative) {
          it("has zero derivatives in both modes", () => {
            const f = restrict(name, c, args, idx);
            const [, touts] = jvp(f, [args[0]!], [np.onesLike(args[0]!)]);
            expect(maxAbsDiff((touts as Tensor[])[0]!, np.zerosLike(args[0]!))).toBe(0);
            const g = grad((x: Tensor) => np.sum((f(x) as Tensor[])[0]!))(args[0]!) as Tensor;
            expect(maxAbsDiff(g, np.zerosLike(args[0]!))).toBe(0);
          });
        } else if (idx.length > 0) {
          it("jvp matches finite differences (contiguous and non-contiguous inputs)", () => {
            const f = restrict(name, c, args, idx);
            const tol = c.tol ?? 1e-6;
            const opts = { modes: ["fwd"] as const, eps: tol === 1e-6 ? 1e-6 : 1e-2, atol: tol * 10, rtol: tol * 10 };
            checkGrads(f, idx.map((k) => args[k]!), opts);
            const nc = args.map(nonContiguous);
            checkGrads(restrict(name, c, nc, idx), idx.map((k) => nc[k]!), opts);
          });

          it("vjp is the transpose of jvp", () => {
            const f = restrict(name, c, args, idx);
            const primals = idx.map((k) => args[k]!);
            const tangents = primals.map((p, j) => uniform(p.shape.slice(), 100 + j, -1.5, 1.5, p.dtype));
            const [outs, touts] = jvp(f, primals, tangents);
            const cts = (outs as Tensor[]).map((o, j) => uniform(o.shape.slice(), 200 + j));
            const [, pullback] = vjp(f, ...primals);
            const grads = pullback(cts) as Tensor[];
            const lhs = innerProduct(grads, tangents);
            const rhs = innerProduct(cts, touts as Tensor[]);
            expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual((c.tol ?? 1e-9) * (1 + Math.abs(rhs)));
          });

          it("vmap of grad matches a loop of grads", () => {
            const g = (...xs: Tensor[]) => {
              const loss = (...d: Tensor[]) => {
                const full = xs.slice();
                idx.forEach((k, j) => (full[k] = d[j]!));
                const outs = apply(name, c.params ?? {})(...full).filter((o) => isFloat(o.dtype));
                return outs.reduce((acc: Tensor, o, j) => np.add(acc, np.sum(np.multiply(o, np.sin(np.add(o, j))))), np.array(0, { dtype: "float64" }));
              };
              return grad(loss, { argnums: idx.map((_, j) => j) })(...idx.map((k) => xs[k]!)) as Tensor[];
            };
            const batch = [1, 2, 3].map((s) => c.args(s));
            const stacked = args.map((_, k) => np.stack(batch.map((b) => b[k]!)));
            const got = vmap(g)(...stacked) as Tensor[];
            const loops = batch.map((b) => g(...b));
            got.forEach((gj, j) => expect(maxAbsDiff(gj, np.stack(loops.map((l) => l[j]!)))).toBeLessThanOrEqual(1e-9));
          });
        }

        for (const dims of c.batchDims ?? [args.map(() => 0)]) {
          it(`vmap matches a loop (batch axes ${JSON.stringify(dims)})`, () => {
            const batch = [1, 2, 3].map((s) => c.args(s));
            // Unbatched operands are shared by every example: use seed 1's.
            const examples = batch.map((b) => b.map((x, k) => (dims[k] === null ? batch[0]![k]! : x)));
            const inputs = args.map((_, k) => {
              const d = dims[k];
              if (d === null || d === undefined) return batch[0]![k]!;
              return np.moveaxis(np.stack(examples.map((e) => e[k]!)), 0, d);
            });
            const got = vmap((...xs: Tensor[]) => apply(name, c.params ?? {})(...xs), dims as number[])(...inputs) as Tensor[];
            const expected = examples.map((e) => apply(name, c.params ?? {})(...e));
            got.forEach((o, j) => expect(maxAbsDiff(o, np.stack(expected.map((e) => e[j]!)))).toBeLessThanOrEqual(1e-12));
          });
        }
      });
    }
  }
});
