/**
 * Deep freezing for `Module` fields. Plain objects and arrays inside a module are frozen so
 * that a module is an immutable value all the way down to its leaves (tensors are immutable
 * already; Maps, functions and other class instances are left as they are).
 *
 * The caller's objects are never frozen in place: an unfrozen container is copied, and a
 * container that is already deeply frozen is shared. Every container this module returns is
 * recorded as deeply frozen, which also lets `staticKey` cache the keys of static values.
 */
import { ValueError } from "../errors.js";

const deeplyFrozen = new WeakSet<object>();

/**
 * True for arrays and objects whose prototype is `Object.prototype` or `null`.
 *
 * @example
 * isPlainContainer({ a: 1 }); // true; isPlainContainer(new Map()) is false
 */
export function isPlainContainer(x: unknown): x is Record<string, unknown> | unknown[] {
  if (typeof x !== "object" || x === null) return false;
  if (Array.isArray(x)) return true;
  const proto = Object.getPrototypeOf(x) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * True when `x` is a container returned by `frozenCopy` (or marked by `markDeeplyFrozen`):
 * it and every plain container inside it are frozen.
 *
 * @example
 * isDeeplyFrozen(frozenCopy([[1]])); // true
 */
export function isDeeplyFrozen(x: object): boolean {
  return deeplyFrozen.has(x);
}

/**
 * @internal Freeze a freshly built container whose plain children are deeply frozen already,
 * and record it as deeply frozen.
 *
 * @example
 * markDeeplyFrozen([1, 2]); // frozen, and isDeeplyFrozen of it is true
 */
export function markDeeplyFrozen<T extends object>(x: T): T {
  Object.freeze(x);
  deeplyFrozen.add(x);
  return x;
}

/**
 * `x` with every plain object and array in it frozen, without touching the caller's objects:
 * containers that need freezing are copied (key order and prototype kept); containers already
 * deeply frozen, and everything that is not a plain container, are returned as they are.
 *
 * @example
 * const layers = [{ w: 1 }]; const frozen = frozenCopy(layers); // Object.isFrozen(frozen[0]) === true, layers untouched
 */
export function frozenCopy<T>(x: T, where = "Module"): T {
  return freezeValue(x, where, new Set()) as T;
}

function freezeValue(x: unknown, where: string, ancestors: Set<object>): unknown {
  if (!isPlainContainer(x) || deeplyFrozen.has(x)) return x;
  if (ancestors.has(x)) throw new ValueError(`${where}: a field contains a reference cycle; module fields must be trees`);
  ancestors.add(x);
  let out: unknown;
  if (Array.isArray(x)) {
    let changed = !Object.isFrozen(x);
    const children = new Array<unknown>(x.length);
    for (let i = 0; i < x.length; i++) {
      const c = freezeValue(x[i], where, ancestors);
      if (c !== x[i]) changed = true;
      children[i] = c;
    }
    out = changed ? children : x;
  } else {
    const keys = Object.keys(x);
    let changed = !Object.isFrozen(x);
    const values = new Array<unknown>(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const v = (x as Record<string, unknown>)[keys[i]!];
      const c = freezeValue(v, where, ancestors);
      if (c !== v) changed = true;
      values[i] = c;
    }
    if (changed) {
      const copy = Object.create(Object.getPrototypeOf(x) as object | null) as Record<string, unknown>;
      for (let i = 0; i < keys.length; i++) setOwn(copy, keys[i]!, values[i]);
      out = copy;
    } else {
      out = x;
    }
  }
  ancestors.delete(x);
  return markDeeplyFrozen(out as object);
}

/**
 * `obj[key] = value` as an own data property, also for the key `"__proto__"` (which plain
 * assignment would treat as a prototype change).
 *
 * @example
 * const o = {}; setOwn(o, "__proto__", 1); // Object.keys(o) is ["__proto__"]
 */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}
