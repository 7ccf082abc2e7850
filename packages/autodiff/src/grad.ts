import { np, Tensor, tree, ValueError, ShapeError, DTypeError, isFloat } from "@connex/core";
import { ReverseTrace, ReverseTracer } from "./reverse.js";
import { withNewTrace } from "./trace_stack.js";
import { checkDifferentiable, isArrayLeaf, leafTensor, zerosFor } from "./leaves.js";

/** Options of `grad`, `valueAndGrad`: which arguments to differentiate and whether `f` has aux output. */
export interface GradOptions {
  /** Which positional argument(s) to differentiate with respect to (default 0). */
  argnums?: number | readonly number[];
  /** `f` returns `[value, aux]`; aux is passed through untouched. */
  hasAux?: boolean;
}

function normaliseArgnums(argnums: number | readonly number[], nargs: number, where: string): number[] {
  const list = typeof argnums === "number" ? [argnums] : [...argnums];
  if (list.length === 0) throw new ValueError(`${where}: argnums is empty`);
  return list.map((a) => {
    if (!Number.isInteger(a) || a < -nargs || a >= nargs) {
      throw new ValueError(`${where}: argnums ${a} is out of range for a call with ${nargs} positional argument(s)`);
    }
    return a < 0 ? a + nargs : a;
  });
}

/**
 * Reverse-mode derivative of `f` at `primals`: returns `f`'s output and a function that maps
 * output cotangents (same structure as the output) to input cotangents (one per primal).
 *
 * @example
 * const [y, pullback] = vjp((x) => np.multiply(x, x), np.array([1, 2], { dtype: "float32" }));
 * const [dx] = pullback(np.ones([2])); // [2, 4]
 */
export function vjp<Out = Tensor>(f: (...args: any[]) => Out, ...primals: unknown[]): [Out, (cotangent: Out) => unknown[]] {
  return withNewTrace(
    (level) => new ReverseTrace(level),
    (trace) => {
      const [inLeaves, inDef] = tree.flatten(primals);
      const traced = inLeaves.map((x) => {
        if (!isArrayLeaf(x)) return x;
        const t = leafTensor(x);
        checkDifferentiable(t, "vjp");
        return trace.input(t);
      });
      const out = f(...(tree.unflatten(inDef, traced) as unknown[]));
      const [outLeaves, outDef] = tree.flatten(out);
      const outValues = outLeaves.map((o) => (o instanceof ReverseTracer && o.trace === trace ? o.value : o));
      const pullback = (cotangent: Out): unknown[] => {
        const [ctLeaves, ctDef] = tree.flatten(cotangent);
        if (!ctDef.equals(outDef)) {
          throw new ShapeError(`vjp: cotangent structure ${ctDef.toString()} differs from the output structure ${outDef.toString()}`);
        }
        const cts = ctLeaves.map((c, i) => {
          const o = outLeaves[i];
          if (!(o instanceof Tensor)) return null;
          const ct = np.asTensor(c as Tensor);
          if (ct.shape.length !== o.shape.length || ct.shape.some((n, k) => n !== o.shape[k])) {
            throw new ShapeError(`vjp: cotangent leaf ${i} has shape [${ct.shape.join(", ")}] but the output has shape [${o.shape.join(", ")}]`);
          }
          return ct;
        });
        const grads = trace.backward(outLeaves as Tensor[], cts, traced as Tensor[]);
        const gradLeaves = traced.map((x, i) => (x instanceof ReverseTracer ? grads[i] ?? zerosFor(x.value) : null));
        return tree.unflatten(inDef, gradLeaves) as unknown[];
      };
      return [tree.unflatten(outDef, outValues) as Out, pullback];
    },
  );
}

function checkScalarOutput(y: unknown, where: string): Tensor {
  if (!(y instanceof Tensor) && typeof y !== "number") {
    throw new ValueError(`${where}: the function must return a real scalar tensor, got ${y === null ? "null" : typeof y}${Array.isArray(y) ? " (an array; use hasAux: true to return [value, aux])" : ""}`);
  }
  const t = leafTensor(y as Tensor | number);
  if (t.ndim !== 0) throw new ShapeError(`${where}: the function must return a scalar (shape []), got shape [${t.shape.join(", ")}]; reduce it (e.g. np.sum) or use vjp/jacrev`);
  if (!isFloat(t.dtype)) throw new DTypeError(`${where}: the function must return a real floating-point scalar, got dtype ${t.dtype}`);
  return t;
}

/**
 * `f`'s value and its gradient with respect to the arguments in `argnums`. Returns
 * `[value, grads]`, or `[[value, aux], grads]` with `hasAux`; `grads` mirrors the argument's
 * structure (a tuple of them when `argnums` is an array).
 *
 * @example
 * const [loss, g] = valueAndGrad((w) => np.sum(np.square(w)))(np.array([1, 2], { dtype: "float32" }));
 */
export function valueAndGrad(f: (...args: any[]) => unknown, options: GradOptions = {}) {
  const { argnums = 0, hasAux = false } = options;
  const where = "grad";
  return (...args: unknown[]): [any, any] => {
    const nums = normaliseArgnums(argnums, args.length, where);
    return withNewTrace(
      (level) => new ReverseTrace(level),
      (trace) => {
        const flat = nums.map((n) => tree.flatten(args[n]));
        const traced = flat.map(([leaves], k) =>
          leaves.map((x) => {
            if (!isArrayLeaf(x)) return x;
            const t = leafTensor(x);
            checkDifferentiable(t, `${where} (argument ${nums[k]})`);
            return trace.input(t);
          }),
        );
        const callArgs = args.slice();
        nums.forEach((n, k) => (callArgs[n] = tree.unflatten(flat[k]![1], traced[k]!)));
        const result = f(...callArgs);
        let y: unknown = result;
        let aux: unknown;
        if (hasAux) {
          if (!Array.isArray(result) || result.length !== 2) throw new ValueError(`${where}: with hasAux the function must return [value, aux]`);
          [y, aux] = result;
        }
        const yt = checkScalarOutput(y, where);
        const allInputs = traced.flat() as Tensor[];
        const cts = trace.backward([yt], [np.onesLike(yt instanceof ReverseTracer ? yt.value : yt)], allInputs);
        let pos = 0;
        const grads = traced.map((leaves, k) => {
          const g = leaves.map((x) => {
            const ct = cts[pos++];
            return x instanceof ReverseTracer ? ct ?? zerosFor(x.value) : null;
          });
          return tree.unflatten(flat[k]![1], g);
        });
        const value = yt instanceof ReverseTracer && yt.trace === trace ? yt.value : yt;
        const gradOut = typeof argnums === "number" ? grads[0] : grads;
        const auxOut = hasAux ? unwrapAux(aux, trace) : undefined;
        return [hasAux ? [value, auxOut] : value, gradOut];
      },
    );
  };
}

/** Aux outputs leave the trace as their values (no gradient). */
function unwrapAux(aux: unknown, trace: ReverseTrace): unknown {
  return tree.map((x: unknown) => (x instanceof ReverseTracer && x.trace === trace ? x.value : x), aux);
}

/**
 * The gradient of a scalar-valued `f` with respect to argument(s) `argnums`.
 *
 * @example
 * const df = grad((x) => np.sum(np.sin(x)));
 * df(np.array([0, 1], { dtype: "float32" })); // cos(x)
 */
export function grad(f: (...args: any[]) => unknown, options: GradOptions = {}) {
  const vg = valueAndGrad(f, options);
  return (...args: unknown[]): any => {
    const [value, g] = vg(...args);
    return options.hasAux ? [g, value[1]] : g;
  };
}
