/**
 * Pytrees: nested containers whose leaves are tensors (or other values). Plain objects,
 * arrays, Maps, `Module`s, registered node types and `null`/`undefined` (nodes without
 * children, like JAX's `None`) are nodes; tensors, numbers, booleans, strings, functions and
 * every other object are leaves.
 *
 * Flattening order: arrays by index, plain objects by sorted key (as JAX sorts dict keys),
 * Maps in insertion order, modules in declared field order (static fields are part of the
 * treedef, not children), custom nodes in the order their `flatten` returns.
 */
import { ArgumentTypeError, ValueError } from "../errors.js";
import { checkFunction, checkOptions, describeArgument } from "../arguments.js";
import { Tensor } from "../tensor.js";
import { frozenCopy, isPlainContainer, setOwn } from "./freeze.js";
import { buildModule, Module, moduleLayout, type ModuleLayout } from "./module.js";
import { nodeTypeOfConstructor, type NodeType } from "./registry.js";
import { staticEquals } from "./static_key.js";
import { TreeStructureError } from "./structure_error.js";
import { type CustomAux, LEAF_DEF, type ModuleAux, NodeKind, NULL_DEF, TreeDef, UNDEFINED_DEF } from "./treedef.js";

/** A predicate that stops flattening: values for which it returns true are leaves. */
export type IsLeaf = (x: unknown) => boolean;

/** Options of `flatten`, `leaves`, `structure` and `map`. */
export interface FlattenOptions {
  /** Called on every subtree before anything else; a `true` result makes it a leaf as a whole. */
  isLeaf?: IsLeaf;
}

/** The `isLeaf` option after checking the options object. */
function isLeafOption(where: string, options: FlattenOptions): IsLeaf | undefined {
  const { isLeaf } = checkOptions(where, options, ["isLeaf"]);
  if (isLeaf !== undefined) checkFunction(where, isLeaf, "isLeaf");
  return isLeaf;
}

/**
 * A pytree's leaves (in flattening order) and its structure.
 *
 * @example
 * const [leaves, def] = tree.flatten({ b: [1, 2], a: 3 }); // leaves [3, 1, 2]
 */
export function flatten(t: unknown, options: FlattenOptions = {}): [unknown[], TreeDef] {
  const leaves: unknown[] = [];
  const def = flattenInto(t, leaves, isLeafOption("tree.flatten", options));
  return [leaves, def];
}

/**
 * The leaves of a pytree in flattening order.
 *
 * @example
 * tree.leaves([1, { a: 2, b: null }]); // [1, 2]
 */
export function leaves(t: unknown, options: FlattenOptions = {}): unknown[] {
  const out: unknown[] = [];
  flattenInto(t, out, isLeafOption("tree.leaves", options));
  return out;
}

/**
 * The structure of a pytree.
 *
 * @example
 * tree.structure([1, [2, 3]]).toString(); // "PyTreeDef([*, [*, *]])"
 */
export function structure(t: unknown, options: FlattenOptions = {}): TreeDef {
  return flattenInto(t, [], isLeafOption("tree.structure", options));
}

/**
 * Whether `keys` are already in `sort()`'s order (UTF-16 code units, as `<` compares strings):
 * a record's keys usually are, and `sort` allocates even then (the largest allocation of a jitted
 * training step's calls, in a heap sampling profile of the sparse MNIST step).
 */
function inOrder(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return false;
  return true;
}

function flattenInto(x: unknown, leaves: unknown[], isLeaf: IsLeaf | undefined): TreeDef {
  if (isLeaf !== undefined && isLeaf(x)) {
    leaves.push(x);
    return LEAF_DEF;
  }
  if (x === null) return NULL_DEF;
  if (x === undefined) return UNDEFINED_DEF;
  if (typeof x !== "object" || x instanceof Tensor) {
    leaves.push(x);
    return LEAF_DEF;
  }
  const start = leaves.length;
  if (Array.isArray(x)) {
    const n = x.length;
    const children = new Array<TreeDef>(n);
    for (let i = 0; i < n; i++) children[i] = flattenInto(x[i], leaves, isLeaf);
    return new TreeDef(NodeKind.Array, null, children, leaves.length - start);
  }
  const proto = Object.getPrototypeOf(x) as { constructor?: unknown } | null;
  if (proto === Object.prototype || proto === null) {
    const keys = Object.keys(x);
    if (!inOrder(keys)) keys.sort();
    const n = keys.length;
    const children = new Array<TreeDef>(n);
    for (let i = 0; i < n; i++) children[i] = flattenInto((x as Record<string, unknown>)[keys[i]!], leaves, isLeaf);
    return new TreeDef(proto === null ? NodeKind.NullProtoObject : NodeKind.Object, keys, children, leaves.length - start);
  }
  const custom = nodeTypeOfConstructor(proto.constructor);
  if (custom !== undefined) {
    const [kids, data] = custom.definition.flatten(x);
    const children = new Array<TreeDef>(kids.length);
    for (let i = 0; i < kids.length; i++) children[i] = flattenInto(kids[i], leaves, isLeaf);
    const aux: CustomAux = { type: custom, data };
    return new TreeDef(NodeKind.Custom, aux, children, leaves.length - start);
  }
  if (x instanceof Module) {
    const layout = moduleLayout(x);
    const rec = x as unknown as Record<string, unknown>;
    const dyn = layout.dynamicFields;
    const children = new Array<TreeDef>(dyn.length);
    for (let i = 0; i < dyn.length; i++) children[i] = flattenInto(rec[dyn[i]!], leaves, isLeaf);
    const statics = layout.staticFields.map((f) => rec[f]);
    const aux: ModuleAux = { layout, statics };
    return new TreeDef(NodeKind.Module, aux, children, leaves.length - start);
  }
  if (x instanceof Map) {
    const keys = new Array<unknown>(x.size);
    const children = new Array<TreeDef>(x.size);
    let i = 0;
    for (const [k, v] of x) {
      keys[i] = k;
      children[i++] = flattenInto(v, leaves, isLeaf);
    }
    return new TreeDef(NodeKind.Map, keys, children, leaves.length - start);
  }
  leaves.push(x);
  return LEAF_DEF;
}

/**
 * The pytree of structure `def` with the given leaves (in flattening order). Containers are
 * new; leaves and static values are used by reference. Modules are rebuilt without calling
 * their constructor, frozen, with plain containers inside them frozen too.
 *
 * @example
 * const [leaves, def] = tree.flatten({ a: 1, b: [2] }); tree.unflatten(def, [10, 20]); // { a: 10, b: [20] }
 */
export function unflatten<T = unknown>(def: TreeDef, leaves: readonly unknown[]): T {
  if (!(def instanceof TreeDef)) throw new ValueError(`tree.unflatten: expected a TreeDef, got ${typeof def}`);
  if (!Array.isArray(leaves)) throw new ValueError(`tree.unflatten: expected an array of leaves, got ${typeof leaves}`);
  if (leaves.length !== def.numLeaves) {
    throw new ValueError(`tree.unflatten: ${def} has ${def.numLeaves} leaves, got ${leaves.length}`);
  }
  const cursor = { next: 0 };
  return build(def, leaves, cursor, false) as T;
}

/**
 * Rebuild one subtree. `inModule` is true inside a module's fields (and inside the plain
 * containers below them), where built containers are frozen to keep modules deeply immutable.
 * They are frozen, not recorded as deeply frozen (`markDeeplyFrozen`): recording costs a
 * `WeakSet` entry per container (~0.7 µs against ~0.05 for the freeze, and garbage-collector
 * work), on every unflatten of a jitted step's results: rebuilding the 3.6 % MNIST network and
 * its Adam state took 9-13 µs with the records, 3-4.5 without (2026-12-06). A container that
 * later reaches `frozenCopy` is checked once (every child frozen already, so nothing is
 * copied) and recorded then.
 */
function build(def: TreeDef, leaves: readonly unknown[], cursor: { next: number }, inModule: boolean): unknown {
  switch (def.kind) {
    case NodeKind.Leaf: {
      const leaf = leaves[cursor.next++];
      return inModule && isPlainContainer(leaf) ? frozenCopy(leaf) : leaf;
    }
    case NodeKind.Null:
      return null;
    case NodeKind.Undefined:
      return undefined;
    case NodeKind.Array: {
      const kids = def.children;
      const out = new Array<unknown>(kids.length);
      for (let i = 0; i < kids.length; i++) out[i] = build(kids[i]!, leaves, cursor, inModule);
      return inModule ? Object.freeze(out) : out;
    }
    case NodeKind.Object:
    case NodeKind.NullProtoObject: {
      const keys = def.aux as readonly string[];
      const kids = def.children;
      const out: Record<string, unknown> = def.kind === NodeKind.Object ? {} : Object.create(null);
      for (let i = 0; i < kids.length; i++) setOwn(out, keys[i]!, build(kids[i]!, leaves, cursor, inModule));
      return inModule ? Object.freeze(out) : out;
    }
    case NodeKind.Map: {
      const keys = def.aux as readonly unknown[];
      const kids = def.children;
      const out = new Map<unknown, unknown>();
      for (let i = 0; i < kids.length; i++) out.set(keys[i], build(kids[i]!, leaves, cursor, false));
      return out;
    }
    case NodeKind.Module: {
      const { layout, statics } = def.aux as ModuleAux;
      const kids = def.children;
      const values = new Array<unknown>(layout.fields.length);
      let d = 0;
      let s = 0;
      for (let i = 0; i < values.length; i++) {
        values[i] = layout.isStatic[i] ? statics[s++] : build(kids[d++]!, leaves, cursor, true);
      }
      return buildModule(layout, values);
    }
    case NodeKind.Custom: {
      const { type, data } = def.aux as CustomAux;
      const kids = def.children;
      const values = new Array<unknown>(kids.length);
      for (let i = 0; i < kids.length; i++) values[i] = build(kids[i]!, leaves, cursor, false);
      return type.definition.unflatten(data, values);
    }
  }
}

/** Options of `flattenUpTo`. */
export interface FlattenUpToOptions extends FlattenOptions {
  /** Operation name for error messages (default `"tree.flattenUpTo"`). */
  op?: string;
  /** What to call the tree being flattened in messages (default `"the tree"`). */
  name?: string;
  /**
   * Reject `null`/`undefined` where `def` has a leaf (unless `isLeaf` accepts them). Default
   * false: any subtree, `null` included, may stand where `def` has a leaf.
   */
  rejectNullAtLeaves?: boolean;
}

/**
 * Flatten `t` only as deep as `def` goes: `def` must be a prefix of `t`'s structure, and the
 * result holds, for each leaf of `def`, the whole subtree of `t` at that position. Throws
 * `TreeStructureError` naming both structures and the first differing position otherwise.
 *
 * @example
 * tree.flattenUpTo(tree.structure([0, 0]), [1, { a: 2 }]); // [1, { a: 2 }]
 */
export function flattenUpTo(def: TreeDef, t: unknown, options: FlattenUpToOptions = {}): unknown[] {
  if (!(def instanceof TreeDef)) throw new ArgumentTypeError(`tree.flattenUpTo: def must be a TreeDef (from tree.structure), got ${describeArgument(def)}`);
  checkOptions("tree.flattenUpTo", options, ["isLeaf", "op", "name", "rejectNullAtLeaves"]);
  const out: unknown[] = [];
  const path: (string | number)[] = [];
  try {
    upTo(def, t, out, path, options);
  } catch (e) {
    if (!(e instanceof Mismatch)) throw e;
    const op = options.op ?? "tree.flattenUpTo";
    const name = options.name ?? "the tree";
    const where = path.length === 0 ? "at the root" : `at ${formatPath(path)}`;
    let theirs: string;
    try {
      theirs = structure(t, { isLeaf: options.isLeaf }).toString();
    } catch {
      theirs = "(unreadable)";
    }
    throw new TreeStructureError(`${op}: ${name} does not match the expected structure ${where}: ${e.message}.\n  expected: ${def}\n  got:      ${theirs}`);
  }
  return out;
}

/** Internal signal of a structure mismatch; `flattenUpTo` turns it into a `TreeStructureError`. */
class Mismatch extends Error {}

/**
 * A readable path into a tree: `.a[0].weight`.
 *
 * @example
 * formatPath(["a", 0, "weight"]); // ".a[0].weight"
 */
export function formatPath(path: readonly PathEntry[]): string {
  if (!Array.isArray(path)) throw new ArgumentTypeError(`tree.formatPath: expected an array of path entries, got ${describeArgument(path)}`);
  return path.map((p) => (typeof p === "number" ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`)).join("") || "(root)";
}

function kindName(x: unknown): string {
  if (x === null) return "null";
  if (x === undefined) return "undefined";
  if (x instanceof Tensor) return `a tensor of shape [${x.shape.join(", ")}]`;
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (typeof x === "object") {
    const proto = Object.getPrototypeOf(x) as { constructor?: { name?: string } } | null;
    if (proto === Object.prototype || proto === null) return "a plain object";
    return `a ${proto.constructor?.name ?? "object"}`;
  }
  return `a ${typeof x}`;
}

function expectedName(def: TreeDef): string {
  switch (def.kind) {
    case NodeKind.Leaf:
      return "a leaf";
    case NodeKind.Null:
      return "null";
    case NodeKind.Undefined:
      return "undefined";
    case NodeKind.Array:
      return `an array of length ${def.children.length}`;
    case NodeKind.Object:
      return `a plain object with keys [${(def.aux as string[]).join(", ")}]`;
    case NodeKind.NullProtoObject:
      return `a null-prototype object with keys [${(def.aux as string[]).join(", ")}]`;
    case NodeKind.Map:
      return `a Map with ${def.children.length} entries`;
    case NodeKind.Module:
      return `a ${(def.aux as ModuleAux).layout.className} module`;
    case NodeKind.Custom:
      return `a ${(def.aux as CustomAux).type.name}`;
  }
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function upTo(def: TreeDef, x: unknown, out: unknown[], path: (string | number)[], opts: FlattenUpToOptions): void {
  if (def.kind === NodeKind.Leaf) {
    if (opts.rejectNullAtLeaves && (x === null || x === undefined) && !(opts.isLeaf?.(x) ?? false)) {
      throw new Mismatch(
        `found ${x} where a leaf is expected (null and undefined are nodes without children; ` +
          `pass { isLeaf: (x) => x === null } to treat null as a leaf)`,
      );
    }
    out.push(x);
    return;
  }
  if (opts.isLeaf?.(x)) throw new Mismatch(`expected ${expectedName(def)}, found a value that isLeaf marks as a leaf`);
  const mismatch = (): Mismatch => new Mismatch(`expected ${expectedName(def)}, found ${kindName(x)}`);
  const kids = def.children;
  const descend = (child: TreeDef, value: unknown, step: string | number): void => {
    path.push(step);
    upTo(child, value, out, path, opts);
    path.pop();
  };
  switch (def.kind) {
    case NodeKind.Null:
      if (x !== null) throw mismatch();
      return;
    case NodeKind.Undefined:
      if (x !== undefined) throw mismatch();
      return;
    case NodeKind.Array: {
      if (!Array.isArray(x) || x.length !== kids.length) throw mismatch();
      for (let i = 0; i < kids.length; i++) descend(kids[i]!, x[i], i);
      return;
    }
    case NodeKind.Object:
    case NodeKind.NullProtoObject: {
      if (typeof x !== "object" || x === null || Array.isArray(x)) throw mismatch();
      const proto = Object.getPrototypeOf(x) as unknown;
      if (proto !== (def.kind === NodeKind.Object ? Object.prototype : null)) throw mismatch();
      const keys = Object.keys(x).sort();
      if (!sameKeys(keys, def.aux as string[])) throw new Mismatch(`expected keys [${(def.aux as string[]).join(", ")}], found keys [${keys.join(", ")}]`);
      for (let i = 0; i < kids.length; i++) descend(kids[i]!, (x as Record<string, unknown>)[keys[i]!], keys[i]!);
      return;
    }
    case NodeKind.Map: {
      const keys = def.aux as readonly unknown[];
      if (!(x instanceof Map) || x.size !== keys.length) throw mismatch();
      let i = 0;
      for (const [k, v] of x) {
        if (!staticEquals(k, keys[i])) throw new Mismatch(`Map key ${i} differs`);
        descend(kids[i]!, v, typeof k === "string" || typeof k === "number" ? k : `<key ${i}>`);
        i++;
      }
      return;
    }
    case NodeKind.Module: {
      const { layout, statics } = def.aux as ModuleAux;
      if (!(x instanceof Module) || nodeTypeOfConstructor(Object.getPrototypeOf(x)?.constructor) !== undefined) throw mismatch();
      const theirs: ModuleLayout = moduleLayout(x);
      if (theirs !== layout) {
        throw new Mismatch(
          theirs.proto === layout.proto
            ? `${layout.className} modules with different fields or static fields`
            : `expected ${expectedName(def)}, found a ${theirs.className} module`,
        );
      }
      const rec = x as unknown as Record<string, unknown>;
      for (let i = 0; i < layout.staticFields.length; i++) {
        const f = layout.staticFields[i]!;
        if (!staticEquals(rec[f], statics[i])) throw new Mismatch(`static field ${layout.className}.${f} differs`);
      }
      const dyn = layout.dynamicFields;
      for (let i = 0; i < dyn.length; i++) descend(kids[i]!, rec[dyn[i]!], dyn[i]!);
      return;
    }
    case NodeKind.Custom: {
      const { type, data } = def.aux as CustomAux;
      if (typeof x !== "object" || x === null) throw mismatch();
      const theirType: NodeType | undefined = nodeTypeOfConstructor(Object.getPrototypeOf(x)?.constructor);
      if (theirType !== type) throw mismatch();
      const [values, theirData] = type.definition.flatten(x);
      if (!staticEquals(theirData, data)) throw new Mismatch(`the aux data of ${type.name} differs`);
      if (values.length !== kids.length) throw new Mismatch(`${type.name} has ${values.length} children, expected ${kids.length}`);
      for (let i = 0; i < kids.length; i++) descend(kids[i]!, values[i], i);
      return;
    }
  }
}

/** Options of `map`. */
export type MapOptions = FlattenOptions;

/**
 * Apply `f` to every leaf of `t` and return a tree of the same structure with the results.
 * With more trees, `f` receives the corresponding leaves of each: every tree in `rest` must
 * have `t`'s structure, where a leaf of `t` may correspond to a whole subtree (passed to `f`
 * as is) but not to `null`/`undefined` (a `TreeStructureError`: since null is a node without
 * children, it usually means a missing value; pass `{ isLeaf: (x) => x === null }` to map
 * over nulls as leaves). `null` in `t` itself is a node without leaves, so it passes through
 * untouched (and the other trees must have `null` there too). The options form takes the
 * options first: `map({ isLeaf }, f, t, ...rest)`.
 *
 * The result is typed as `t`'s type for convenience; when `f` changes the leaves' types,
 * annotate the result yourself.
 *
 * @example
 * tree.map((p, g) => np.subtract(p, np.multiply(0.1, g)), params, grads);
 */
export function map<T>(f: (leaf: any, ...rest: any[]) => unknown, t: T, ...rest: unknown[]): T;
export function map<T>(options: MapOptions, f: (leaf: any, ...rest: any[]) => unknown, t: T, ...rest: unknown[]): T;
export function map(...args: unknown[]): unknown {
  let options: MapOptions = {};
  if (typeof args[0] !== "function") {
    if (typeof args[0] !== "object" || args[0] === null) {
      throw new ValueError(`tree.map: the first argument must be the function to apply (or an options object before it), got ${kindName(args[0])}`);
    }
    options = checkOptions("tree.map", args.shift() as MapOptions, ["isLeaf"]);
    if (typeof args[0] !== "function") throw new ValueError(`tree.map: expected the function to apply after the options, got ${kindName(args[0])}`);
  }
  if (args.length < 2) throw new ValueError(`tree.map: no tree given`);
  const f = args[0] as (...xs: unknown[]) => unknown;
  const [xs, def] = flatten(args[1], options);
  const others = args.slice(2).map((r, i) =>
    flattenUpTo(def, r, { isLeaf: options.isLeaf, op: "tree.map", name: `tree ${i + 2}`, rejectNullAtLeaves: true }),
  );
  const out = new Array<unknown>(xs.length);
  if (others.length === 0) {
    for (let i = 0; i < xs.length; i++) out[i] = f(xs[i]);
  } else if (others.length === 1) {
    const ys = others[0]!;
    for (let i = 0; i < xs.length; i++) out[i] = f(xs[i], ys[i]);
  } else {
    for (let i = 0; i < xs.length; i++) out[i] = f(xs[i], ...others.map((o) => o[i]));
  }
  return unflatten(def, out);
}

/** One step of a path into a tree: an array index, an object key or module field, a Map key (or `<key i>`). */
export type PathEntry = string | number;

/**
 * The children of a node with the path steps leading to them, in flattening order; `null`
 * for leaves and for `null`/`undefined`.
 */
function nodeEntries(x: unknown): [PathEntry[], unknown[]] | null {
  if (x === null || typeof x !== "object" || x instanceof Tensor) return null;
  if (Array.isArray(x)) return [x.map((_, i) => i), x.slice()];
  const proto = Object.getPrototypeOf(x) as { constructor?: unknown } | null;
  if (proto === Object.prototype || proto === null) {
    const keys = Object.keys(x).sort();
    return [keys, keys.map((k) => (x as Record<string, unknown>)[k])];
  }
  const custom = nodeTypeOfConstructor(proto.constructor);
  if (custom !== undefined) {
    const [kids] = custom.definition.flatten(x);
    return [kids.map((_, i) => i), [...kids]];
  }
  if (x instanceof Module) {
    const dyn = moduleLayout(x).dynamicFields;
    return [[...dyn], dyn.map((f) => (x as unknown as Record<string, unknown>)[f])];
  }
  if (x instanceof Map) {
    const steps: PathEntry[] = [];
    const values: unknown[] = [];
    let i = 0;
    for (const [k, v] of x) {
      steps.push(typeof k === "string" || typeof k === "number" ? k : `<key ${i}>`);
      values.push(v);
      i++;
    }
    return [steps, values];
  }
  return null;
}

/**
 * The path of every leaf, in flattening order, with the leaf (like JAX's
 * `tree_flatten_with_path`). Render a path with `formatPath`.
 *
 * @example
 * tree.leavesWithPath({ a: [1, 2] }); // [[["a", 0], 1], [["a", 1], 2]]
 */
export function leavesWithPath(t: unknown, options: FlattenOptions = {}): [PathEntry[], unknown][] {
  isLeafOption("tree.leavesWithPath", options);
  const out: [PathEntry[], unknown][] = [];
  const visit = (x: unknown, path: PathEntry[]): void => {
    if (options.isLeaf?.(x)) {
      out.push([path, x]);
      return;
    }
    if (x === null || x === undefined) return;
    const entries = nodeEntries(x);
    if (entries === null) {
      out.push([path, x]);
      return;
    }
    const [steps, values] = entries;
    for (let i = 0; i < steps.length; i++) visit(values[i], [...path, steps[i]!]);
  };
  visit(t, []);
  return out;
}
