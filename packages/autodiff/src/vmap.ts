import {
  bind,
  type BatchDim,
  concretizationError,
  type ConcreteTensor,
  MissingRuleError,
  np,
  type Primitive,
  Tensor,
  Tracer,
  tree,
  ValueError,
  AxisError,
} from "@connex/core";
import { NestedTrace, withNewTrace } from "./trace_stack.js";
import { isArrayLeaf, leafTensor } from "./leaves.js";

/** A value with a batch axis (`bdim`) hidden from the function being vmapped. */
export class BatchTracer extends Tracer {
  /**
   * @param trace - the vmap trace this tracer belongs to
   * @param value - the value, with the batch axis included
   * @param bdim - the batch axis of `value` (`null` = not batched: the same for every element)
   */
  constructor(
    readonly trace: BatchTrace,
    readonly value: Tensor,
    readonly bdim: BatchDim,
  ) {
    super();
  }
  /** The abstract value of one batch element: the value's shape without the batch axis. */
  get aval() {
    if (this.bdim === null) return this.value;
    const shape = this.value.shape.filter((_, i) => i !== this.bdim);
    return { shape, dtype: this.value.dtype, weakType: this.value.weakType };
  }
  override concrete(): ConcreteTensor {
    if (this.bdim === null) return this.value.concrete();
    throw concretizationError("vmap", this);
  }
}

/** Interprets primitives by their batch rules. */
export class BatchTrace extends NestedTrace {
  readonly name = "vmap";
  /**
   * @param level - the nesting level (from `withNewTrace`)
   * @param axisSize - the length of the mapped axis
   */
  constructor(
    level: number,
    readonly axisSize: number,
  ) {
    super(level);
  }
  lift(x: Tensor): BatchTracer {
    return new BatchTracer(this, x, null);
  }
  processPrimitive(prim: Primitive, tracers: BatchTracer[], params: unknown): Tensor[] {
    const values = tracers.map((t) => t.value);
    const dims = tracers.map((t) => t.bdim);
    if (dims.every((d) => d === null)) return bind(prim, values, params);
    if (!prim.batch) throw new MissingRuleError(`primitive ${prim.name} has no batch rule, which vmap needs`);
    const [outs, outDims] = prim.batch(values, dims, params);
    return outs.map((o, i) => (outDims[i] === null ? o : new BatchTracer(this, o, outDims[i]!)));
  }
}

/** An axis specification: a number, `null` (not mapped), or a pytree prefix of them. */
export type AxisSpec = number | null | undefined | readonly AxisSpec[] | { readonly [k: string]: AxisSpec };

/** Marks an unmapped leaf (a class instance, so pytrees treat it as a leaf). */
class NotMapped {}
const NOT_MAPPED = new NotMapped();

/** A tree shaped like `t` whose leaves are the axis (or NOT_MAPPED) for each of `t`'s leaves. */
function expandSpec(spec: AxisSpec, t: unknown, where: string): unknown {
  if (spec === null || spec === undefined || typeof spec === "number") {
    const leaf = spec === null || spec === undefined ? NOT_MAPPED : spec;
    return tree.map(() => leaf, t);
  }
  if (Array.isArray(spec)) {
    if (!Array.isArray(t) || t.length !== spec.length) {
      throw new ValueError(`${where}: the axis specification has ${spec.length} entries but the value it describes ${Array.isArray(t) ? `has ${t.length}` : "is not an array"}`);
    }
    return spec.map((s, i) => expandSpec(s, t[i], where));
  }
  if (typeof spec === "object" && t !== null && typeof t === "object" && Object.getPrototypeOf(t) === Object.prototype) {
    const obj = t as Record<string, unknown>;
    const missing = Object.keys(spec).filter((k) => !(k in obj));
    if (missing.length) throw new ValueError(`${where}: the axis specification names keys ${missing.join(", ")} that the value does not have`);
    return Object.fromEntries(Object.keys(obj).map((k) => [k, expandSpec((spec as Record<string, AxisSpec>)[k], obj[k], where)]));
  }
  throw new ValueError(`${where}: invalid axis specification ${JSON.stringify(spec)} for a value of type ${typeof t}`);
}

/** Spread an axis-spec prefix over the leaves of `t` (a prefix pytree, as JAX's in_axes). */
function broadcastPrefix(spec: AxisSpec, t: unknown, where: string): (number | null)[] {
  return tree.leaves(expandSpec(spec, t, where)).map((a) => (a === NOT_MAPPED ? null : (a as number)));
}

function moveAxisTo(x: Tensor, from: number, to: number): Tensor {
  if (from === to) return x;
  const perm: number[] = [];
  for (let i = 0; i < x.ndim; i++) if (i !== from) perm.push(i);
  perm.splice(to, 0, from);
  return np.transpose(x, perm);
}

function normaliseAxis(axis: number, ndim: number, where: string): number {
  if (!Number.isInteger(axis) || axis < -ndim || axis >= ndim) {
    throw new AxisError(`${where}: axis ${axis} is out of range for a value with ${ndim} dimension(s)`);
  }
  return axis < 0 ? axis + ndim : axis;
}

/**
 * Vectorising map: `vmap(f)(xs)` computes `f` on every slice of `xs` along `inAxes` at once.
 * `inAxes` is one axis for all arguments or one per argument (`null` = not mapped; pytree
 * prefixes allowed); `outAxes` places the batch axis in the outputs.
 *
 * @typeParam F - the function's type; the mapped function takes the same parameters.
 * @example
 * const dots = vmap((a, b) => np.dot(a, b))(as, bs);        // batched dot products
 * const ys = vmap((x) => net.forward(x), 0)(xs);              // a network over a batch
 */
export function vmap<F extends (...args: any[]) => any>(f: F, inAxes: AxisSpec = 0, outAxes: AxisSpec = 0): (...args: Parameters<F>) => ReturnType<F> {
  return ((...args: unknown[]) => {
    const specs = Array.isArray(inAxes) ? (inAxes as AxisSpec[]) : args.map(() => inAxes);
    if (Array.isArray(inAxes) && inAxes.length !== args.length) {
      throw new ValueError(`vmap: inAxes has ${inAxes.length} entries but the function was called with ${args.length} argument(s)`);
    }
    const [leaves, def] = tree.flatten(args);
    const axes = specs.flatMap((s, i) => broadcastPrefix(s, args[i], `vmap inAxes (argument ${i})`));
    const argOfLeaf: number[] = [];
    args.forEach((a, i) => tree.leaves(a).forEach(() => argOfLeaf.push(i)));
    if (axes.length !== leaves.length) throw new ValueError(`vmap: inAxes does not match the arguments' structure`);
    let size: number | null = null;
    const sizes: string[] = [];
    const normAxes = leaves.map((x, i) => {
      const ax = axes[i] ?? null;
      if (ax === null) return null;
      if (!isArrayLeaf(x)) throw new ValueError(`vmap: argument ${argOfLeaf[i]} has a non-array leaf (${typeof x}) mapped over axis ${ax}; use null in inAxes for it`);
      const t = leafTensor(x);
      const a = normaliseAxis(ax, t.ndim, `vmap (argument ${argOfLeaf[i]}, shape [${t.shape.join(", ")}])`);
      sizes.push(`argument ${argOfLeaf[i]} has size ${t.shape[a]} along axis ${a} (shape [${t.shape.join(", ")}])`);
      if (size === null) size = t.shape[a]!;
      else if (size !== t.shape[a]) throw new ValueError(`vmap got inconsistent sizes for the mapped axis: ${sizes.join("; ")}`);
      return a;
    });
    if (size === null) throw new ValueError(`vmap: no argument is mapped (every inAxes entry is null); vmap needs at least one mapped array`);
    const axisSize: number = size;
    return withNewTrace(
      (level) => new BatchTrace(level, axisSize),
      (trace) => {
        const inLeaves = leaves.map((x, i) => (normAxes[i] === null ? x : new BatchTracer(trace, leafTensor(x as Tensor), normAxes[i]!)));
        const out = f(...(tree.unflatten(def, inLeaves) as unknown[]));
        const [outLeaves, outDef] = tree.flatten(out);
        const outSpec = broadcastPrefix(outAxes, out, "vmap outAxes");
        const results = outLeaves.map((o, i) => {
          const target = outSpec[i] ?? null;
          if (!isArrayLeaf(o)) return o;
          let value: Tensor;
          let bdim: number | null;
          if (o instanceof BatchTracer && o.trace === trace) {
            value = o.value;
            bdim = o.bdim;
          } else {
            value = leafTensor(o);
            bdim = null;
          }
          if (target === null) {
            if (bdim !== null) throw new ValueError(`vmap: output ${i} is batched but outAxes is null for it`);
            return value;
          }
          if (bdim === null) {
            value = np.broadcastTo(np.expandDims(value, 0), [axisSize, ...value.shape]);
            bdim = 0;
          }
          return moveAxisTo(value, bdim, normaliseAxis(target, value.ndim, `vmap outAxes (output ${i})`));
        });
        return tree.unflatten(outDef, results);
      },
    );
  }) as (...args: Parameters<F>) => ReturnType<F>;
}

