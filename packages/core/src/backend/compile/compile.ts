/**
 * The backend's one entry point: `compile(jaxpr)` lowers a traced program to a function over
 * concrete tensors. Elementwise chains become fused generated loops (`fuse.ts`), every other
 * equation calls its primitive's kernel directly, buffers are planned from the primitives'
 * lowering facts (`buffer_plan.ts`), and the whole runs as one generated straight-line
 * function (`straight_line.ts`).
 */
import type { TypedArray } from "../../dtype.js";
import type { Atom, Jaxpr } from "../../jaxpr.js";
import type { ConcreteTensor } from "../../tensor.js";
import { allocate } from "../buffers.js";
import { escapingSlots, recyclingPlan } from "./buffer_plan.js";
import { fuse, type Step } from "./fuse.js";
import { straightLine, type Operand, type PlannedStep } from "./straight_line.js";

/** Options of {@link compile}. */
export interface CompileOptions {
  /**
   * Per input variable, whether the caller donates it (JAX's `donate_argnums`): after each
   * call it is deleted (reading it throws `DeletedArrayError`), and its buffer goes back to the
   * allocator after its last reader when no output, constant or other argument shares it.
   */
  readonly donated?: readonly boolean[];
}

/** A compiled jaxpr: concrete inputs in (one per input variable), concrete outputs out. */
export interface Executable {
  (inputs: readonly ConcreteTensor[]): ConcreteTensor[];
  /** The schedule it runs: fused loops and single equations, in order (for inspection and tests). */
  readonly steps: readonly Step[];
}

/**
 * Compile a jaxpr: no dispatch and no re-validation at run time (shapes were checked while
 * tracing), operands resolved to slots ahead of time, intermediates released after their last
 * use, fused loops' buffers reused across calls where they cannot escape, and big fresh
 * intermediates (and donated arguments, see {@link CompileOptions}) handed back to the
 * allocator after their last reader.
 *
 * @example
 * const run = compile(jaxpr); // jaxpr from autodiff's tracing (makeJaxpr, jit)
 * const [y] = run([x]);
 */
export function compile(jaxpr: Jaxpr, options: CompileOptions = {}): Executable {
  const slotMap = new Map<number, number>();
  let slots = 0;
  for (const v of jaxpr.inVars) slotMap.set(v.id, slots++);
  for (const e of jaxpr.eqns) for (const v of e.outputs) slotMap.set(v.id, slots++);
  const operand = (a: Atom): Operand => (a.kind === "var" ? { slot: slotMap.get(a.v.id)!, value: null } : { slot: -1, value: a.value });

  const steps = fuse(jaxpr);
  /** Buffers reused across calls; an output found to share one is copied (belt and braces). */
  const reused = new Set<TypedArray>();
  const escaping = escapingSlots(steps, jaxpr, slotMap);
  const planned = steps.map((step): PlannedStep => {
    if (step.kind === "eqn") {
      const e = step.eqn;
      const impl = e.prim.impl.bind(e.prim);
      const params = e.params;
      return { run: (args: ConcreteTensor[]) => impl(args, params), inputs: e.inputs.map(operand), outputs: e.outputs.map((v) => slotMap.get(v.id)!) };
    }
    const dtypes = step.outputs.map((v) => v.aval.dtype);
    const weak = step.outputs.map((v) => v.aval.weakType);
    const { kernel } = step;
    // Frozen once here, the shape is shared by every output tensor of every call.
    const shape = Object.freeze(step.shape.slice());
    const outSlotsOfStep = step.outputs.map((v) => slotMap.get(v.id)!);
    // Intermediates that never escape the call get buffers allocated once and reused.
    const reusable = outSlotsOfStep.every((slot) => !escaping.has(slot));
    let buffers: TypedArray[] | undefined;
    const size = shape.reduce((a, b) => a * b, 1);
    const run = reusable
      ? (args: ConcreteTensor[]) => {
          if (!buffers) {
            buffers = dtypes.map((d) => allocate(d, size));
            for (const b of buffers) reused.add(b);
          }
          return kernel.run(args, shape, dtypes, weak, buffers);
        }
      : (args: ConcreteTensor[]) => kernel.run(args, shape, dtypes, weak);
    return { run, inputs: step.inputs.map(operand), outputs: outSlotsOfStep };
  });
  const outs = jaxpr.outs.map(operand);
  const donated = jaxpr.inVars.map((_, i) => i).filter((i) => options.donated?.[i] === true);
  const recycleAfter = recyclingPlan(steps, jaxpr, slotMap, new Set(donated));
  const run = straightLine(planned, outs, jaxpr.inVars.length, reused, recycleAfter, donated);
  return Object.assign(run, { steps });
}
