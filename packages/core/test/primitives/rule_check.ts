/**
 * Test helpers that check a primitive's rules by calling them directly (no autodiff package):
 * jvp against central finite differences, vjp against jvp (<vjp(ct), t> = <ct, jvp(t)>), and
 * the batch rule against a loop over examples. Used by the primitives' tests.
 */
import { expect } from "vitest";
import { isFloat } from "../../src/dtype.js";
import type { BatchDim, Primitive } from "../../src/primitive.js";
import { ConcreteTensor, type Tensor } from "../../src/tensor.js";
import { bind } from "../../src/trace.js";

/** A deterministic float64 tensor of `shape` with values in [-1, 1) (LCG; `seed` picks the stream). */
export function randomTensor(shape: readonly number[], seed: number, dtype: "float64" | "float32" = "float64"): ConcreteTensor {
  let n = 1;
  for (const d of shape) n *= d;
  const data = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  let s = (seed * 2654435761) >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = (s / 2 ** 32) * 2 - 1;
  }
  return ConcreteTensor.fromData(data, shape, dtype);
}

const flat = (t: Tensor): number[] => Array.from(t.toTypedArray());

function axpy(x: ConcreteTensor, t: ConcreteTensor, a: number): ConcreteTensor {
  const xs = x.toTypedArray();
  const ts = t.toTypedArray();
  const out = new Float64Array(xs.length);
  for (let i = 0; i < out.length; i++) out[i] = xs[i]! + a * ts[i]!;
  return ConcreteTensor.fromData(out, x.shape, "float64");
}

function dotAll(a: Tensor, b: Tensor): number {
  const x = flat(a);
  const y = flat(b);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * y[i]!;
  return s;
}

/** Which inputs are differentiable: float64 ones (tests use float64 for the numerical checks). */
const differentiable = (xs: readonly ConcreteTensor[]) => xs.map((x) => isFloat(x.dtype));

/** jvp outputs equal the primitive's outputs, and tangents match central differences. */
export function checkJvp(prim: Primitive, inputs: ConcreteTensor[], params: unknown, tol = 1e-6): void {
  const diff = differentiable(inputs);
  const tangents = inputs.map((x, i) => (diff[i] ? randomTensor(x.shape, 100 + i) : null));
  const [outs, touts] = prim.jvp!(inputs, tangents, params);
  const direct = bind(prim, inputs, params);
  outs.forEach((o, k) => expect(flat(o)).toEqual(flat(direct[k]!)));
  const eps = 1e-6;
  const plus = bind(prim, inputs.map((x, i) => (diff[i] ? axpy(x, tangents[i]!, eps) : x)), params);
  const minus = bind(prim, inputs.map((x, i) => (diff[i] ? axpy(x, tangents[i]!, -eps) : x)), params);
  touts.forEach((t, k) => {
    if (!isFloat(direct[k]!.dtype)) {
      expect(t).toBeNull();
      return;
    }
    const p = flat(plus[k]!);
    const m = flat(minus[k]!);
    const got = t ? flat(t) : p.map(() => 0);
    expect(t?.shape ?? direct[k]!.shape).toEqual(direct[k]!.shape);
    got.forEach((g, j) => expect(Math.abs(g - (p[j]! - m[j]!) / (2 * eps))).toBeLessThan(tol * Math.max(1, Math.abs(g))));
  });
}

/** <vjp(ct), t> equals <ct, jvp(t)> for random ct and t. */
export function checkVjp(prim: Primitive, inputs: ConcreteTensor[], params: unknown, tol = 1e-9): void {
  const diff = differentiable(inputs);
  const tangents = inputs.map((x, i) => (diff[i] ? randomTensor(x.shape, 200 + i) : null));
  const [outs, touts] = prim.jvp!(inputs, tangents, params);
  const cts = outs.map((o, k) => (isFloat(o.dtype) ? randomTensor(o.shape, 300 + k) : null));
  const grads = prim.vjp!(cts, inputs, outs, params, diff);
  let lhs = 0;
  grads.forEach((g, i) => {
    if (g && tangents[i]) {
      expect(g.shape).toEqual(inputs[i]!.shape);
      lhs += dotAll(g, tangents[i]!);
    }
  });
  let rhs = 0;
  touts.forEach((t, k) => {
    if (t && cts[k]) rhs += dotAll(cts[k]!, t);
  });
  expect(Math.abs(lhs - rhs)).toBeLessThan(tol * Math.max(1, Math.abs(rhs)));
}

/** Insert a batch axis of examples at `dim` (stacking them), or pass the first one when `dim` is null. */
function stackAt(examples: ConcreteTensor[], dim: BatchDim): ConcreteTensor {
  if (dim === null) return examples[0]!;
  const shape = examples[0]!.shape;
  const size = examples.length;
  const outShape = [...shape.slice(0, dim), size, ...shape.slice(dim)];
  const outer = shape.slice(0, dim).reduce((a, b) => a * b, 1);
  const inner = shape.slice(dim).reduce((a, b) => a * b, 1);
  const data = new (examples[0]!.data.constructor as Float64ArrayConstructor)(outer * size * inner);
  examples.forEach((e, b) => {
    const src = e.toTypedArray();
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) data[(o * size + b) * inner + i] = src[o * inner + i]!;
  });
  return ConcreteTensor.fromData(data, outShape, examples[0]!.dtype);
}

/** Example `b` of a batched output with batch axis `dim`. */
function exampleOf(x: Tensor, dim: number, b: number): number[] {
  const shape = x.shape;
  const data = flat(x);
  const outer = shape.slice(0, dim).reduce((a, c) => a * c, 1);
  const inner = shape.slice(dim + 1).reduce((a, c) => a * c, 1);
  const out: number[] = [];
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) out.push(data[(o * shape[dim]! + b) * inner + i]!);
  return out;
}

/**
 * The batch rule with operands batched along `dims` (null: shared by all examples) gives, for
 * each example, what the primitive gives on that example alone. `makeExample(b)` builds the
 * per-example operands.
 */
export function checkBatch(prim: Primitive, makeExample: (b: number) => ConcreteTensor[], dims: BatchDim[], params: unknown, size = 3): void {
  const examples = Array.from({ length: size }, (_, b) => makeExample(b));
  const args = dims.map((d, i) => stackAt(examples.map((e) => (d === null ? examples[0]![i]! : e[i]!)), d));
  const [outs, outDims] = prim.batch!(args, dims, params);
  for (let b = 0; b < size; b++) {
    const perExample = examples[b]!.map((e, i) => (dims[i] === null ? examples[0]![i]! : e));
    const want = bind(prim, perExample, params);
    want.forEach((w, k) => {
      const d = outDims[k]!;
      const got = d === null ? flat(outs[k]!) : exampleOf(outs[k]!, d, b);
      expect(got).toEqual(flat(w));
    });
  }
}
