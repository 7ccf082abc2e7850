/**
 * Custom pytree node types: classes whose instances `tree.flatten` should open up into
 * children instead of treating them as leaves.
 */
import { ValueError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { identityId } from "./static_key.js";

/** How to take a custom node apart and put it back together. */
export interface NodeDefinition<T = any, Aux = unknown> {
  /**
   * The node's children (in a fixed order) and its auxiliary data: everything else needed to
   * rebuild it. Aux data becomes part of the treedef and is compared like a static value
   * (`===`, or structurally for primitives and plain arrays/objects of them).
   */
  flatten(node: T): readonly [children: readonly unknown[], aux: Aux];
  /** A node equal to the flattened one, from its aux data and (possibly transformed) children. */
  unflatten(aux: Aux, children: unknown[]): T;
}

/** A registered node type, as stored in treedefs. */
export interface NodeType {
  readonly id: number;
  readonly name: string;
  readonly cls: abstract new (...args: never[]) => unknown;
  readonly definition: NodeDefinition;
}

const registry = new Map<unknown, NodeType>();

/**
 * Register a class as a pytree node type. Instances whose class is exactly `cls` (not a
 * subclass) are flattened with `definition.flatten` and rebuilt with `definition.unflatten`.
 * Plain objects, arrays, Maps, `Module`s and tensors have fixed meanings and cannot be
 * registered, and a class can be registered only once.
 *
 * @example
 * tree.registerNode(Point, { flatten: (p) => [[p.x, p.y], null], unflatten: (_, [x, y]) => new Point(x, y) });
 */
export function registerNode<T>(cls: abstract new (...args: never[]) => T, definition: NodeDefinition<T, any>): void {
  if (typeof cls !== "function") throw new ValueError(`tree.registerNode: expected a class, got ${typeof cls}`);
  const name = cls.name || "anonymous class";
  if ((cls as unknown) === Object || (cls as unknown) === Array || (cls as unknown) === Map) {
    throw new ValueError(`tree.registerNode: ${name} is a built-in pytree node type and cannot be registered`);
  }
  if (cls.prototype instanceof Tensor || (cls as unknown) === Tensor) {
    throw new ValueError(`tree.registerNode: ${name} is a Tensor class; tensors are always leaves`);
  }
  if (typeof definition?.flatten !== "function" || typeof definition?.unflatten !== "function") {
    throw new ValueError(`tree.registerNode: the definition of ${name} needs flatten(node) and unflatten(aux, children) functions`);
  }
  if (registry.has(cls)) throw new ValueError(`tree.registerNode: ${name} is already registered`);
  registry.set(cls, Object.freeze({ id: identityId(cls), name, cls, definition: definition as NodeDefinition }));
}

/** @internal The registered node type of a value's exact class, if any. */
export function nodeTypeOfConstructor(ctor: unknown): NodeType | undefined {
  return registry.get(ctor);
}

/**
 * Whether a class has been registered with `registerNode`.
 *
 * @example
 * tree.isRegisteredNode(Point); // true after registerNode(Point, ...)
 */
export function isRegisteredNode(cls: abstract new (...args: never[]) => unknown): boolean {
  return registry.has(cls);
}
