import { allocate, ConcreteTensor, type TypedArray } from "@connex/core";
import type { Atom, Jaxpr } from "./jaxpr.js";
import { fuse } from "./fuse.js";

/** A compiled jaxpr: concrete inputs in, concrete outputs out. */
export type Executable = (inputs: readonly ConcreteTensor[]) => ConcreteTensor[];

interface Operand {
  /** Slot of a variable, or -1 for a constant. */
  readonly slot: number;
  readonly value: ConcreteTensor | null;
}

interface PlannedStep {
  run(args: ConcreteTensor[]): ConcreteTensor[];
  readonly inputs: readonly Operand[];
  readonly outputs: readonly number[];
  /** Slots whose last use is this step (released after it). */
  readonly release: readonly number[];
}

/**
 * Compile a jaxpr into a closure. Elementwise chains run as fused generated loops (see
 * `fuse.ts`); every other equation calls its primitive's kernel directly: no dispatch, no
 * re-validation (shapes were checked while tracing), operands resolved to slots ahead of time,
 * and every intermediate released after its last use.
 */
export function compileJaxpr(jaxpr: Jaxpr): Executable {
  const slotMap = new Map<number, number>();
  let slots = 0;
  for (const v of jaxpr.inVars) slotMap.set(v.id, slots++);
  for (const e of jaxpr.eqns) for (const v of e.outputs) slotMap.set(v.id, slots++);
  const operand = (a: Atom): Operand => (a.kind === "var" ? { slot: slotMap.get(a.v.id)!, value: null } : { slot: -1, value: a.value });

  const steps0 = fuse(jaxpr);
  /** Buffers reused across calls; an output found to share one is copied (belt and braces). */
  const reused = new Set<TypedArray>();
  const escaping = escapingSlots(jaxpr, slotMap);
  const planned = steps0.map((step) => {
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
  const outSlots = new Set(outs.filter((o) => o.value === null).map((o) => o.slot));
  const lastUse = new Map<number, number>();
  planned.forEach((s, i) => s.inputs.forEach((x) => x.value === null && lastUse.set(x.slot, i)));
  const steps: PlannedStep[] = planned.map((s, i) => ({
    ...s,
    release: [...new Set(s.inputs.filter((x) => x.value === null && lastUse.get(x.slot) === i && !outSlots.has(x.slot)).map((x) => x.slot))],
  }));
  const numIn = jaxpr.inVars.length;

  return (inputs) => {
    const env = new Array<ConcreteTensor | undefined>(slots);
    for (let i = 0; i < numIn; i++) env[i] = inputs[i];
    for (const s of steps) {
      const args = s.inputs.map((x) => x.value ?? env[x.slot]!);
      const res = s.run(args);
      for (let k = 0; k < s.outputs.length; k++) env[s.outputs[k]!] = res[k];
      for (const r of s.release) env[r] = undefined;
    }
    return outs.map((x) => {
      const t = x.value ?? env[x.slot]!;
      return reused.has(t.nd.data) ? ConcreteTensor.fromData(t.copyData(), t.shape, t.dtype, t.weakType) : t;
    });
  };
}

/** Primitives whose concrete output may share its operand's buffer (views, identities). */
const VIEW_PRIMITIVES = new Set(["broadcast_in_dim", "reshape", "transpose", "slice", "stop_gradient", "convert_element_type", "squeeze", "expand_dims"]);

/**
 * Slots whose buffers can outlive the call: the outputs, and (transitively) every operand of
 * a view-producing equation whose result does. Their buffers must be fresh on every call.
 */
function escapingSlots(jaxpr: Jaxpr, slotMap: Map<number, number>): Set<number> {
  const escaping = new Set<number>();
  for (const a of jaxpr.outs) if (a.kind === "var") escaping.add(slotMap.get(a.v.id)!);
  for (let i = jaxpr.eqns.length - 1; i >= 0; i--) {
    const e = jaxpr.eqns[i]!;
    if (!VIEW_PRIMITIVES.has(e.prim.name)) continue;
    if (!e.outputs.some((v) => escaping.has(slotMap.get(v.id)!))) continue;
    for (const a of e.inputs) if (a.kind === "var") escaping.add(slotMap.get(a.v.id)!);
  }
  return escaping;
}
