/**
 * `applyUpdates`: add an optimiser's updates to a model's leaves.
 */
import { ShapeError, ValueError } from "../errors.js";
import { add, astype } from "../np/index.js";
import { Tensor } from "../tensor.js";
import { flatten, flattenUpTo, formatPath, leavesWithPath, unflatten } from "./tree.js";

const isNull = (x: unknown): boolean => x === null;

/**
 * `model` with each update added to the leaf it stands for (`np.add`, then cast back to the
 * leaf's dtype, as Optax and Equinox do). `updates` has the model's structure, except that a
 * `null` update leaves the model's leaf, or the whole subtree at that position, as it is
 * (what `filter`/`filterGrad` produce for non-trainable parts). A non-null update must fall on
 * a tensor leaf of the same shape. Neither input is modified; the result has the model's
 * structure (modules are rebuilt frozen, without calling their constructors).
 *
 * @example
 * const newModel = applyUpdates(model, updates);
 */
export function applyUpdates<T>(model: T, updates: unknown): T {
  // The updates are the structure prefix: a null update covers the model's whole subtree there.
  const [ups, def] = flatten(updates, { isLeaf: isNull });
  const parts = flattenUpTo(def, model, { op: "applyUpdates", name: "the model (against the updates' structure)" });
  const out = new Array<unknown>(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const u = ups[i];
    const p = parts[i];
    if (u === null) {
      out[i] = p;
      continue;
    }
    if (!(p instanceof Tensor)) {
      throw new ValueError(`applyUpdates: update leaf ${i} falls on ${describe(p)} in the model at ${pathOfLeaf(updates, i)}; updates can only be added to tensor leaves (use null to leave a leaf alone)`);
    }
    const sum = add(p, u as Tensor);
    if (sum.shape.length !== p.shape.length || sum.shape.some((d, k) => d !== p.shape[k])) {
      throw new ShapeError(
        `applyUpdates: the update of shape [${(u as Tensor).shape?.join(", ")}] at ${pathOfLeaf(updates, i)} would change the leaf's shape [${p.shape.join(", ")}]`,
      );
    }
    out[i] = sum.dtype === p.dtype ? sum : astype(sum, p.dtype);
  }
  return unflatten(def, out);
}

function describe(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (typeof x === "object") return `a ${(Object.getPrototypeOf(x) as { constructor?: { name?: string } } | null)?.constructor?.name ?? "object"}`;
  return `a ${typeof x} (${String(x)})`;
}

/** The path of the `index`-th leaf of `t` (with null as a leaf), for messages. */
function pathOfLeaf(t: unknown, index: number): string {
  const entry = leavesWithPath(t, { isLeaf: isNull })[index];
  return entry === undefined ? "(unknown)" : formatPath(entry[0]);
}
