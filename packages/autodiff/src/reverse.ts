import { bind, isFloat, MissingRuleError, np, type Primitive, type Tensor, Tracer, type ConcreteTensor } from "@connex/core";
import { NestedTrace } from "./trace_stack.js";

/** One recorded primitive application on the tape. */
interface TapeNode {
  readonly prim: Primitive;
  readonly params: unknown;
  /** The tracers of this trace among the inputs (null for constants). */
  readonly inputs: (ReverseTracer | null)[];
  /** The input values (of lower level) the primitive was applied to. */
  readonly primals: Tensor[];
  readonly outputs: Tensor[];
  /** The tracers made for the outputs (null for integer outputs, which carry no gradient). */
  readonly outTracers: (ReverseTracer | null)[];
}

/**
 * Reverse-mode tracer: a value (of the level below) and whether a gradient flows through it
 * (`tracked`): inputs being differentiated and every float result computed from them are
 * tracked; values of lower levels lifted into the trace are constants.
 */
export class ReverseTracer extends Tracer {
  /**
   * @param trace - the reverse-mode trace this tracer belongs to
   * @param value - the value (of the level below)
   * @param tracked - whether a gradient flows through it (false for lifted constants)
   */
  constructor(
    readonly trace: ReverseTrace,
    readonly value: Tensor,
    readonly tracked: boolean,
  ) {
    super();
  }
  /** The abstract value: the value's shape, dtype and weak type. */
  get aval() {
    return this.value;
  }
  override concrete(): ConcreteTensor {
    return this.value.concrete();
  }
}

/**
 * Records every primitive applied to its tracers on a tape; `backward` then walks the tape in
 * reverse, calling each primitive's `vjp` rule. Rules compute with `bind` on lower-level
 * values, so an enclosing transformation (grad, vmap, jit) traces the backward pass too.
 */
export class ReverseTrace extends NestedTrace {
  readonly name = "grad";
  private readonly tape: TapeNode[] = [];

  /** Values of lower levels enter as constants: no gradient flows into them. */
  lift(x: Tensor): Tracer {
    return new ReverseTracer(this, x, false);
  }

  /** Start a gradient path at an input value. */
  input(x: Tensor): ReverseTracer {
    return new ReverseTracer(this, x, true);
  }

  processPrimitive(prim: Primitive, tracers: Tracer[], params: unknown): Tensor[] {
    const primals = tracers.map((t) => (t as ReverseTracer).value);
    const outputs = bind(prim, primals, params);
    const inputs = tracers.map((t) => ((t as ReverseTracer).tracked ? (t as ReverseTracer) : null));
    if (prim.nonDifferentiable || inputs.every((t) => t === null)) return outputs;
    const outTracers = outputs.map((o) => (isFloat(o.dtype) ? new ReverseTracer(this, o, true) : null));
    this.tape.push({ prim, params, inputs, primals, outputs, outTracers });
    return outputs.map((o, i) => outTracers[i] ?? o);
  }

  /**
   * Cotangents of `inputs` given cotangents of `outputs` (null entries are zero). Walks the
   * whole tape once; nodes that no output cotangent reaches are skipped.
   */
  backward(outputs: readonly Tensor[], cotangents: readonly (Tensor | null)[], inputs: readonly Tensor[]): (Tensor | null)[] {
    const cts = new Map<ReverseTracer, Tensor>();
    const accumulate = (t: ReverseTracer, ct: Tensor) => {
      const prev = cts.get(t);
      cts.set(t, prev ? np.add(prev, ct) : ct);
    };
    outputs.forEach((o, i) => {
      const ct = cotangents[i];
      if (o instanceof ReverseTracer && o.trace === this && o.tracked && ct) accumulate(o, ct);
    });
    for (let n = this.tape.length - 1; n >= 0; n--) {
      const node = this.tape[n]!;
      let any = false;
      const outCts = node.outTracers.map((t) => {
        const ct = t ? cts.get(t) ?? null : null;
        if (ct) any = true;
        return ct;
      });
      if (!any) continue;
      if (!node.prim.vjp) throw new MissingRuleError(`primitive ${node.prim.name} has no vjp rule, which reverse-mode differentiation (grad/vjp) needs`);
      const needs = node.inputs.map((t) => t !== null);
      const inCts = node.prim.vjp(outCts, node.primals, node.outputs, node.params, needs);
      node.inputs.forEach((t, i) => {
        const ct = inCts[i];
        if (t && ct) accumulate(t, matchDType(ct, t.value));
      });
      // Free what the walk no longer needs.
      for (const t of node.outTracers) if (t) cts.delete(t);
    }
    return inputs.map((x) => (x instanceof ReverseTracer && x.tracked ? cts.get(x) ?? null : null));
  }
}

/** Cotangents take the dtype of the primal they belong to (weak-typed rules may differ). */
function matchDType(ct: Tensor, primal: Tensor): Tensor {
  return ct.dtype === primal.dtype ? ct : np.astype(ct, primal.dtype);
}

