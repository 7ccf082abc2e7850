import type { ConcreteTensor } from "@connex/core";
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

  const planned = fuse(jaxpr).map((step) => {
    if (step.kind === "eqn") {
      const e = step.eqn;
      const impl = e.prim.impl.bind(e.prim);
      const params = e.params;
      return { run: (args: ConcreteTensor[]) => impl(args, params), inputs: e.inputs.map(operand), outputs: e.outputs.map((v) => slotMap.get(v.id)!) };
    }
    const dtypes = step.outputs.map((v) => v.aval.dtype);
    const weak = step.outputs.map((v) => v.aval.weakType);
    const { kernel, shape } = step;
    return { run: (args: ConcreteTensor[]) => kernel.run(args, shape, dtypes, weak), inputs: step.inputs.map(operand), outputs: step.outputs.map((v) => slotMap.get(v.id)!) };
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
    return outs.map((x) => x.value ?? env[x.slot]!);
  };
}
