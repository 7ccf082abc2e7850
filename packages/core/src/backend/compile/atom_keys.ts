import type { Atom } from "../../jaxpr.js";

/**
 * A function naming atoms for comparing equations' operands: a variable by its id (`v3`), a
 * constant by identity (`c0`, `c1`, ... in order of first sight), so two equations read the
 * same operands exactly when their keys match.
 * Example: `const key = atomKeys(); e.inputs.map(key).join(",")`.
 */
export function atomKeys(): (a: Atom) => string {
  const constantIds = new Map<object, number>();
  return (a) => {
    if (a.kind === "var") return `v${a.v.id}`;
    let id = constantIds.get(a.value);
    if (id === undefined) constantIds.set(a.value, (id = constantIds.size));
    return `c${id}`;
  };
}
