import { np, Tensor, tree, ValueError } from "@connex/core";
import { jvp } from "./jvp.js";
import { vjp } from "./grad.js";
import { vmap } from "./vmap.js";
import { isArrayLeaf, leafTensor } from "./leaves.js";

/** Options of `jacfwd`, `jacrev` and `hessian`. */
export interface JacobianOptions {
  /** The positional argument to differentiate with respect to (default 0). */
  argnums?: number;
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** `[n, ...shape]` basis of one-hot tensors: row k is 1 at flat position k. */
function basis(shape: readonly number[], dtype: Tensor["dtype"]): Tensor {
  const n = sizeOf(shape);
  return np.reshape(np.eye(n, undefined, { dtype }), [n, ...shape]);
}

function splitArgs(args: unknown[], argnums: number, where: string): number {
  const a = argnums < 0 ? argnums + args.length : argnums;
  if (!Number.isInteger(a) || a < 0 || a >= args.length) throw new ValueError(`${where}: argnums ${argnums} is out of range for ${args.length} argument(s)`);
  return a;
}

/**
 * Jacobian by reverse mode (one vjp per output element, batched with vmap). For an output
 * leaf of shape `So` and an input leaf of shape `Si` the block has shape `[...So, ...Si]`;
 * the result is the output's structure with the input's structure at each leaf.
 *
 * @example
 * jacrev((x) => np.sin(x))(np.array([0, 1], { dtype: "float32" })); // diag(cos x)
 */
export function jacrev(f: (...args: any[]) => unknown, options: JacobianOptions = {}) {
  return (...args: unknown[]): any => {
    const k = splitArgs(args, options.argnums ?? 0, "jacrev");
    const g = (x: unknown) => f(...args.slice(0, k), x, ...args.slice(k + 1));
    const [y, pullback] = vjp(g, args[k]);
    const [outLeaves, outDef] = tree.flatten(y);
    const [, inDef] = tree.flatten(args[k]);
    const blocks = outLeaves.map((o, j) => {
      if (!isArrayLeaf(o)) throw new ValueError(`jacrev: output leaf ${j} is not an array`);
      const ot = leafTensor(o);
      const m = sizeOf(ot.shape);
      const cts = outLeaves.map((p, i) => {
        const pt = leafTensor(p as Tensor);
        return i === j ? basis(ot.shape, ot.dtype) : np.zeros([m, ...pt.shape], { dtype: pt.dtype });
      });
      const grads = vmap((ct: unknown[]) => pullback(tree.unflatten(outDef, ct) as never)[0])(cts) as unknown;
      const gLeaves = tree.leaves(grads) as Tensor[];
      return tree.unflatten(inDef, gLeaves.map((gl) => np.reshape(gl, [...ot.shape, ...gl.shape.slice(1)])));
    });
    return tree.unflatten(outDef, blocks);
  };
}

/**
 * Jacobian by forward mode (one jvp per input element, batched with vmap); same layout as
 * `jacrev`. Cheaper than `jacrev` when inputs are fewer than outputs.
 *
 * @example
 * jacfwd((x) => np.multiply(x, x))(np.array([1, 2], { dtype: "float32" })); // [[2, 0], [0, 4]]
 */
export function jacfwd(f: (...args: any[]) => unknown, options: JacobianOptions = {}) {
  return (...args: unknown[]): any => {
    const k = splitArgs(args, options.argnums ?? 0, "jacfwd");
    const g = (x: unknown) => f(...args.slice(0, k), x, ...args.slice(k + 1));
    const [inLeaves, inDef] = tree.flatten(args[k]);
    const inTensors = inLeaves.map((x, i) => {
      if (!isArrayLeaf(x)) throw new ValueError(`jacfwd: input leaf ${i} is not an array`);
      return leafTensor(x);
    });
    // Per input leaf i: out-leaves of shape [...So, ...Si].
    let outDef: ReturnType<typeof tree.flatten>[1] | null = null;
    const perInput = inTensors.map((xi, i) => {
      const n = sizeOf(xi.shape);
      const tangents = inTensors.map((xk, k2) => (k2 === i ? basis(xi.shape, xi.dtype) : np.zeros([n, ...xk.shape], { dtype: xk.dtype })));
      const pushforward = (ts: Tensor[]) => jvp(g, [args[k]], [tree.unflatten(inDef, ts)])[1];
      const outs = vmap(pushforward)(tangents) as unknown;
      const [oLeaves, oDef] = tree.flatten(outs);
      outDef = oDef;
      return (oLeaves as Tensor[]).map((o) => {
        const so = o.shape.slice(1);
        const moved = np.transpose(o, [...so.map((_, a) => a + 1), 0]);
        return np.reshape(moved, [...so, ...xi.shape]);
      });
    });
    if (outDef === null) {
      const y = g(args[k]);
      return tree.map(() => tree.unflatten(inDef, []), y);
    }
    const numOut = perInput[0]!.length;
    const blocks = Array.from({ length: numOut }, (_, j) => tree.unflatten(inDef, perInput.map((outs) => outs[j]!)));
    return tree.unflatten(outDef, blocks);
  };
}

/**
 * Hessian of a scalar function: `jacfwd(jacrev(f))`.
 *
 * @example
 * hessian((x) => np.sum(np.power(x, 3)))(np.array([1, 2], { dtype: "float64" })); // diag(6x)
 */
export function hessian(f: (...args: any[]) => unknown, options: JacobianOptions = {}) {
  return jacfwd(jacrev(f, options), options);
}
