/**
 * The backend's one entry point: `compile(jaxpr)` lowers a traced program to a function over
 * concrete tensors. Pairs of equations that a primitive's `jointWith` fact names (GELU and its
 * derivative at one operand) become one equation (`merge_joint.ts`), chains of equations that a
 * `growsWith` fact names (concatenations each extending the one before) grow one buffer
 * (`grow_chains.ts`), elementwise chains become
 * fused generated loops (`fuse.ts`), every other equation calls its primitive's kernel
 * directly, buffers are planned from the primitives' lowering facts (`buffer_plan.ts`), and the
 * whole runs as one generated straight-line function (`straight_line.ts`).
 */
import type { DType, TypedArray } from "../../dtype.js";
import type { Atom, Jaxpr } from "../../jaxpr.js";
import type { ConcreteTensor } from "../../tensor.js";
import { allocate, allocateUninitialized } from "../buffers.js";
import { ownsResidentBlock } from "../resident_storage.js";
import { escapingSlots, recyclingPlan } from "./buffer_plan.js";
import { fuse, type Step } from "./fuse.js";
import { growChains } from "./grow_chains.js";
import { mergeJointEquations } from "./merge_joint.js";
import { claimForOutput, straightLine, type Operand, type PlannedStep } from "./straight_line.js";
import type { FusedKernel } from "../kernels/fusion.js";

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
 * allocator after their last reader. An argument deleted by an earlier call (donated) throws
 * `DeletedArrayError` before anything runs.
 *
 * @example
 * const run = compile(jaxpr); // jaxpr from autodiff's tracing (makeJaxpr, jit)
 * const [y] = run([x]);
 */
export function compile(traced: Jaxpr, options: CompileOptions = {}): Executable {
  const jaxpr = growChains(mergeJointEquations(traced));
  const slotMap = new Map<number, number>();
  let slots = 0;
  for (const v of jaxpr.inVars) slotMap.set(v.id, slots++);
  for (const e of jaxpr.eqns) for (const v of e.outputs) slotMap.set(v.id, slots++);
  const operand = (a: Atom): Operand => (a.kind === "var" ? { slot: slotMap.get(a.v.id)!, value: null } : { slot: -1, value: a.value });

  const steps = fuse(jaxpr);
  /** Buffers reused across calls; an output found to share one is copied (belt and braces). */
  const reused = new Set<TypedArray>();
  const escaping = escapingSlots(steps, jaxpr, slotMap);
  const donated = jaxpr.inVars.map((_, i) => i).filter((i) => options.donated?.[i] === true);
  // A fused loop with a result of the call makes new buffers on every call, its intermediates too.
  const freshFused = new Set<number>();
  for (const step of steps) {
    if (step.kind === "eqn") continue;
    const outSlots = step.outputs.map((o) => slotMap.get(o.id)!);
    if (outSlots.every((slot) => !escaping.has(slot))) continue;
    for (const slot of outSlots) if (!escaping.has(slot)) freshFused.add(slot);
  }
  const recycleAfter = recyclingPlan(steps, jaxpr, slotMap, new Set(donated), freshFused);
  const planned = steps.map((step, i): PlannedStep => {
    if (step.kind === "eqn") {
      const e = step.eqn;
      const impl = e.prim.impl.bind(e.prim);
      const params = e.params;
      return { run: (args: ConcreteTensor[]) => impl(args, params), inputs: e.inputs.map(operand), outputs: e.outputs.map((v) => slotMap.get(v.id)!) };
    }
    const dtypes = step.outputs.map((v) => v.aval.dtype);
    const weak = step.outputs.map((v) => v.aval.weakType);
    const { kernel } = step;
    const shape = step.shape;
    const outSlotsOfStep = step.outputs.map((v) => slotMap.get(v.id)!);
    // Intermediates that never escape the call get buffers allocated once and reused.
    const reusable = outSlotsOfStep.every((slot) => !escaping.has(slot));
    let buffers: TypedArray[] | undefined;
    const size = shape.reduce((a, b) => a * b, 1);
    // Results of the call may take the storage of inputs read last here (see inPlaceCandidates).
    const escapes = outSlotsOfStep.map((slot) => escaping.has(slot));
    const inPlace = reusable ? [] : inPlaceCandidates(dtypes, escapes, shape, recycleAfter.get(i) ?? [], slotMap, step);
    const run = reusable
      ? (args: ConcreteTensor[]) => {
          if (!buffers) {
            buffers = dtypes.map((d) => allocate(d, size));
            for (const b of buffers) reused.add(b);
          }
          return kernel.run(args, shape, dtypes, weak, buffers);
        }
      : inPlace.length === 0
        ? (args: ConcreteTensor[]) => kernel.run(args, shape, dtypes, weak)
        : (args: ConcreteTensor[], recyclable?: readonly (TypedArray | null)[]) => kernel.run(args, shape, dtypes, weak, inPlaceBuffers(kernel, args, shape, dtypes, size, inPlace, recyclable));
    return { run, inputs: step.inputs.map(operand), outputs: outSlotsOfStep };
  });
  const outs = jaxpr.outs.map(operand);
  const run = straightLine(planned, outs, jaxpr.inVars.length, reused, recycleAfter, donated);
  return Object.assign(run, { steps });
}

/** An output of a fused step that may be written into the storage of one of its inputs. */
interface InPlace {
  /** The output's index. */
  readonly output: number;
  /** The input's index among the step's operands. */
  readonly input: number;
  /** The input's slot (a donated argument when below the number of inputs). */
  readonly slot: number;
}

/**
 * The outputs of a fused step that may take an input's storage (one input each): outputs that
 * escape the call (an optimiser's new parameters and states), inputs whose buffers the plan
 * hands back right after this step (`recycled`: their last reader, nothing escaping aliases
 * them: a donated argument, or an intermediate) and whose aval is the output's. Whether it
 * happens is decided per call ({@link inPlaceBuffers}).
 */
function inPlaceCandidates(
  dtypes: readonly DType[],
  escapes: readonly boolean[],
  shape: readonly number[],
  recycled: readonly number[],
  slotMap: ReadonlyMap<number, number>,
  step: Step,
): InPlace[] {
  if (step.kind === "eqn") return [];
  const taken = new Set<number>();
  const found: InPlace[] = [];
  dtypes.forEach((dtype, output) => {
    // Only outputs that escape: an intermediate's buffer is not the plan's to hand back later.
    if (!escapes[output]) return;
    const input = step.inputs.findIndex((a, j) => {
      if (a.kind !== "var" || taken.has(j)) return false;
      return recycled.includes(slotMap.get(a.v.id)!) && a.v.aval.dtype === dtype && a.v.aval.shape.length === shape.length && a.v.aval.shape.every((n, k) => n === shape[k]);
    });
    if (input < 0) return;
    taken.add(input);
    const a = step.inputs[input]!;
    found.push({ output, input, slot: a.kind === "var" ? slotMap.get(a.v.id)! : -1 });
  });
  return found;
}

/**
 * The output buffers of one call of a fused step with in-place candidates: a candidate input's
 * storage where this call allows it (the program runs as its own Wasm function, the input is
 * contiguous from its first element and owns its block of the kernel memory, no other operand
 * shares that storage, and a donated argument's buffer is recyclable in this call), new arrays
 * otherwise. A storage taken is claimed ({@link claimForOutput}) so that the executor does not
 * hand it back after the step.
 */
function inPlaceBuffers(
  kernel: FusedKernel,
  args: readonly ConcreteTensor[],
  shape: readonly number[],
  dtypes: readonly DType[],
  size: number,
  inPlace: readonly InPlace[],
  recyclable: readonly (TypedArray | null)[] | undefined,
): TypedArray[] | undefined {
  if (!kernel.writesInPlace(args, shape)) return undefined;
  let buffers: TypedArray[] | undefined;
  for (const { output, input, slot } of inPlace) {
    const t = args[input]!;
    const data = t.data;
    if (!t.isContiguous || data.length !== size || !ownsResidentBlock(data)) continue;
    if (slot < (recyclable?.length ?? 0) && recyclable![slot] !== data) continue;
    if (args.some((x, k) => k !== input && x.data === data)) continue;
    buffers ??= dtypes.map(() => null as unknown as TypedArray);
    buffers[output] = data;
    claimForOutput(data);
  }
  if (buffers === undefined) return undefined;
  return buffers.map((b, q) => b ?? allocateUninitialized(dtypes[q]!, size));
}
