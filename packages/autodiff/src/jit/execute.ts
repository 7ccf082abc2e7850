import type { ConcreteTensor } from "@connex/core";
import type { Atom, Jaxpr } from "./jaxpr.js";

/** A compiled jaxpr: concrete inputs in, concrete outputs out. */
export type Executable = (inputs: readonly ConcreteTensor[]) => ConcreteTensor[];

/**
 * Compile a jaxpr into a closure that runs each equation's kernel directly: no dispatch, no
 * re-validation (shapes were checked while tracing), operands resolved to slots ahead of time,
 * and every intermediate released after its last use.
 */
export function compileJaxpr(jaxpr: Jaxpr): Executable {
  const slotMap = new Map<number, number>();
  const slotOf = { get: (id: number): number => slotMap.get(id)!, set: (id: number, s: number) => slotMap.set(id, s) };
  let slots = 0;
  for (const v of jaxpr.inVars) slotOf.set(v.id, slots++);
  for (const e of jaxpr.eqns) for (const v of e.outputs) slotOf.set(v.id, slots++);
  const lastUse = new Map<number, number>();
  jaxpr.eqns.forEach((e, i) => e.inputs.forEach((a) => a.kind === "var" && lastUse.set(slotOf.get(a.v.id), i)));
  /** A variable's slot, or a constant (slot -1). */
  const operand = (a: Atom): { slot: number; value: ConcreteTensor | null } =>
    a.kind === "var" ? { slot: slotOf.get(a.v.id), value: null } : { slot: -1, value: a.value };
  const outSlots = new Set<number>();
  for (const a of jaxpr.outs) if (a.kind === "var") outSlots.add(slotOf.get(a.v.id)!);

  const steps = jaxpr.eqns.map((e, i) => {
    const inputs = e.inputs.map(operand);
    const outputs = e.outputs.map((v) => slotOf.get(v.id)!);
    const release = [...new Set(inputs.flatMap((x) => (x.value === null && lastUse.get(x.slot) === i && !outSlots.has(x.slot) ? [x.slot] : [])))];
    return { impl: e.prim.impl.bind(e.prim), params: e.params, inputs, outputs, release };
  });
  const outs = jaxpr.outs.map(operand);
  const numIn = jaxpr.inVars.length;

  return (inputs) => {
    const env = new Array<ConcreteTensor | undefined>(slots);
    for (let i = 0; i < numIn; i++) env[i] = inputs[i];
    for (const s of steps) {
      const args = s.inputs.map((x) => x.value ?? env[x.slot]!);
      const res = s.impl(args, s.params);
      for (let k = 0; k < s.outputs.length; k++) env[s.outputs[k]!] = res[k];
      for (const r of s.release) env[r] = undefined;
    }
    return outs.map((x) => x.value ?? env[x.slot]!);
  };
}
