/**
 * Argument checking shared by every public function of core (`np`, `nn`, `random`, `tree`):
 * the NumPy/JAX calling convention `f(x, axis, { keywords })` with `f(x, { axis, ... })` still
 * accepted, options objects whose unknown names are errors (a typo such as `axes` would
 * otherwise be ignored), and axes checked for type and range. Every check throws before any
 * work is done, so inputs are never touched.
 */
import { ArgumentTypeError, AxisError, UnknownOptionError } from "./errors.js";
import { Tensor } from "./tensor.js";

/** An axis argument: one axis, several (where the function allows it), or `null` for all. */
export type AxisArgument = number | readonly number[] | null;

/** A short description of a value for error messages: `string "1"`, `a Tensor of shape [2]`, ... */
export function describeArgument(x: unknown): string {
  if (x === null) return "null";
  if (x === undefined) return "undefined";
  if (x instanceof Tensor) return `a ${x.dtype} tensor of shape [${x.shape.join(", ")}]`;
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name}`;
  if (typeof x === "string") return `string ${JSON.stringify(x)}`;
  if (typeof x === "number" || typeof x === "boolean" || typeof x === "bigint") return `${typeof x} ${String(x)}`;
  if (typeof x === "function") return "a function";
  const proto = Object.getPrototypeOf(x) as { constructor?: { name?: string } } | null;
  const name = proto?.constructor?.name;
  return proto === null || name === "Object" ? `an object with keys {${Object.keys(x as object).join(", ")}}` : `a ${name ?? "object"}`;
}

/** Whether `x` is a plain options object (an object literal), not an array, tensor or class instance. */
export function isOptionsObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== "object" || x === null || Array.isArray(x) || ArrayBuffer.isView(x)) return false;
  const proto = Object.getPrototypeOf(x) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * `options` itself (or `{}` when absent) after checking that it is a plain object whose names
 * are all in `known`: an `ArgumentTypeError` for anything else, an `UnknownOptionError`
 * naming the first unknown name.
 */
export function checkOptions<T extends object>(where: string, options: T | undefined | null, known: readonly string[]): T {
  if (options === undefined || options === null) return {} as T;
  if (!isOptionsObject(options)) throw new ArgumentTypeError(`${where}: expected an options object, got ${describeArgument(options)}`);
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) throw new UnknownOptionError(where, name, known);
  }
  return options;
}

/** An integer (the type of one axis), else an `ArgumentTypeError` naming `name`. */
export function checkInteger(where: string, value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new ArgumentTypeError(`${where}: ${name} must be an integer, got ${describeArgument(value)}`);
  }
  return value;
}

/**
 * Check the type of an axis argument: an integer, an array of integers when `many`, or `null`
 * when `nullable` (`undefined` passes: the function's default applies).
 */
export function checkAxisType(where: string, axis: unknown, many: boolean, nullable: boolean, name = "axis"): AxisArgument | undefined {
  if (axis === undefined || (axis === null && nullable)) return axis;
  if (typeof axis === "number" && Number.isInteger(axis)) return axis;
  if (many && Array.isArray(axis) && axis.every((a) => typeof a === "number" && Number.isInteger(a))) return axis as readonly number[];
  const accepted = `an integer${many ? " or an array of integers" : ""}${nullable ? " or null" : ""}`;
  throw new ArgumentTypeError(`${where}: ${name} must be ${accepted}, got ${describeArgument(axis)}`);
}

/**
 * The options of a function called NumPy-style as `f(x, axis, options)` or as
 * `f(x, { axis, ...options })`: a number, an array of numbers (when `many`) or `null` in second
 * place is the axis, an object there is the options (and nothing may follow it). The axis is
 * checked for type (not range: that needs the operand's rank, see {@link normalizeAxis}); the
 * options for unknown names (`known` includes `"axis"`); an axis given both ways is an error.
 *
 * @example
 * axisAndOptions("sum", 1, { keepdims: true }, SUM_OPTIONS, true, true); // { axis: 1, keepdims: true }
 */
export function axisAndOptions<O extends { axis?: unknown }>(
  where: string,
  second: unknown,
  third: unknown,
  known: readonly string[],
  many: boolean,
  nullable: boolean,
): O {
  if (isOptionsObject(second)) {
    if (third !== undefined) {
      throw new ArgumentTypeError(`${where}: nothing may follow the options object, got ${describeArgument(third)} after it`);
    }
    const options = checkOptions(where, second as O, known);
    checkAxisType(where, options.axis, many, nullable);
    return options;
  }
  if (second !== undefined && second !== null && typeof second !== "number" && !Array.isArray(second)) {
    const accepted = `an integer${many ? ", an array of integers" : ""}${nullable ? ", null" : ""} or an options object`;
    throw new ArgumentTypeError(`${where}: the axis argument must be ${accepted}, got ${describeArgument(second)}`);
  }
  const axis = checkAxisType(where, second, many, nullable);
  if (axis !== undefined && isOptionsObject(third) && "axis" in third) {
    throw new ArgumentTypeError(`${where}: axis given both positionally (${JSON.stringify(axis)}) and in the options`);
  }
  const options = checkOptions(where, third as O | undefined, known.filter((k) => k !== "axis"));
  return axis === undefined ? options : ({ ...options, axis } as O);
}

/**
 * One axis in `[-ndim, ndim)` as a non-negative index; an `AxisError` naming the axis, the
 * rank, the shape and the function otherwise.
 */
export function normalizeAxis(where: string, axis: number, ndim: number, shape?: readonly number[], name = "axis"): number {
  checkInteger(where, axis, name);
  if (axis < -ndim || axis >= ndim) {
    const of = shape === undefined ? `rank ${ndim}` : `shape [${shape.join(", ")}] (rank ${ndim})`;
    throw new AxisError(`${where}: ${name} ${axis} is out of bounds for an array of ${of}`);
  }
  return axis < 0 ? axis + ndim : axis;
}

/**
 * Several axes, each normalised by {@link normalizeAxis}; `null`/`undefined` means every axis;
 * a repeated axis is an `AxisError`.
 */
export function normalizeAxes(where: string, axis: AxisArgument | undefined, ndim: number, shape?: readonly number[], name = "axis"): number[] {
  if (axis === null || axis === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axis === "number" ? [axis] : axis;
  const out = list.map((a) => normalizeAxis(where, a, ndim, shape, name));
  if (new Set(out).size !== out.length) throw new AxisError(`${where}: repeated ${name} in [${list.join(", ")}]`);
  return out;
}

/**
 * Check that `f` is a function (a callback argument), naming `name`; returns it.
 */
export function checkFunction<F>(where: string, f: F, name: string): F {
  if (typeof f !== "function") throw new ArgumentTypeError(`${where}: ${name} must be a function, got ${describeArgument(f)}`);
  return f;
}
