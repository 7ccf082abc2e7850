/**
 * `Module`: the base class of Equinox-style models. A module is an immutable record whose
 * fields are pytree children; transformations flatten it to its leaves and rebuild it.
 */
import { immerable } from "immer";
import { ValueError } from "../errors.js";
import { frozenCopy, isPlainContainer } from "./freeze.js";

/**
 * The shape of a module record: its class, its fields in declared order, and which of them
 * are static. Layouts are interned, so two modules have the same layout exactly when they
 * have the same class, field names and static split (compared with `===`).
 */
export interface ModuleLayout {
  /** Process-wide number naming the layout (used in treedef keys). */
  readonly id: number;
  /** The prototype instances are created from (`Class.prototype`). */
  readonly proto: object;
  /** The class name, for messages and treedef strings. */
  readonly className: string;
  /** Every field, in the order the constructor received them. */
  readonly fields: readonly string[];
  /** `isStatic[i]` tells whether `fields[i]` is static (part of the treedef, not a child). */
  readonly isStatic: readonly boolean[];
  /** The fields that are pytree children, in declared order. */
  readonly dynamicFields: readonly string[];
  /** The static fields, in declared order. */
  readonly staticFields: readonly string[];
}

/** Options of the `Module` constructor. */
export interface ModuleOptions {
  /**
   * Fields that are static: part of the treedef (compared by `===`, or structurally for plain
   * data) rather than leaves; transformations pass them through untouched.
   */
  static?: readonly string[];
}

/**
 * Each module carries its layout under this key (an enumerable symbol-keyed property, so that
 * copies made with `Object.assign`, as immer makes them, keep it; `Object.keys` does not list it).
 */
const LAYOUT: unique symbol = Symbol("connex.moduleLayout");

const layouts = new WeakMap<object, Map<string, ModuleLayout>>();
let nextLayoutId = 1;

function internLayout(proto: object, fields: readonly string[], isStatic: readonly boolean[]): ModuleLayout {
  let byShape = layouts.get(proto);
  if (!byShape) layouts.set(proto, (byShape = new Map()));
  const signature = fields.map((f, i) => (isStatic[i] ? "=" : "") + JSON.stringify(f)).join(",");
  let layout = byShape.get(signature);
  if (!layout) {
    const ctor = (proto as { constructor?: { name?: string } }).constructor;
    layout = Object.freeze({
      id: nextLayoutId++,
      proto,
      className: ctor?.name || "Module",
      fields: Object.freeze(fields.slice()),
      isStatic: Object.freeze(isStatic.slice()),
      dynamicFields: Object.freeze(fields.filter((_, i) => !isStatic[i])),
      staticFields: Object.freeze(fields.filter((_, i) => isStatic[i])),
    });
    byShape.set(signature, layout);
  }
  return layout;
}

/**
 * Base class of Equinox-style modules: immutable records whose fields are pytree children.
 *
 * A subclass declares its fields with `declare` (so no class-field initialiser runs after the
 * base constructor) and hands them to `super`, naming the static ones:
 *
 * ```ts
 * class Linear extends Module {
 *   declare readonly weight: Tensor;
 *   declare readonly bias: Tensor;
 *   declare readonly act: (x: Tensor) => Tensor;
 *   constructor(w: Tensor, b: Tensor) {
 *     super({ weight: w, bias: b, act: nn.relu }, { static: ["act"] });
 *   }
 *   forward(x: Tensor): Tensor { return this.act(np.add(np.matmul(this.weight, x), this.bias)); }
 * }
 * ```
 *
 * The base constructor defines the fields as enumerable own properties in the order given and
 * deeply freezes the instance: plain objects and arrays inside fields are frozen too (copies
 * are frozen; the caller's objects are left untouched), tensors are immutable already, and
 * Maps, functions and other objects are left as they are. Any later assignment throws (ES
 * modules are strict), so a subclass constructor cannot set fields after `super` returns.
 *
 * In a pytree, a module is a node: its dynamic fields are its children (in declared order)
 * and its class and static fields are part of the treedef. `tree.unflatten` and the update
 * helpers rebuild modules WITHOUT calling the constructor (`Object.create` of the prototype),
 * so constructors should only validate and store. Updated copies come from `replace`,
 * `treeAt`, or immer's `produce` (modules are immerable), and share every untouched child.
 *
 * @example
 * const layer = new Linear(w, b); const bigger = layer.replace({ weight: np.multiply(w, 2) });
 */
export class Module {
  /** Lets immer's `produce` draft modules (it copies them with their prototype). */
  static [immerable] = true;

  constructor(fields: Readonly<Record<string, unknown>>, options: ModuleOptions = {}) {
    const className = new.target.name || "Module";
    if (!isPlainContainer(fields) || Array.isArray(fields)) {
      throw new ValueError(`${className}: the Module constructor takes a plain object of fields, got ${describeKind(fields)}`);
    }
    const names = Object.keys(fields);
    const staticNames = options.static ?? [];
    if (!Array.isArray(staticNames)) {
      throw new ValueError(`${className}: options.static must be an array of field names, got ${describeKind(staticNames)}`);
    }
    for (const s of staticNames) {
      if (!names.includes(s)) {
        throw new ValueError(`${className}: static field ${JSON.stringify(s)} is not one of the fields (${names.join(", ") || "none"})`);
      }
    }
    const proto = Object.getPrototypeOf(this) as object;
    for (const name of names) {
      if (name in proto) {
        throw new ValueError(`${className}: field ${JSON.stringify(name)} would hide a property of the class (a method or accessor of the same name); rename the field`);
      }
    }
    const layout = internLayout(proto, names, names.map((n) => staticNames.includes(n)));
    for (const name of names) {
      Object.defineProperty(this, name, { value: frozenCopy(fields[name], className), enumerable: true });
    }
    Object.defineProperty(this, LAYOUT, { value: layout, enumerable: true });
    Object.freeze(this);
  }

  /**
   * A copy of this module with some fields replaced (static or not); every other field is
   * shared by reference. The copy is frozen like the original and has the same layout.
   *
   * @example
   * const zeroed = layer.replace({ bias: np.zerosLike(layer.bias) });
   */
  replace<T extends Module>(this: T, changes: { readonly [K in Exclude<keyof T, keyof Module>]?: T[K] }): T {
    const layout = moduleLayout(this);
    const changed = changes as Record<string, unknown>;
    if (!isPlainContainer(changed) || Array.isArray(changed)) {
      throw new ValueError(`${layout.className}.replace: expected a plain object of fields, got ${describeKind(changes)}`);
    }
    for (const key of Object.keys(changed)) {
      if (!layout.fields.includes(key)) {
        throw new ValueError(`${layout.className}.replace: unknown field ${JSON.stringify(key)}; the fields are ${layout.fields.join(", ") || "none"}`);
      }
    }
    const self = this as unknown as Record<string, unknown>;
    const values = layout.fields.map((f) => (Object.prototype.hasOwnProperty.call(changed, f) ? frozenCopy(changed[f], `${layout.className}.replace`) : self[f]));
    return buildModule(layout, values) as T;
  }

  /** Node's console rendering: `Linear(weight=..., bias=..., act=...)`. */
  [Symbol.for("nodejs.util.inspect.custom")](depth: number, options: object, inspect: (x: unknown, o: object) => string): string {
    const layout = moduleLayout(this);
    if (depth < 0) return `${layout.className}(...)`;
    const self = this as unknown as Record<string, unknown>;
    const nested = { ...options, depth: (options as { depth?: number }).depth === null ? null : depth - 1 };
    const parts = layout.fields.map((f) => `${f}=${inspect(self[f], nested)}`);
    return `${layout.className}(${parts.join(", ")})`;
  }
}

function describeKind(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "an array";
  if (typeof x === "object") return `a ${(Object.getPrototypeOf(x) as { constructor?: { name?: string } } | null)?.constructor?.name ?? "object"}`;
  return typeof x;
}

/**
 * The layout of a module instance.
 *
 * @example
 * moduleLayout(new Linear(w, b)).staticFields; // ["act"]
 */
export function moduleLayout(m: Module): ModuleLayout {
  const layout = (m as { [LAYOUT]?: ModuleLayout })[LAYOUT];
  if (layout === undefined) {
    const name = (Object.getPrototypeOf(m) as { constructor?: { name?: string } } | null)?.constructor?.name ?? "Module";
    throw new ValueError(`${name}: this object inherits from Module but was not built by the Module constructor (no field layout)`);
  }
  return layout;
}

/**
 * @internal A frozen module of `layout` with the given field values (in `layout.fields`
 * order), made without running any constructor. Values must already be deeply frozen.
 */
export function buildModule(layout: ModuleLayout, values: readonly unknown[]): Module {
  const obj = Object.create(layout.proto) as Record<string | symbol, unknown>;
  const fields = layout.fields;
  // Field names never collide with prototype properties (checked by the constructor), so plain
  // assignment defines own properties; freezing then makes them read-only.
  for (let i = 0; i < fields.length; i++) obj[fields[i]!] = values[i];
  obj[LAYOUT] = layout;
  return Object.freeze(obj) as unknown as Module;
}
