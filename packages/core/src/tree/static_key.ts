/**
 * Keys for static values: the non-leaf data a treedef carries (static `Module` fields, `Map`
 * keys, custom nodes' aux data). Two static values are the same when their keys are equal:
 * primitives by value, plain arrays and objects structurally (object keys in sorted order),
 * everything else (functions, class instances, Maps, symbols) by identity.
 */
import { isDeeplyFrozen } from "./freeze.js";

const objectIds = new WeakMap<object, number>();
const symbolIds = new Map<symbol, number>();
let nextId = 1;

/**
 * A process-wide number naming an object (or symbol) by identity.
 *
 * @example
 * identityId(Math.max) === identityId(Math.max); // true
 */
export function identityId(x: object | symbol): number {
  if (typeof x === "symbol") {
    let id = symbolIds.get(x);
    if (id === undefined) symbolIds.set(x, (id = nextId++));
    return id;
  }
  let id = objectIds.get(x);
  if (id === undefined) objectIds.set(x, (id = nextId++));
  return id;
}

/** Keys of deeply frozen containers never change, so they are computed once. */
const frozenKeys = new WeakMap<object, string>();

/**
 * A string that is equal for two static values exactly when they count as the same value.
 *
 * @example
 * staticKey([1, "a", { b: true }]) === staticKey([1, "a", { b: true }]); // true
 */
export function staticKey(x: unknown): string {
  return keyOf(x, null);
}

function keyOf(x: unknown, ancestors: Set<object> | null): string {
  switch (typeof x) {
    case "number":
      return Object.is(x, -0) ? "n-0" : `n${x}`;
    case "string":
      return JSON.stringify(x);
    case "boolean":
      return x ? "T" : "F";
    case "undefined":
      return "U";
    case "bigint":
      return `${x}n`;
    case "symbol":
      return `s#${identityId(x)}`;
    case "function":
      return `f#${identityId(x)}`;
  }
  if (x === null) return "N";
  const obj = x as object;
  const proto = Object.getPrototypeOf(obj) as unknown;
  const isArray = Array.isArray(obj);
  if (!isArray && proto !== Object.prototype && proto !== null) return `o#${identityId(obj)}`;
  const cached = frozenKeys.get(obj);
  if (cached !== undefined) return cached;
  // A container reached again inside itself is a cycle: name it by identity instead of looping.
  if (ancestors?.has(obj)) return `o#${identityId(obj)}`;
  const seen = ancestors ?? new Set<object>();
  seen.add(obj);
  let key: string;
  if (isArray) {
    const arr = obj as unknown[];
    const parts = new Array<string>(arr.length);
    for (let i = 0; i < arr.length; i++) parts[i] = keyOf(arr[i], seen);
    key = `[${parts.join(",")}]`;
  } else {
    const rec = obj as Record<string, unknown>;
    const keys = Object.keys(rec).sort();
    const parts = new Array<string>(keys.length);
    for (let i = 0; i < keys.length; i++) parts[i] = `${JSON.stringify(keys[i])}:${keyOf(rec[keys[i]!], seen)}`;
    key = `${proto === null ? "null" : ""}{${parts.join(",")}}`;
  }
  seen.delete(obj);
  if (isDeeplyFrozen(obj)) frozenKeys.set(obj, key);
  return key;
}

/**
 * Whether `x`'s key can only change with its identity: primitives, functions and class
 * instances (keyed by identity), and deeply frozen containers. A mutable array or plain object
 * is keyed by content, so the same object may key differently after a mutation.
 */
function keyFollowsIdentity(x: unknown): boolean {
  if (typeof x !== "object" || x === null) return true;
  const proto = Object.getPrototypeOf(x) as unknown;
  if (!Array.isArray(x) && proto !== Object.prototype && proto !== null) return true;
  return isDeeplyFrozen(x);
}

/**
 * Whether two static values certainly have the same key, without computing it: they are the
 * same value and that value's key follows its identity. `false` may also mean "could not
 * tell" (two equal but distinct arrays); use `staticEquals` for the exact answer.
 *
 * @example
 * const f = (x: number) => x; tree.staticCertainlyEqual(f, f); // true
 * const a = [1]; tree.staticCertainlyEqual(a, a); // false: a mutable array is keyed by content
 */
export function staticCertainlyEqual(a: unknown, b: unknown): boolean {
  return Object.is(a, b) && keyFollowsIdentity(a);
}

/**
 * Whether two static values are the same (see `staticKey`); `Object.is` values always are.
 *
 * @example
 * staticEquals({ a: [1, 2] }, { a: [1, 2] }); // true
 */
export function staticEquals(a: unknown, b: unknown): boolean {
  return Object.is(a, b) || staticKey(a) === staticKey(b);
}

const MAX_DESCRIPTION = 40;

/**
 * A short readable rendering of a static value for treedef strings and error messages.
 *
 * @example
 * describeStatic(Math.max); // "<function max>"
 */
export function describeStatic(x: unknown): string {
  if (typeof x === "function") return `<function ${x.name || "anonymous"}>`;
  if (typeof x === "symbol") return x.toString();
  if (typeof x === "bigint") return `${x}n`;
  if (x === undefined) return "undefined";
  if (typeof x === "object" && x !== null) {
    const proto = Object.getPrototypeOf(x) as { constructor?: { name?: string } } | null;
    if (!Array.isArray(x) && proto !== Object.prototype && proto !== null) return `<${proto?.constructor?.name ?? "object"}>`;
  }
  let text: string;
  try {
    text = JSON.stringify(x) ?? String(x);
  } catch {
    text = Array.isArray(x) ? "[...]" : "{...}";
  }
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 3)}...` : text;
}
