/**
 * `TreeDef`: the structure of a pytree with its leaves taken out. Treedefs are compared with
 * `equals` and keyed with `key` (for caches such as jit's), and print as `PyTreeDef(...)`.
 */
import type { ModuleLayout } from "./module.js";
import type { NodeType } from "./registry.js";
import { describeStatic, staticCertainlyEqual, staticKey } from "./static_key.js";

/** The kinds of tree positions. */
export enum NodeKind {
  Leaf,
  Null,
  Undefined,
  Array,
  /** A plain object (prototype `Object.prototype`); aux: its keys, sorted. */
  Object,
  /** An object with a `null` prototype; aux: its keys, sorted. */
  NullProtoObject,
  /** A `Map`; aux: its keys in insertion order. */
  Map,
  /** A `Module`; aux: `ModuleAux`. */
  Module,
  /** A registered custom node; aux: `CustomAux`. */
  Custom,
}

/** Aux data of a module node: the layout and the static fields' values (in layout order). */
export interface ModuleAux {
  readonly layout: ModuleLayout;
  readonly statics: readonly unknown[];
}

/** Aux data of a custom node: its registered type and the aux data its `flatten` returned. */
export interface CustomAux {
  readonly type: NodeType;
  readonly data: unknown;
}

/**
 * The structure of a pytree: node kinds, object keys, module classes and static fields, with
 * a `*` for each leaf. Produced by `tree.flatten`/`tree.structure`, consumed by
 * `tree.unflatten`. Treat it as immutable.
 *
 * @example
 * tree.structure({ b: [1, 2], a: 3 }).toString(); // "PyTreeDef({a: *, b: [*, *]})"
 */
export class TreeDef {
  /** @internal */
  readonly kind: NodeKind;
  /** @internal Kind-specific data (keys, module layout and statics, custom aux). */
  readonly aux: unknown;
  /** @internal One treedef per child, in flattening order. */
  readonly children: readonly TreeDef[];
  /** How many leaves a tree of this structure has. */
  readonly numLeaves: number;
  #key: string | undefined;

  /** @internal Use `tree.flatten` or `tree.structure` to get treedefs. */
  constructor(kind: NodeKind, aux: unknown, children: readonly TreeDef[], numLeaves: number) {
    this.kind = kind;
    this.aux = aux;
    this.children = children;
    this.numLeaves = numLeaves;
  }

  /** True for the structure of a single leaf. */
  get isLeaf(): boolean {
    return this.kind === NodeKind.Leaf;
  }

  /**
   * A string that is equal for two treedefs exactly when they describe the same structure:
   * same node kinds, keys, module classes and layouts, custom node types, and static values
   * (functions and objects by identity, primitives and plain data structurally). Stable for
   * the life of the process, so it can key caches (e.g. jit's).
   *
   * @example
   * tree.structure([1, { a: 2 }]).key === tree.structure([3, { a: 4 }]).key; // true
   */
  get key(): string {
    if (this.#key === undefined) this.#key = computeKey(this);
    return this.#key;
  }

  /**
   * Whether `other` describes the same structure (see `key`).
   *
   * @example
   * tree.structure({ a: 1 }).equals(tree.structure({ a: np.zeros([2]) })); // true
   */
  equals(other: TreeDef): boolean {
    return this === other || (other instanceof TreeDef && this.numLeaves === other.numLeaves && this.key === other.key);
  }

  /**
   * Whether `other` certainly describes the same structure, checked node by node without
   * building keys: static values and custom aux data must be the same values, keyed by
   * identity (see `tree.staticCertainlyEqual`), so `false` may also mean "could not tell".
   * For hot paths such as jit's per-call signature check; `equals` gives the exact answer.
   *
   * @example
   * tree.structure({ a: [1] }).certainlyEquals(tree.structure({ a: [2] })); // true
   */
  certainlyEquals(other: TreeDef): boolean {
    if (this === other) return true;
    if (this.kind !== other.kind || this.numLeaves !== other.numLeaves || this.children.length !== other.children.length) return false;
    if (this.aux !== other.aux && !sameAux(this.kind, this.aux, other.aux)) return false;
    for (let i = 0; i < this.children.length; i++) if (!this.children[i]!.certainlyEquals(other.children[i]!)) return false;
    return true;
  }

  /**
   * A readable rendering: `PyTreeDef({a: *, b: [*, *]})`, `PyTreeDef(Linear(weight=*, act=<function relu>))`.
   *
   * @example
   * String(tree.structure([1, null])); // "PyTreeDef([*, null])"
   */
  toString(): string {
    return `PyTreeDef(${render(this)})`;
  }
}

/** Whether two lists of static values certainly key the same, element by element. */
function sameList(x: readonly unknown[], y: readonly unknown[]): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (!staticCertainlyEqual(x[i], y[i])) return false;
  return true;
}

/** Whether two aux data of nodes of `kind` certainly key the same (see `certainlyEquals`). */
function sameAux(kind: NodeKind, a: unknown, b: unknown): boolean {
  switch (kind) {
    case NodeKind.Object:
    case NodeKind.NullProtoObject:
    case NodeKind.Map:
      return sameList(a as readonly unknown[], b as readonly unknown[]);
    case NodeKind.Module: {
      const x = a as ModuleAux;
      const y = b as ModuleAux;
      return x.layout === y.layout && sameList(x.statics, y.statics);
    }
    case NodeKind.Custom: {
      const x = a as CustomAux;
      const y = b as CustomAux;
      return x.type === y.type && staticCertainlyEqual(x.data, y.data);
    }
    default:
      return a === b;
  }
}

/** The treedef of a single leaf (shared: leaves carry no data). */
export const LEAF_DEF = new TreeDef(NodeKind.Leaf, null, [], 1);
/** The treedef of `null`. */
export const NULL_DEF = new TreeDef(NodeKind.Null, null, [], 0);
/** The treedef of `undefined`. */
export const UNDEFINED_DEF = new TreeDef(NodeKind.Undefined, null, [], 0);

function childKeys(def: TreeDef): string {
  let s = "";
  for (let i = 0; i < def.children.length; i++) s += (i ? "," : "") + def.children[i]!.key;
  return s;
}

function computeKey(def: TreeDef): string {
  switch (def.kind) {
    case NodeKind.Leaf:
      return "*";
    case NodeKind.Null:
      return "N";
    case NodeKind.Undefined:
      return "U";
    case NodeKind.Array:
      return `[${childKeys(def)}]`;
    case NodeKind.Object:
    case NodeKind.NullProtoObject: {
      const keys = def.aux as readonly string[];
      // Keys are length-prefixed (unambiguous whatever they contain, and cheaper than JSON).
      let body = "";
      for (let i = 0; i < keys.length; i++) body += `${i ? "," : ""}${keys[i]!.length}'${keys[i]}:${def.children[i]!.key}`;
      return `${def.kind === NodeKind.NullProtoObject ? "null" : ""}{${body}}`;
    }
    case NodeKind.Map: {
      const keys = def.aux as readonly unknown[];
      const parts = keys.map((k, i) => `${staticKey(k)}=>${def.children[i]!.key}`);
      return `Map{${parts.join(",")}}`;
    }
    case NodeKind.Module: {
      const { layout, statics } = def.aux as ModuleAux;
      return `M${layout.id}(${childKeys(def)}|${statics.map(staticKey).join(",")})`;
    }
    case NodeKind.Custom: {
      const { type, data } = def.aux as CustomAux;
      return `C${type.id}<${staticKey(data)}>(${childKeys(def)})`;
    }
  }
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function renderKey(k: string): string {
  return IDENTIFIER.test(k) ? k : JSON.stringify(k);
}

function render(def: TreeDef): string {
  switch (def.kind) {
    case NodeKind.Leaf:
      return "*";
    case NodeKind.Null:
      return "null";
    case NodeKind.Undefined:
      return "undefined";
    case NodeKind.Array:
      return `[${def.children.map(render).join(", ")}]`;
    case NodeKind.Object:
    case NodeKind.NullProtoObject: {
      const keys = def.aux as readonly string[];
      return `{${keys.map((k, i) => `${renderKey(k)}: ${render(def.children[i]!)}`).join(", ")}}`;
    }
    case NodeKind.Map: {
      const keys = def.aux as readonly unknown[];
      return `Map{${keys.map((k, i) => `${describeStatic(k)} => ${render(def.children[i]!)}`).join(", ")}}`;
    }
    case NodeKind.Module: {
      const { layout, statics } = def.aux as ModuleAux;
      let d = 0;
      let s = 0;
      const parts = layout.fields.map((f, i) =>
        layout.isStatic[i] ? `${f}=${describeStatic(statics[s++])}` : `${f}=${render(def.children[d++]!)}`,
      );
      return `${layout.className}(${parts.join(", ")})`;
    }
    case NodeKind.Custom: {
      const { type, data } = def.aux as CustomAux;
      const aux = data === null || data === undefined ? "" : `<${describeStatic(data)}>`;
      return `${type.name}${aux}(${def.children.map(render).join(", ")})`;
    }
  }
}
