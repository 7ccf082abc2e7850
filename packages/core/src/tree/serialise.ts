/**
 * Saving and loading a pytree's leaves, as Equinox's `tree_serialise_leaves` /
 * `tree_deserialise_leaves`: only the leaves are stored, and loading needs a `like` tree of
 * the same structure (e.g. a freshly built model) whose leaves are replaced by the stored
 * values. The file is a safetensors file (see `safetensors.ts`), each leaf named by its path
 * (`batchParameters.0.weights`), so Python reads it with `safetensors` or a few lines of NumPy.
 *
 * What is stored, leaf by leaf (Equinox's default filter specs):
 * - tensors, with their dtype and shape;
 * - JS numbers as 0-d float64 tensors and booleans as 0-d bools (read back as numbers/booleans);
 * - nothing for any other leaf (functions, strings, ...): loading keeps `like`'s value.
 */
import { Tensor } from "../tensor.js";
import { ArgumentTypeError } from "../errors.js";
import { checkOptions, describeArgument } from "../arguments.js";
import { decodeSafetensors, encodeSafetensors, type NamedArray, readSafetensorsMetadata } from "./safetensors.js";
import { SerialisationError } from "./serialisation_error.js";
import { flatten, type IsLeaf, leavesWithPath, type PathEntry, unflatten } from "./tree.js";

/** Options of `serialiseLeaves`. */
export interface SerialiseOptions {
  /** Free-form strings stored in the file's `__metadata__` (safetensors allows only strings). */
  metadata?: Readonly<Record<string, string>>;
  /** Marks subtrees to treat as single leaves (as in `tree.flatten`). */
  isLeaf?: IsLeaf;
}

/** Options of `deserialiseLeaves`. */
export interface DeserialiseOptions {
  /** Must be the `isLeaf` the file was written with. */
  isLeaf?: IsLeaf;
}

/** Name of the root leaf when the whole tree is a single leaf (its path is empty). */
const ROOT_NAME = "value";

/**
 * The stored name of a leaf: its path entries joined by dots (`layers.0.weight`), as in a
 * PyTorch state dict.
 *
 * @example
 * leafName(["batchParameters", 0, "weights"]); // "batchParameters.0.weights"
 */
export function leafName(path: readonly PathEntry[]): string {
  if (!Array.isArray(path)) throw new ArgumentTypeError(`tree.leafName: expected an array of path entries, got ${describeArgument(path)}`);
  return path.length === 0 ? ROOT_NAME : path.map(String).join(".");
}

/** How a leaf is stored: a tensor, a number or a boolean; `null` for leaves that are not stored. */
function storedKind(leaf: unknown): "tensor" | "number" | "boolean" | null {
  if (leaf instanceof Tensor) return "tensor";
  if (typeof leaf === "number") return "number";
  if (typeof leaf === "boolean") return "boolean";
  return null;
}

/** Named leaves of `t` in flattening order, with a clear error when two names collide. */
function namedLeaves(t: unknown, isLeaf: IsLeaf | undefined, op: string): [string, unknown][] {
  const out: [string, unknown][] = [];
  const seen = new Set<string>();
  for (const [path, leaf] of leavesWithPath(t, { isLeaf })) {
    const name = leafName(path);
    if (storedKind(leaf) !== null) {
      if (seen.has(name)) {
        throw new SerialisationError(`${op}: two leaves are both named ${JSON.stringify(name)} (a key that contains "." collides with a nested path); rename one`);
      }
      seen.add(name);
    }
    out.push([name, leaf]);
  }
  return out;
}

function toNamedArray(name: string, leaf: unknown): NamedArray | null {
  const kind = storedKind(leaf);
  if (kind === "number") return { name, dtype: "float64", shape: [], data: new Float64Array([leaf as number]) };
  if (kind === "boolean") return { name, dtype: "bool", shape: [], data: new Uint8Array([leaf ? 1 : 0]) };
  if (kind === null) return null;
  const t = leaf as Tensor;
  let data;
  try {
    data = t.toTypedArray();
  } catch (e) {
    throw new SerialisationError(`tree.serialiseLeaves: leaf ${JSON.stringify(name)} has no concrete value (a traced tensor?): ${(e as Error).message}`);
  }
  return { name, dtype: t.dtype, shape: t.shape.slice(), data };
}

/**
 * The leaves of `t` as a safetensors file (`Uint8Array`): tensors, numbers and booleans, each
 * named by its path; other leaves are skipped. Read it back with `deserialiseLeaves(like, bytes)`.
 * `t` is not modified.
 *
 * @example
 * const bytes = tree.serialiseLeaves({ w: np.ones([2, 2]), step: 3 }); // header names "step" and "w"
 */
export function serialiseLeaves(t: unknown, options: SerialiseOptions = {}): Uint8Array {
  checkOptions("tree.serialiseLeaves", options, ["metadata", "isLeaf"]);
  const arrays: NamedArray[] = [];
  for (const [name, leaf] of namedLeaves(t, options.isLeaf, "tree.serialiseLeaves")) {
    const a = toNamedArray(name, leaf);
    if (a !== null) arrays.push(a);
  }
  return encodeSafetensors(arrays, options.metadata ?? {});
}

/** Quoted names, at most `limit` of them. */
function nameList(names: readonly string[], limit = 8): string {
  const shown = names.slice(0, limit).map((n) => JSON.stringify(n));
  if (names.length > limit) shown.push(`... (${names.length - limit} more)`);
  return shown.join(", ");
}

function describeLeaf(t: Tensor): string {
  return `${t.dtype} [${t.shape.join(", ")}]`;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

/**
 * A tree with `like`'s structure whose stored leaves (tensors, numbers, booleans) are read from
 * `bytes` and whose other leaves are `like`'s own. Each stored tensor must have exactly the
 * dtype and shape of `like`'s leaf, and the file must hold exactly `like`'s stored leaves:
 * anything else throws `SerialisationError` (or `CorruptFileError` for malformed bytes), and
 * nothing is built. Neither `like` nor `bytes` is modified.
 *
 * @example
 * const model = tree.deserialiseLeaves(freshModel, bytes); // freshModel's structure, saved values
 */
export function deserialiseLeaves<T>(like: T, bytes: Uint8Array, options: DeserialiseOptions = {}): T {
  const op = "tree.deserialiseLeaves";
  checkOptions(op, options, ["isLeaf"]);
  const { tensors } = decodeSafetensors(bytes);
  const named = namedLeaves(like, options.isLeaf, op);
  const [likeLeaves, def] = flatten(like, { isLeaf: options.isLeaf });
  if (likeLeaves.length !== named.length) throw new Error(`${op}: internal error: leaf counts differ`);
  const used = new Set<string>();
  const missing: string[] = [];
  const leaves = named.map(([name, leaf]) => {
    const kind = storedKind(leaf);
    if (kind === null) return leaf;
    const stored = tensors.get(name);
    if (stored === undefined) {
      missing.push(name);
      return leaf;
    }
    used.add(name);
    if (kind === "tensor") {
      const want = leaf as Tensor;
      if (stored.dtype !== want.dtype || !sameShape(stored.shape, want.shape)) {
        throw new SerialisationError(`${op}: leaf ${JSON.stringify(name)} is stored as ${describeLeaf(stored)}, but \`like\` has ${describeLeaf(want)} there`);
      }
      return stored;
    }
    if (stored.ndim !== 0 || (kind === "boolean") !== (stored.dtype === "bool")) {
      throw new SerialisationError(`${op}: leaf ${JSON.stringify(name)} is stored as ${describeLeaf(stored)}, but \`like\` has a ${kind} there`);
    }
    return kind === "boolean" ? stored.item() === 1 : stored.item();
  });
  if (missing.length > 0) {
    throw new SerialisationError(`${op}: the file has no value for ${missing.length === 1 ? "leaf" : "leaves"} ${nameList(missing)} of \`like\``);
  }
  const extra = [...tensors.keys()].filter((n) => !used.has(n));
  if (extra.length > 0) {
    throw new SerialisationError(`${op}: the file has ${extra.length === 1 ? "a tensor" : "tensors"} ${nameList(extra)} that \`like\` has no leaf for`);
  }
  return unflatten<T>(def, leaves);
}

/**
 * The string metadata stored with `serialiseLeaves(t, { metadata })` (the file is validated).
 *
 * @example
 * tree.serialisedMetadata(tree.serialiseLeaves({}, { metadata: { epoch: "3" } })); // { epoch: "3" }
 */
export function serialisedMetadata(bytes: Uint8Array): Readonly<Record<string, string>> {
  return readSafetensorsMetadata(bytes);
}
