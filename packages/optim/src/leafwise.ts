/**
 * Leaf-by-leaf helpers over pytrees in which `null` marks "nothing here".
 *
 * Gradients of Equinox-style filtered models have `null` where a parameter is not trainable,
 * and optimiser states built from filtered parameters have `null` at the same places. Core's
 * `tree` treats `null` as a node with no children, so a tree with `null` where another has a
 * tensor would not line up. Here `null` (and `undefined`) are flattened as leaves instead: the
 * gradients, the state and the parameters then always have one leaf per parameter slot, and
 * each transformation decides what a `null` means (an update of `null` passes through and
 * leaves its state slot unchanged).
 */
import { np, tree, Tensor, type DType } from "@connex/core";
import { OptimError } from "./errors.js";

type TreeDef = ReturnType<typeof tree.flatten>[1];

const isNullish = (x: unknown): boolean => x === null || x === undefined;

/** The leaves of `t` in order (with `null`/`undefined` as leaves) and its structure. */
export function flattenWithNulls(t: unknown): [unknown[], TreeDef] {
  return tree.flatten(t, { isLeaf: isNullish });
}

/** Rebuild a tree from `flattenWithNulls` output. */
export function unflattenWithNulls(def: TreeDef, leaves: unknown[]): unknown {
  return tree.unflatten(def, leaves);
}

/** `x` as a tensor or `null`; anything else in an updates/state tree is a caller's mistake. */
function tensorOrNull(where: string, x: unknown): Tensor | null {
  if (isNullish(x)) return null;
  if (x instanceof Tensor) return x;
  throw new OptimError(`${where}: every leaf of the updates and state must be a tensor or null, got ${typeof x} ${String(x)}`);
}

/**
 * `f` applied to corresponding leaves of trees of equal structure (with `null` leaves), e.g.
 * gradients and a moment: `mapLeaves("trace", (g, t) => ..., updates, state.trace)`.
 * Leaves of the first tree (updates or state) must be tensors or `null`; leaves of the other
 * trees that are not tensors (numbers or strings of a parameter tree, say) are passed as `null`.
 */
export function mapLeaves(
  where: string,
  f: (first: Tensor | null, ...rest: (Tensor | null)[]) => Tensor | null,
  first: unknown,
  ...rest: unknown[]
): unknown {
  const [leaves, def] = flattenWithNulls(first);
  const others = rest.map((other) => {
    const [otherLeaves, otherDef] = flattenWithNulls(other);
    if (!otherDef.equals(def)) {
      throw new OptimError(`${where}: tree structures differ: ${String(def)} and ${String(otherDef)}`);
    }
    return otherLeaves.map((x) => (x instanceof Tensor ? x : null));
  });
  const out = leaves.map((leaf, i) => f(tensorOrNull(where, leaf), ...others.map((o) => o[i]!)));
  return unflattenWithNulls(def, out);
}

/** The tensor leaves of `t` (skipping `null`s). */
export function tensorLeaves(t: unknown): Tensor[] {
  return flattenWithNulls(t)[0].filter((x): x is Tensor => x instanceof Tensor);
}

/**
 * A state tree shaped like `params`: `make(p)` for every tensor leaf, `null` for every other
 * leaf (non-array fields have nothing to optimise).
 */
export function stateLike(params: unknown, make: (p: Tensor) => Tensor): unknown {
  const [leaves, def] = flattenWithNulls(params);
  return unflattenWithNulls(def, leaves.map((p) => (p instanceof Tensor ? make(p) : null)));
}

/** A tree of `value`-filled tensors shaped like `params`' tensors, in `dtype` or each leaf's own. */
export function fullLike(params: unknown, value: number, dtype?: DType): unknown {
  return stateLike(params, (p) => np.full(p.shape, value, { dtype: dtype ?? p.dtype }));
}

/** `x` converted to `dtype` (no copy when it already has it). */
export function castTo(x: Tensor, dtype: DType): Tensor {
  return x.dtype === dtype ? x : np.astype(x, dtype);
}

/** The state slot for a leaf that has an update: a missing slot means init saw no tensor there. */
export function requireState(where: string, slot: Tensor | null): Tensor {
  if (slot === null) {
    throw new OptimError(
      `${where}: got an update for a leaf that has no optimiser state (init was given null or a non-tensor there)`,
    );
  }
  return slot;
}
