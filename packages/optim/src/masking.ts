/**
 * Per-parameter-group settings: `maskedTransform` applies a transformation to the masked-in
 * leaves only (the others' updates pass through unchanged and get no state), and
 * `multiTransform` gives each labelled group of parameters its own transformation.
 *
 * Masks and labels are pytrees shaped like the parameters, or a prefix of them (a boolean at
 * a subtree covers all its leaves), or functions building one from the parameters (called on
 * the parameters in `init` and on the updates in `update`, as Optax does). Masked-out leaves
 * are replaced by `null` for the inner transformation, the role of Optax's `MaskedNode`.
 */
import { tree } from "@connex/core";
import { OptimError } from "./errors.js";
import { flattenWithNulls, unflattenWithNulls } from "./leafwise.js";
import { requireTransformation, type GradientTransformation } from "./transform.js";

/** A tree of booleans shaped like the parameters (or a prefix of them), or a function building one. */
export type Mask = boolean | object | ((tree: unknown) => unknown);

/** Labels of parameter groups: a tree of strings (or a prefix), or a function building one. */
export type Labels = string | object | ((tree: unknown) => unknown);

const isNullish = (x: unknown): boolean => x === null || x === undefined;

/** True when core's `tree` sees `x` as a single leaf (null included). */
function isTreeLeaf(x: unknown): boolean {
  const [leaves] = flattenWithNulls(x);
  return leaves.length === 1 && leaves[0] === x;
}

/** The immediate children of a node, as leaves, and the one-level structure. */
function children(x: unknown): [unknown[], ReturnType<typeof flattenWithNulls>[1]] {
  return tree.flatten(x, { isLeaf: (y: unknown) => y !== x || isNullish(y) });
}

/**
 * For each leaf of `full` (nulls included), the leaf of `prefix` whose subtree contains it.
 * Throws when `prefix` is not a prefix of `full`'s structure.
 */
function broadcastPrefix(where: string, prefix: unknown, full: unknown): unknown[] {
  const [fullLeaves, fullDef] = flattenWithNulls(full);
  if (isTreeLeaf(prefix)) return fullLeaves.map(() => prefix);
  const [prefixLeaves, prefixDef] = flattenWithNulls(prefix);
  if (prefixDef.equals(fullDef)) return prefixLeaves;
  const [prefixKids, prefixKidsDef] = children(prefix);
  const [fullKids, fullKidsDef] = children(full);
  if (!prefixKidsDef.equals(fullKidsDef)) {
    throw new OptimError(
      `${where}: the mask/labels structure ${String(prefixDef)} is not a prefix of the parameters' structure ${String(fullDef)}`,
    );
  }
  return prefixKids.flatMap((kid, i) => broadcastPrefix(where, kid, fullKids[i]));
}

/** `t` with the leaves where `keep` is false replaced by `null`. */
function keepLeaves(t: unknown, keep: readonly boolean[]): unknown {
  const [leaves, def] = flattenWithNulls(t);
  return unflattenWithNulls(def, leaves.map((x, i) => (keep[i] ? x : null)));
}

/** State of `maskedTransform`: the inner transformation's state (over the masked-in leaves). */
export interface MaskedState {
  /** The inner transformation's state, over the masked-in leaves only. */
  innerState: unknown;
}

/** `inner` applied where `keepOf(tree)` is true; the core of both public functions below. */
function maskedBy(inner: GradientTransformation, keepOf: (t: unknown) => boolean[]): GradientTransformation<MaskedState> {
  return {
    init: (params) => ({ innerState: inner.init(keepLeaves(params, keepOf(params))) }),
    update(updates, state, params) {
      const keep = keepOf(updates);
      const maskedParams = params === undefined ? undefined : keepLeaves(params, keep);
      const [innerUpdates, innerState] = inner.update(keepLeaves(updates, keep), state.innerState, maskedParams);
      const [oldLeaves, def] = flattenWithNulls(updates);
      const [newLeaves] = flattenWithNulls(innerUpdates);
      const merged = unflattenWithNulls(def, oldLeaves.map((old, i) => (keep[i] ? newLeaves[i] : old)));
      return [merged as typeof updates, { innerState }];
    },
  };
}

/**
 * Apply `inner` only to the leaves where `mask` is true; the other updates pass through
 * unchanged (and `inner` keeps no state for them).
 *
 * @example
 * const decayMatrices = maskedTransform(addDecayedWeights({ weightDecay: 1e-4 }), (p) => tree.map((x) => x.ndim > 1, p));
 */
export function maskedTransform(inner: GradientTransformation, mask: Mask): GradientTransformation<MaskedState> {
  const where = "maskedTransform";
  requireTransformation(where, "inner", inner);
  return maskedBy(inner, (t) => {
    const maskTree = typeof mask === "function" ? mask(t) : mask;
    return broadcastPrefix(where, maskTree, t).map((m) => {
      if (isNullish(m)) return false;
      if (typeof m === "boolean") return m;
      throw new OptimError(`${where}: mask leaves must be booleans, got ${typeof m} ${String(m)}`);
    });
  });
}

/**
 * Optax's name for `maskedTransform`.
 *
 * @example
 * const opt = masked(addDecayedWeights({ weightDecay: 1e-4 }), { w: true, b: false });
 */
export const masked = maskedTransform;

/** State of `multiTransform`: each group's (masked) inner state, by label. */
export interface MultiTransformState {
  /** Each group's transformation state, by group label. */
  innerStates: Record<string, unknown>;
}

/**
 * A different transformation per group of parameters: `labels` gives each leaf a group name
 * (a key of `transforms`); `null` labels leave a leaf's updates untouched.
 *
 * @example
 * const opt = multiTransform({ fast: adam(1e-2), frozen: setToZero() }, { encoder: "frozen", head: "fast" });
 */
export function multiTransform(
  transforms: Readonly<Record<string, GradientTransformation>>,
  labels: Labels,
): GradientTransformation<MultiTransformState> {
  const where = "multiTransform";
  if (typeof transforms !== "object" || transforms === null) throw new OptimError(`${where}: transforms must be an object of named transformations, got ${typeof transforms}`);
  for (const [name, t] of Object.entries(transforms)) requireTransformation(where, `transforms.${name}`, t);
  const groups = Object.keys(transforms);
  const labelsOf = (t: unknown): (string | null)[] => {
    const labelTree = typeof labels === "function" ? labels(t) : labels;
    const perLeaf = broadcastPrefix(where, labelTree, t).map((l) => {
      if (isNullish(l)) return null;
      if (typeof l === "string" || typeof l === "number") return String(l);
      throw new OptimError(`${where}: labels must be strings, got ${typeof l} ${String(l)}`);
    });
    const unknown = [...new Set(perLeaf.filter((l): l is string => l !== null && !groups.includes(l)))];
    if (unknown.length > 0) {
      throw new OptimError(
        `${where}: no transformation for label(s) ${unknown.map((l) => JSON.stringify(l)).join(", ")}; transforms has ${groups.map((g) => JSON.stringify(g)).join(", ")}`,
      );
    }
    return perLeaf;
  };
  const groupTransform = (group: string): GradientTransformation<MaskedState> =>
    maskedBy(transforms[group]!, (t) => labelsOf(t).map((l) => l === group));
  const perGroup = Object.fromEntries(groups.map((g) => [g, groupTransform(g)]));
  return {
    init: (params) => ({ innerStates: Object.fromEntries(groups.map((g) => [g, perGroup[g]!.init(params)])) }),
    update(updates, state, params) {
      let current = updates;
      const innerStates: Record<string, unknown> = {};
      for (const g of groups) {
        if (!(g in state.innerStates)) throw new OptimError(`${where}: the state has no entry for group ${JSON.stringify(g)}`);
        const [next, s] = perGroup[g]!.update(current, state.innerStates[g] as MaskedState, params);
        current = next;
        innerStates[g] = s;
      }
      return [current, { innerStates }];
    },
  };
}
