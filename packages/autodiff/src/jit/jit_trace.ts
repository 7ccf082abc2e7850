import { ConcreteTensor, ConcretizationError, type AbstractArray, type Primitive, Tensor, Tracer } from "@connex/core";
import { NestedTrace } from "../trace_stack.js";
import type { Atom, Eqn, Var } from "@connex/core/internal";

/** A value being traced into a jaxpr: an IR atom with its abstract type and no data. */
export class JitTracer extends Tracer {
  constructor(
    readonly trace: JitTrace,
    readonly atom: Atom,
    readonly aval: AbstractArray,
    /** The primitive that produced it (for concretization errors), or "argument". */
    readonly producer: string,
  ) {
    super();
  }
  override concrete(): ConcreteTensor {
    if (this.atom.kind === "const") return this.atom.value;
    throw new ConcretizationError(
      `jit: a traced value (shape [${this.shape.join(", ")}], ${this.dtype}, produced by ${this.producer === "argument" ? "a function argument" : `primitive ${this.producer}`}) ` +
        `was used where a concrete value is needed, e.g. in an if/while condition, .item(), .toArray() or Number(). ` +
        `Under jit, values depend on the inputs only abstractly: mark the argument static (staticArgnums, or filterJit for non-array values), ` +
        `or use np.where instead of JS control flow.`,
    );
  }
}

/** Records every primitive applied to its tracers as an equation. */
export class JitTrace extends NestedTrace {
  readonly name = "jit";
  readonly eqns: Eqn[] = [];
  private nextId = 0;

  newVar(aval: AbstractArray): Var {
    return { id: this.nextId++, aval: { shape: aval.shape.slice(), dtype: aval.dtype, weakType: aval.weakType } };
  }

  argument(aval: AbstractArray): JitTracer {
    const v = this.newVar(aval);
    return new JitTracer(this, { kind: "var", v }, v.aval, "argument");
  }

  lift(x: Tensor): Tracer {
    if (x instanceof Tracer) {
      throw new ConcretizationError(
        `jit: the function closes over a value traced by an enclosing ${x.trace.name} transformation (shape [${x.shape.join(", ")}]); ` +
          `pass it to the jitted function as an argument instead.`,
      );
    }
    const c = x as ConcreteTensor;
    return new JitTracer(this, { kind: "const", value: c }, c, "constant");
  }

  processPrimitive(prim: Primitive, tracers: JitTracer[], params: unknown): Tensor[] {
    // Constant folding: a primitive of constants only is computed now.
    if (tracers.every((t) => t.atom.kind === "const")) {
      const outs = prim.impl(
        tracers.map((t) => (t.atom as { value: ConcreteTensor }).value),
        (prim.abstractEval(tracers.map((t) => t.aval), params), params),
      );
      return outs.map((o) => new JitTracer(this, { kind: "const", value: o }, o, prim.name));
    }
    const avals = prim.abstractEval(tracers.map((t) => t.aval), params);
    const outputs = avals.map((a) => this.newVar(a));
    this.eqns.push({ prim, params, inputs: tracers.map((t) => t.atom), outputs });
    return outputs.map((v) => new JitTracer(this, { kind: "var", v }, v.aval, prim.name));
  }
}
