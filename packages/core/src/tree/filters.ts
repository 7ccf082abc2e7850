/**
 * Equinox's filtering helpers: split a pytree into the leaves a predicate selects and the
 * rest (`filter`, `partition`), and put the pieces back together (`combine`).
 */
import { isFloat } from "../dtype.js";
import { checkOptions } from "../arguments.js";
import { ValueError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { flatten, flattenUpTo, type IsLeaf, unflatten } from "./tree.js";
import { TreeStructureError } from "./structure_error.js";

/**
 * True for tensors (concrete or traced).
 *
 * @example
 * isArray(np.zeros([2])); // true; isArray(1) is false
 */
export function isArray(x: unknown): x is Tensor {
  return x instanceof Tensor;
}

/**
 * True for tensors of a floating-point dtype: the leaves `filterGrad` differentiates.
 *
 * @example
 * isInexactArray(np.zeros([2])); // true; an int32 tensor gives false
 */
export function isInexactArray(x: unknown): x is Tensor {
  return x instanceof Tensor && isFloat(x.dtype);
}

/**
 * What selects leaves: a predicate on leaves, or a filter spec, a pytree prefix of the tree
 * whose leaves are booleans (select the whole subtree or none of it) or predicates (applied to
 * the subtree's leaves), as in Equinox.
 */
export type FilterSpec = ((leaf: any) => boolean) | boolean | { readonly [key: string]: unknown } | readonly unknown[];

/** Options of `filter` and `partition`. */
export interface FilterOptions {
  /** Keep the leaves the predicate rejects instead. */
  inverse?: boolean;
  /** What unselected leaves become (default `null`). */
  replace?: unknown;
  /** Subtrees for which this returns true are treated as single leaves. */
  isLeaf?: IsLeaf;
}

/**
 * `t` with every leaf that `pred` does not select replaced by `replace` (default `null`),
 * same structure otherwise. `null` and `undefined` are nodes, so they stay as they are.
 *
 * @example
 * filter({ w: np.ones([2]), n: 3 }, isArray); // { w: Tensor, n: null }
 */
export function filter<T>(t: T, pred: FilterSpec, options: FilterOptions = {}): T {
  checkOptions("filter", options, ["inverse", "replace", "isLeaf"]);
  const inverse = options.inverse ?? false;
  const replacement = "replace" in options ? options.replace : null;
  const apply = (subtree: unknown, spec: unknown): unknown => {
    if (typeof spec === "boolean") {
      const [xs, def] = flatten(subtree, { isLeaf: options.isLeaf });
      return unflatten(def, spec !== inverse ? xs : xs.map(() => replacement));
    }
    if (typeof spec === "function") {
      const [xs, def] = flatten(subtree, { isLeaf: options.isLeaf });
      return unflatten(
        def,
        xs.map((x) => {
          const keep = (spec as (leaf: unknown) => unknown)(x);
          if (typeof keep !== "boolean") throw new ValueError(`filter: the predicate must return a boolean, got ${typeof keep}`);
          return keep !== inverse ? x : replacement;
        }),
      );
    }
    throw new ValueError(`filter: a filter spec's leaves must be booleans or predicates, got ${spec === null ? "null" : typeof spec}`);
  };
  if (typeof pred === "function" || typeof pred === "boolean") return apply(t, pred) as T;
  // A filter spec: a prefix tree of booleans/predicates.
  const [specs, specDef] = flatten(pred, { isLeaf: (x) => typeof x === "function" });
  const subtrees = flattenUpTo(specDef, t, { op: "filter", name: "the tree (against the filter spec)", isLeaf: options.isLeaf });
  return unflatten(specDef, subtrees.map((s, i) => apply(s, specs[i])));
}

/**
 * Split `t` into the leaves `pred` selects and the rest: `[filter(t, pred), filter(t, pred,
 * { inverse: true })]`. `combine(...partition(t, pred))` gives back `t`.
 *
 * @example
 * const [params, rest] = partition(model, isInexactArray);
 */
export function partition<T>(t: T, pred: FilterSpec, options: Omit<FilterOptions, "inverse"> = {}): [T, T] {
  checkOptions("partition", options, ["replace", "isLeaf"]);
  return [filter(t, pred, { ...options, inverse: false }), filter(t, pred, { ...options, inverse: true })];
}

const isNull: IsLeaf = (x) => x === null;

/**
 * Merge trees of the same structure (with `null` standing for a missing leaf): each leaf of
 * the result is the first non-null leaf among the trees at that position, or `null`.
 *
 * @example
 * combine({ a: 1, b: null }, { a: null, b: 2 }); // { a: 1, b: 2 }
 */
export function combine<T>(...trees: T[]): T {
  if (trees.length === 0) throw new ValueError("combine: needs at least one tree");
  const [first, def] = flatten(trees[0], { isLeaf: isNull });
  const out = first.slice();
  for (let k = 1; k < trees.length; k++) {
    const [xs, theirs] = flatten(trees[k], { isLeaf: isNull });
    if (!theirs.equals(def)) {
      throw new TreeStructureError(`combine: tree ${k + 1} does not have the structure of tree 1.\n  tree 1: ${def}\n  tree ${k + 1}: ${theirs}`);
    }
    for (let i = 0; i < out.length; i++) if (out[i] === null) out[i] = xs[i];
  }
  return unflatten(def, out);
}
