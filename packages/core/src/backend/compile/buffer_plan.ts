/**
 * The jit executor's buffer plan, derived from each primitive's lowering fact
 * `outputBuffers` (never from primitive names): which slots may outlive a call, and which
 * intermediate buffers can go back to the allocator, and when.
 */
import type { Atom, Eqn, Jaxpr } from "../../jaxpr.js";
import type { Step } from "./fuse.js";

/** Whether an equation's outputs are certainly new buffers of their own (see `Primitive.outputBuffers`). */
function makesFreshBuffers(step: Step): boolean {
  return step.kind === "eqn" && step.eqn.prim.outputBuffers === "fresh";
}

/** The operands of an equation whose buffers its outputs may share (`Primitive.viewsOperands`; all by default). */
function viewedOperands(e: Eqn): readonly Atom[] {
  const which = e.prim.viewsOperands;
  return which === undefined ? e.inputs : which.flatMap((k) => (k < e.inputs.length ? [e.inputs[k]!] : []));
}

/**
 * Slots whose buffers can outlive the call: the outputs, and (transitively) every operand of
 * an equation whose result does and may share its operands' buffers (every primitive not
 * marked `"fresh"`). Their buffers must be new on every call. Fused loops write buffers of
 * their own, so they stop the walk.
 */
export function escapingSlots(steps: readonly Step[], jaxpr: Jaxpr, slotMap: ReadonlyMap<number, number>): Set<number> {
  const escaping = new Set<number>();
  for (const a of jaxpr.outs) if (a.kind === "var") escaping.add(slotMap.get(a.v.id)!);
  for (let i = steps.length - 1; i >= 0; i--) {
    const step = steps[i]!;
    if (step.kind !== "eqn" || makesFreshBuffers(step)) continue;
    const e = step.eqn;
    if (!e.outputs.some((v) => escaping.has(slotMap.get(v.id)!))) continue;
    for (const a of viewedOperands(e)) if (a.kind === "var") escaping.add(slotMap.get(a.v.id)!);
  }
  return escaping;
}

/**
 * Which intermediate buffers the call may hand back to the allocator (`recycle`), and after
 * which step: for each buffer a `"fresh"` primitive makes, the last step reading it or any
 * value that may alias it (the output of any other equation may be a view of its operands, so
 * aliasing is followed through them conservatively), unless an output of the call may alias
 * it. Big intermediates (a pruned DenseMLP step makes dozens of `[128, 250]` and larger) then
 * reuse memory across calls instead of paying for new backing stores.
 *
 * `freshFused`: outputs of fused loops that are new buffers on every call (the intermediates of
 * a loop that also makes a result of the call; a loop making only intermediates reuses its
 * buffers across calls instead), roots as a fresh equation's outputs are.
 *
 * Donated input slots (`donated`, slots `< numIn`) are roots too, produced before the first
 * step: each goes back after the last step reading it or a view of it (step -1 when nothing
 * reads it), unless an output may alias it. Whether a donated argument's buffer may really be
 * handed back (it is whole, not shared with another argument) is decided per call.
 */
export function recyclingPlan(
  steps: readonly Step[],
  jaxpr: Jaxpr,
  slotMap: ReadonlyMap<number, number>,
  donated: ReadonlySet<number> = new Set(),
  freshFused: ReadonlySet<number> = new Set(),
): Map<number, number[]> {
  const roots = new Map<number, readonly number[]>();
  const producedAt = new Map<number, number>();
  const lastUse = new Map<number, number>();
  for (const slot of donated) {
    roots.set(slot, [slot]);
    producedAt.set(slot, -1);
  }
  const rootsOf = (a: Atom): readonly number[] => (a.kind === "var" ? (roots.get(slotMap.get(a.v.id)!) ?? []) : []);
  steps.forEach((step, i) => {
    for (const a of step.kind === "eqn" ? step.eqn.inputs : step.inputs) for (const r of rootsOf(a)) lastUse.set(r, i);
    // Fused loops write buffers of their own, or (compile.ts) a result into the storage of an
    // operand this plan hands back right after the step, which the executor then keeps. The
    // intermediates of a loop that also makes a result (`freshFused`) are new buffers on every
    // call: roots, handed back after their last reader like a fresh equation's.
    if (step.kind !== "eqn") {
      for (const v of step.outputs) {
        const slot = slotMap.get(v.id)!;
        if (!freshFused.has(slot)) continue;
        roots.set(slot, [slot]);
        producedAt.set(slot, i);
      }
      return;
    }
    const fresh = makesFreshBuffers(step);
    const inherited = fresh ? [] : [...new Set(viewedOperands(step.eqn).flatMap(rootsOf))];
    for (const v of step.eqn.outputs) {
      const slot = slotMap.get(v.id)!;
      roots.set(slot, fresh ? [slot] : inherited);
      if (fresh) producedAt.set(slot, i);
    }
  });
  const escaping = new Set(jaxpr.outs.flatMap(rootsOf));
  const plan = new Map<number, number[]>();
  for (const [slot, at] of producedAt) {
    if (escaping.has(slot)) continue;
    const after = Math.max(at, lastUse.get(slot) ?? at);
    let list = plan.get(after);
    if (!list) plan.set(after, (list = []));
    list.push(slot);
  }
  return plan;
}
