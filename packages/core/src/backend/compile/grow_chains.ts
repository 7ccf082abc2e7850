import { operandAvals, type Eqn, type Jaxpr } from "../../jaxpr.js";
import { atomKeys } from "./atom_keys.js";

/** What a `growsWith` fact names: the primitives of a chain's first and later equations. */
type GrowthFact = NonNullable<ReturnType<NonNullable<Eqn["prim"]["growsWith"]>>>;

/**
 * Grows chains of equations in one buffer (`Primitive.growsWith`): an equation whose operands
 * start with all of an earlier equation's operands (same primitive, same params; that earlier
 * one extended by no other) continues that equation's chain. A chain of two or more becomes
 * an equation of the fact's `open` primitive at its first place (params `{ capacity }`: the
 * leading length of the chain's last result), then one of `extend` at each later place, over
 * the previous result and the operands that follow the previous one's. Every equation keeps its
 * result variable and place, so readers are unchanged; the values are the same. A densely
 * connected network's layer inputs (`[x, h1]`, `[x, h1, h2]`, ...) then copy each layer's
 * activations once, where each concatenation copied every operand again. A program without a
 * chain is returned as it is.
 *
 * @example
 * const steps = fuse(growChains(jaxpr));
 */
export function growChains(jaxpr: Jaxpr): Jaxpr {
  const atomKey = atomKeys();
  /** The equations with the fact: index, operand keys, and the key of primitive and params. */
  const candidates: { index: number; keys: string[]; kind: string }[] = [];
  /** Each candidate's fact, by equation index. */
  const facts = new Map<number, GrowthFact>();
  jaxpr.eqns.forEach((e, index) => {
    if (e.outputs.length !== 1) return;
    const fact = e.prim.growsWith?.(operandAvals(e), e.params);
    if (fact === undefined) return;
    candidates.push({ index, keys: e.inputs.map(atomKey), kind: `${e.prim.name}|${JSON.stringify(e.params ?? {})}` });
    facts.set(index, fact);
  });
  if (candidates.length < 2) return jaxpr;
  /** The equation each one extends (by index), and the ones already extended. */
  const extendsFrom = new Map<number, number>();
  const extended = new Set<number>();
  candidates.forEach((c, j) => {
    // The longest earlier operand list that this one's starts with, not yet extended.
    let best = -1;
    for (let p = 0; p < j; p++) {
      const q = candidates[p]!;
      if (q.kind !== c.kind || extended.has(q.index) || q.keys.length >= c.keys.length) continue;
      if (best >= 0 && candidates[best]!.keys.length >= q.keys.length) continue;
      if (q.keys.every((k, i) => k === c.keys[i])) best = p;
    }
    if (best < 0) return;
    extendsFrom.set(c.index, candidates[best]!.index);
    extended.add(candidates[best]!.index);
  });
  if (extendsFrom.size === 0) return jaxpr;
  // Each chain's head and last equation: walk back from every equation that nothing extends.
  const replaced = new Map<number, Eqn>();
  for (const { index } of candidates) {
    if (extended.has(index) || !extendsFrom.has(index)) continue;
    const last = jaxpr.eqns[index]!;
    const capacity = last.outputs[0]!.aval.shape[0]!;
    for (let at = index; ; ) {
      const e = jaxpr.eqns[at]!;
      const fact = facts.get(at)!;
      const from = extendsFrom.get(at);
      if (from === undefined) {
        replaced.set(at, { prim: fact.open, params: { capacity }, inputs: e.inputs, outputs: e.outputs });
        break;
      }
      const previous = jaxpr.eqns[from]!;
      replaced.set(at, { prim: fact.extend, params: {}, inputs: [{ kind: "var", v: previous.outputs[0]! }, ...e.inputs.slice(previous.inputs.length)], outputs: e.outputs });
      at = from;
    }
  }
  return { ...jaxpr, eqns: jaxpr.eqns.map((e, i) => replaced.get(i) ?? e) };
}
