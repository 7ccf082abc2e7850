/**
 * The per-call checks of buffer donation in `jit` (JAX's rules): no argument may be a deleted
 * (already donated) array, and a donated buffer may appear once among the call's array leaves
 * (JAX: "Attempt to donate the same buffer twice"), else the call could recycle memory that
 * another argument still reads.
 */
import { ValueError, type ConcreteTensor } from "@connex/core";
import { coversStorage } from "@connex/core/internal";

/** Where one traced leaf came from, for error messages. */
export interface LeafPlace {
  readonly arg: number;
  readonly leaf: number;
  /** How many array-or-number leaves its argument has (1: name the argument alone). */
  readonly of: number;
}

/** `argument 2` or `argument 2 (leaf 5)`. */
export function placeText(p: LeafPlace): string {
  return p.of > 1 ? `argument ${p.arg} (leaf ${p.leaf})` : `argument ${p.arg}`;
}

/**
 * Throw a `ValueError` naming both places if a donated leaf is passed twice, or shares its
 * buffer with another leaf of the call (donated or not). A donated view of part of a larger
 * array donates only itself; a donated whole array donates its buffer, which no other leaf may
 * view.
 */
export function checkDonatedLeaves(where: string, traced: readonly ConcreteTensor[], donated: readonly boolean[], places: readonly LeafPlace[]): void {
  const byTensor = new Map<ConcreteTensor, number>();
  const byBuffer = new Map<object, number>();
  for (let i = 0; i < traced.length; i++) {
    if (!donated[i]) continue;
    const t = traced[i]!;
    const first = byTensor.get(t);
    if (first !== undefined) throw twice(where, places[first]!, places[i]!);
    byTensor.set(t, i);
    if (coversStorage(t)) {
      const other = byBuffer.get(t.data);
      if (other !== undefined) throw twice(where, places[other]!, places[i]!);
      byBuffer.set(t.data, i);
    }
  }
  if (byTensor.size === 0) return;
  for (let i = 0; i < traced.length; i++) {
    const t = traced[i]!;
    const owner = byBuffer.get(t.data) ?? (donated[i] ? undefined : byTensor.get(t));
    if (owner === undefined || owner === i) continue;
    throw new ValueError(
      `${where}: ${placeText(places[i]!)} shares its buffer with the donated ${placeText(places[owner]!)} (the same array, or a view of it); ` +
        `the call may reuse a donated buffer for its results while the other argument reads it. Pass a copy (np.array(x)), or do not donate it.`,
    );
  }
}

function twice(where: string, a: LeafPlace, b: LeafPlace): ValueError {
  return new ValueError(`${where}: the same buffer is donated twice, as ${placeText(a)} and ${placeText(b)}; donate each array once (pass a copy, np.array(x), for the second)`);
}
