import { operandAvals, type Eqn, type Jaxpr } from "../../jaxpr.js";
import { atomKeys } from "./atom_keys.js";

/**
 * Merges pairs of equations that one joint equation computes cheaper (`Primitive.jointWith`):
 * an equation whose primitive names a `partner` and a `joint` for its operands, and the first
 * equation of that partner with the same operands and params, become one equation of the joint
 * primitive at the earlier one's place, bound to both equations' result variables (the first
 * one's, then the partner's). Both read only those operands, so every reader of either result
 * still comes after it. A training step has such pairs: the activation in the forward pass
 * and its derivative at the same operand for the backward pass (GELU and its derivative share
 * their exp). A program without one is returned as it is.
 *
 * @example
 * const steps = fuse(mergeJointEquations(jaxpr));
 */
export function mergeJointEquations(jaxpr: Jaxpr): Jaxpr {
  const atomKey = atomKeys();
  const operandsKey = (e: Eqn, name: string) => `${name}|${e.inputs.map(atomKey).join(",")}|${JSON.stringify(e.params ?? {})}`;
  /** Each first equation that names a joint, by its partner's name, operands and params. */
  const leaders = new Map<string, { index: number; joint: Eqn["prim"] }>();
  /** The partners' names: only their equations are looked up below. */
  const partners = new Set<string>();
  jaxpr.eqns.forEach((e, i) => {
    const fact = e.prim.jointWith?.(operandAvals(e), e.params);
    if (fact === undefined) return;
    const key = operandsKey(e, fact.partner.name);
    if (!leaders.has(key)) leaders.set(key, { index: i, joint: fact.joint });
    partners.add(fact.partner.name);
  });
  if (leaders.size === 0) return jaxpr;
  /** The merged equation at the earlier index of each pair, and the later index dropped. */
  const merged = new Map<number, Eqn>();
  const dropped = new Set<number>();
  jaxpr.eqns.forEach((e, j) => {
    if (!partners.has(e.prim.name)) return;
    const key = operandsKey(e, e.prim.name);
    const leader = leaders.get(key);
    if (leader === undefined) return;
    leaders.delete(key);
    const first = jaxpr.eqns[leader.index]!;
    merged.set(Math.min(leader.index, j), { prim: leader.joint, params: first.params, inputs: first.inputs, outputs: [...first.outputs, ...e.outputs] });
    dropped.add(Math.max(leader.index, j));
  });
  if (merged.size === 0) return jaxpr;
  const eqns: Eqn[] = [];
  jaxpr.eqns.forEach((e, i) => {
    if (!dropped.has(i)) eqns.push(merged.get(i) ?? e);
  });
  return { ...jaxpr, eqns };
}
