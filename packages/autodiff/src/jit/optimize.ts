import type { ConcreteTensor } from "@connex/core";
import type { Atom, Eqn, Jaxpr, Var } from "@connex/core/internal";

/** Remove equations none of whose outputs reach the jaxpr's outputs. */
export function eliminateDeadCode(jaxpr: Jaxpr): Jaxpr {
  const live = new Set<number>();
  for (const a of jaxpr.outs) if (a.kind === "var") live.add(a.v.id);
  const kept: Eqn[] = [];
  for (let i = jaxpr.eqns.length - 1; i >= 0; i--) {
    const e = jaxpr.eqns[i]!;
    if (!e.outputs.some((v) => live.has(v.id))) continue;
    kept.push(e);
    for (const a of e.inputs) if (a.kind === "var") live.add(a.v.id);
  }
  kept.reverse();
  return { ...jaxpr, eqns: kept };
}

function paramsKey(params: unknown): string {
  return JSON.stringify(params ?? {});
}

/** Constants of at most this many elements compare by value in CSE (bigger ones by identity). */
const SMALL_CONSTANT = 16;

/**
 * A key equal for constants with the same dtype, weak type, shape and values (whatever their
 * layout; -0 and 0 differ, NaNs are equal), or null for big ones. Tracing makes a new constant
 * for every JS number it meets, so without this an optimiser's `1 - b1 ** count`, traced once
 * per parameter, stayed one computation per parameter.
 */
function smallConstantKey(c: ConcreteTensor): string | null {
  if (c.size > SMALL_CONSTANT) return null;
  const values = c.contiguousData();
  let text = "";
  for (let i = 0; i < values.length; i++) text += `${i ? "," : ""}${Object.is(values[i], -0) ? "-0" : values[i]}`;
  return `k${c.dtype}${c.weakType ? "~" : ""}[${c.shape.join(",")}]:${text}`;
}

/**
 * Merge equations that apply the same primitive with the same params to the same operands
 * (common subexpressions). Constants compare by identity. Random primitives are pure functions
 * of their key operands, so merging them is sound too.
 */
export function eliminateCommonSubexpressions(jaxpr: Jaxpr): Jaxpr {
  const replace = new Map<number, Var>();
  const constIds = new Map<object, number>();
  const atomKey = (a: Atom): string => {
    if (a.kind === "var") return `v${(replace.get(a.v.id) ?? a.v).id}`;
    const byValue = smallConstantKey(a.value);
    if (byValue !== null) return byValue;
    let id = constIds.get(a.value);
    if (id === undefined) {
      id = constIds.size;
      constIds.set(a.value, id);
    }
    return `c${id}`;
  };
  const rename = (a: Atom): Atom => (a.kind === "var" && replace.has(a.v.id) ? { kind: "var", v: replace.get(a.v.id)! } : a);
  const seen = new Map<string, Eqn>();
  const eqns: Eqn[] = [];
  for (const e of jaxpr.eqns) {
    const key = `${e.prim.name}|${paramsKey(e.params)}|${e.inputs.map(atomKey).join(",")}`;
    const prev = seen.get(key);
    if (prev) {
      e.outputs.forEach((v, i) => replace.set(v.id, prev.outputs[i]!));
      continue;
    }
    const renamed: Eqn = { ...e, inputs: e.inputs.map(rename) };
    seen.set(key, renamed);
    eqns.push(renamed);
  }
  return { ...jaxpr, eqns, outs: jaxpr.outs.map(rename) };
}

export function optimize(jaxpr: Jaxpr): Jaxpr {
  return eliminateDeadCode(eliminateCommonSubexpressions(jaxpr));
}
