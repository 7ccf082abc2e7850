/**
 * Hyperparameter checks shared by the transformations. Each throws an `OptimError` that names
 * the function (`where`), the parameter and the value, so `adam(1e-3, { b1: 1.5 })` fails at
 * construction with "adam: b1 must be in [0, 1), got 1.5" instead of diverging later.
 */
import { OptimError } from "./errors.js";

function describe(value: unknown): string {
  return typeof value === "number" ? String(value) : `${typeof value} ${JSON.stringify(value) ?? String(value)}`;
}

/** A finite number (any sign). */
export function requireFinite(where: string, name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new OptimError(`${where}: ${name} must be a finite number, got ${describe(value)}`);
  }
  return value;
}

/** A finite number `>= 0`. */
export function requireNonNegative(where: string, name: string, value: unknown): number {
  const x = requireFinite(where, name, value);
  if (x < 0) throw new OptimError(`${where}: ${name} must be >= 0, got ${x}`);
  return x;
}

/** A finite number `> 0`. */
export function requirePositive(where: string, name: string, value: unknown): number {
  const x = requireFinite(where, name, value);
  if (x <= 0) throw new OptimError(`${where}: ${name} must be > 0, got ${x}`);
  return x;
}

/** A decay rate in `[0, 1)` (Adam's `b1`/`b2`, momentum, RMSProp's decay). */
export function requireDecayRate(where: string, name: string, value: unknown): number {
  const x = requireFinite(where, name, value);
  if (x < 0 || x >= 1) throw new OptimError(`${where}: ${name} must be in [0, 1), got ${x}`);
  return x;
}

/** An integer `>= 0`. */
export function requireNonNegativeInteger(where: string, name: string, value: unknown): number {
  const x = requireNonNegative(where, name, value);
  if (!Number.isInteger(x)) throw new OptimError(`${where}: ${name} must be an integer, got ${x}`);
  return x;
}

/** A learning rate: a number `>= 0` or a schedule (a function of the step count). */
export function requireLearningRate(where: string, value: unknown): void {
  if (typeof value === "function") return;
  if (typeof value !== "number") {
    throw new OptimError(`${where}: the learning rate must be a number or a schedule, got ${describe(value)}`);
  }
  requireNonNegative(where, "learning rate", value);
}

/**
 * An options argument: absent, or a plain object whose names are all in `known` (a misspelt
 * name such as `beta1` for `b1` would otherwise be ignored silently). Returns the options.
 */
export function requireOptions<T extends object>(where: string, options: T | undefined, known: readonly string[]): T {
  if (options === undefined) return {} as T;
  const proto = typeof options === "object" && options !== null ? (Object.getPrototypeOf(options) as unknown) : undefined;
  if (Array.isArray(options) || (proto !== Object.prototype && proto !== null)) {
    throw new OptimError(`${where}: expected an options object, got ${describe(options)}`);
  }
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) throw new OptimError(`${where}: unknown option "${name}" (known: ${known.join(", ")})`);
  }
  return options;
}
