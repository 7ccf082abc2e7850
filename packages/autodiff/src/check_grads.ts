import { CoreError, np, Tensor, tree, ValueError } from "@connex/core";
import { jvp } from "./jvp.js";
import { vjp } from "./grad.js";
import { isArrayLeaf, leafTensor } from "./leaves.js";

/** A derivative disagreed with finite differences. */
export class GradientCheckError extends CoreError {}

/** Options of `checkGrads`: order, modes, finite-difference step, tolerances and seed. */
export interface CheckGradsOptions {
  /** Derivative order to check (1 = first derivatives; 2 also checks derivatives of derivatives). */
  order?: number;
  /** Which modes to check: forward (`jvp`) and/or reverse (`vjp`). */
  modes?: readonly ("fwd" | "rev")[];
  /** Finite-difference step (default 1e-5 in float64, 1e-3 in float32). */
  eps?: number;
  /** Absolute tolerance (default 1e-6 in float64, 2e-2 in float32). */
  atol?: number;
  /** Relative tolerance (default 1e-6 in float64, 2e-2 in float32). */
  rtol?: number;
  /** Seed of the random directions. */
  seed?: number;
}

/** Deterministic directions: a small xorshift generator (test directions need no cryptographic quality). */
function directions(seed: number) {
  let s = (seed * 2654435761) >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296 - 0.5;
  };
  return (like: Tensor): Tensor => {
    const vals = new Float64Array(like.size);
    for (let i = 0; i < vals.length; i++) vals[i] = 2 * next();
    return np.reshape(np.array(vals, { dtype: like.dtype }), like.shape);
  };
}

function flatArrays(t: unknown, where: string): Tensor[] {
  return tree.leaves(t).map((x, i) => {
    if (!isArrayLeaf(x)) throw new ValueError(`${where}: leaf ${i} is not an array (${typeof x})`);
    return leafTensor(x);
  });
}

function inner(a: Tensor[], b: Tensor[]): number {
  let s = 0;
  a.forEach((x, i) => {
    const xa = np.astype(x, "float64").toTypedArray();
    const xb = np.astype(b[i]!, "float64").toTypedArray();
    for (let k = 0; k < xa.length; k++) s += xa[k]! * xb[k]!;
  });
  return s;
}

function mapLeaves(t: unknown, fn: (x: Tensor, i: number) => Tensor): unknown {
  const [leaves, def] = tree.flatten(t);
  return tree.unflatten(def, leaves.map((x, i) => (isArrayLeaf(x) ? fn(leafTensor(x), i) : x)));
}

/**
 * Check `f`'s derivatives at `args` against central finite differences, like JAX's
 * `check_grads`: forward mode compares `jvp` with `(f(x + eps v) - f(x - eps v)) / 2eps` along a
 * random direction `v`; reverse mode checks `<vjp(u), v> == <u, jvp(v)>`. Throws
 * `GradientCheckError` naming the mode, order and discrepancy. Use float64 inputs for tight checks.
 *
 * @example
 * checkGrads((x) => np.sum(np.tanh(x)), [np.array([0.1, 0.7], { dtype: "float64" })], { order: 2 });
 */
export function checkGrads(f: (...args: any[]) => unknown, args: readonly unknown[], options: CheckGradsOptions = {}): void {
  const { order = 1, modes = ["fwd", "rev"], seed = 0 } = options;
  const leaves = flatArrays(args, "checkGrads");
  const f32 = leaves.some((x) => x.dtype === "float32");
  const eps = options.eps ?? (f32 ? 1e-3 : 1e-5);
  const atol = options.atol ?? (f32 ? 2e-2 : 1e-6);
  const rtol = options.rtol ?? (f32 ? 2e-2 : 1e-6);
  const rand = directions(seed);
  const argList = [...args];

  const numericJvp = (g: (...a: any[]) => unknown, xs: unknown[], vs: unknown[]): Tensor[] => {
    const plus = g(...(mapLeaves(xs, (x, i) => np.add(x, np.multiply(flatArrays(vs, "")[i]!, eps))) as unknown[]));
    const minus = g(...(mapLeaves(xs, (x, i) => np.subtract(x, np.multiply(flatArrays(vs, "")[i]!, eps))) as unknown[]));
    const p = flatArrays(plus, "checkGrads output");
    const m = flatArrays(minus, "checkGrads output");
    return p.map((pi, i) => np.divide(np.subtract(pi, m[i]!), 2 * eps));
  };

  const compare = (what: string, got: Tensor[], want: Tensor[]) => {
    got.forEach((g, i) => {
      const a = np.astype(g, "float64").toTypedArray();
      const b = np.astype(want[i]!, "float64").toTypedArray();
      for (let k = 0; k < a.length; k++) {
        const err = Math.abs(a[k]! - b[k]!);
        if (!(err <= atol + rtol * Math.abs(b[k]!))) {
          throw new GradientCheckError(
            `checkGrads: ${what} disagrees with finite differences at output leaf ${i}, element ${k}: ` +
              `got ${a[k]}, expected ${b[k]} (|diff| ${err.toExponential(3)} > atol ${atol} + rtol ${rtol} * |expected|; eps ${eps})`,
          );
        }
      }
    });
  };

  const check = (g: (...a: any[]) => unknown, xs: unknown[], ord: number, label: string) => {
    const vs = mapLeaves(xs, (x) => rand(x)) as unknown[];
    if (modes.includes("fwd")) {
      const [, tangentOut] = jvp(g, xs, vs);
      compare(`jvp (${label})`, flatArrays(tangentOut, "checkGrads output"), numericJvp(g, xs, vs));
      if (ord > 1) check((...a: unknown[]) => jvp(g, a, vs)[1], xs, ord - 1, `derivative of jvp, ${label}`);
    }
    if (modes.includes("rev")) {
      const [y, pullback] = vjp(g, ...xs);
      const us = mapLeaves(y, (o) => rand(o));
      const ct = pullback(us as never);
      const lhs = inner(flatArrays(ct, "checkGrads"), flatArrays(vs, "checkGrads"));
      const rhs = inner(flatArrays(us, "checkGrads"), numericJvp(g, xs, vs));
      const err = Math.abs(lhs - rhs);
      if (!(err <= atol + rtol * Math.abs(rhs))) {
        throw new GradientCheckError(`checkGrads: vjp (${label}) disagrees with finite differences: <vjp(u), v> = ${lhs}, <u, J v> = ${rhs} (|diff| ${err.toExponential(3)}; eps ${eps})`);
      }
      if (ord > 1) check((...a: unknown[]) => vjp(g, ...a)[1](us as never), xs, ord - 1, `derivative of vjp, ${label}`);
    }
  };
  check(f, argList, order, `order ${order}`);
}
