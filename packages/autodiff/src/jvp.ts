import { bind, MissingRuleError, type Primitive, type Tensor, Tracer, type ConcreteTensor, np, tree, ShapeError, DTypeError } from "@connex/core";
import { NestedTrace, withNewTrace } from "./trace_stack.js";

/** Forward-mode tracer: a primal value and its tangent (`null` = symbolic zero). */
export class JVPTracer extends Tracer {
  /**
   * @param trace - the forward-mode trace this tracer belongs to
   * @param primal - the value
   * @param tangent - its tangent (`null` = a symbolic zero)
   */
  constructor(
    readonly trace: JVPTrace,
    readonly primal: Tensor,
    readonly tangent: Tensor | null,
  ) {
    super();
  }
  /** The abstract value: the primal's shape, dtype and weak type. */
  get aval() {
    return this.primal;
  }
  override concrete(): ConcreteTensor {
    return this.primal.concrete();
  }
}

/** Interprets primitives by their `jvp` rules. */
export class JVPTrace extends NestedTrace {
  readonly name = "jvp";
  lift(x: Tensor): JVPTracer {
    return new JVPTracer(this, x, null);
  }
  processPrimitive(prim: Primitive, tracers: JVPTracer[], params: unknown): Tensor[] {
    const primals = tracers.map((t) => t.primal);
    const tangents = tracers.map((t) => t.tangent);
    if (prim.nonDifferentiable || tangents.every((t) => t === null)) return bind(prim, primals, params);
    if (!prim.jvp) throw new MissingRuleError(`primitive ${prim.name} has no jvp rule, which forward-mode differentiation (jvp) needs`);
    const [outs, outTangents] = prim.jvp(primals, tangents, params);
    return outs.map((o, i) => new JVPTracer(this, o, outTangents[i] ?? null));
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

/**
 * Forward-mode derivative: evaluate `f` at `primals` and its directional derivative along
 * `tangents` (pytrees of the same structure, shapes and dtypes).
 *
 * @example
 * const [y, dy] = jvp((x) => np.sin(x), [np.array(0.5)], [np.array(1)]); // dy = cos(0.5)
 */
export function jvp<Out = Tensor>(f: (...args: any[]) => Out, primals: readonly unknown[], tangents: readonly unknown[]): [Out, Out] {
  const [pLeaves, pDef] = tree.flatten(primals as unknown[]);
  const [tLeaves, tDef] = tree.flatten(tangents as unknown[]);
  if (!pDef.equals(tDef)) throw new ShapeError(`jvp: primals ${pDef.toString()} and tangents ${tDef.toString()} have different structures`);
  pLeaves.forEach((p, i) => {
    const t = tLeaves[i];
    if (p instanceof Object && "shape" in (p as object) && t instanceof Object && "shape" in (t as object)) {
      const pt = p as Tensor;
      const tt = t as Tensor;
      if (!sameShape(pt.shape, tt.shape)) throw new ShapeError(`jvp: primal leaf ${i} has shape [${pt.shape.join(", ")}] but its tangent has shape [${tt.shape.join(", ")}]`);
      if (pt.dtype !== tt.dtype && !(tt.weakType)) throw new DTypeError(`jvp: primal leaf ${i} has dtype ${pt.dtype} but its tangent has dtype ${tt.dtype}`);
    }
  });
  return withNewTrace(
    (level) => new JVPTrace(level),
    (trace) => {
      const inLeaves = pLeaves.map((p, i) => {
        if (!(p instanceof Object && "shape" in (p as object))) return p;
        const pt = np.asTensor(p as Tensor);
        return new JVPTracer(trace, pt, np.astype(np.asTensor(tLeaves[i] as Tensor), pt.dtype));
      });
      const out = f(...(tree.unflatten(pDef, inLeaves) as unknown[]));
      const [oLeaves, oDef] = tree.flatten(out);
      const ys: unknown[] = [];
      const dys: unknown[] = [];
      for (const o of oLeaves) {
        if (o instanceof JVPTracer && o.trace === trace) {
          ys.push(o.primal);
          dys.push(o.tangent ?? np.zerosLike(o.primal));
        } else if (o instanceof Tracer || (o instanceof Object && "shape" in (o as object))) {
          ys.push(o);
          dys.push(np.zerosLike(o as Tensor));
        } else {
          ys.push(o);
          dys.push(o);
        }
      }
      return [tree.unflatten(oDef, ys) as Out, tree.unflatten(oDef, dys) as Out];
    },
  );
}
