/**
 * Option checks shared by the research helpers.
 */
import { InvalidOptionError } from "../errors.js";

/**
 * A `InvalidOptionError` unless `options` is an object (or undefined) whose keys are all in
 * `allowed`; returns the object (`{}` for undefined).
 *
 * @example
 * const opts = checkedOptions(options, ["scope"], "pruneByMagnitude");
 */
export function checkedOptions<T extends object>(options: T | undefined, allowed: readonly string[], op: string, what = "options"): T {
  if (options === undefined) return {} as T;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new InvalidOptionError(`${op}: ${what} must be an object with ${allowed.join(" / ")}, got ${options === null ? "null" : Array.isArray(options) ? "an array" : typeof options}`);
  }
  for (const name of Object.keys(options)) {
    if (!allowed.includes(name)) throw new InvalidOptionError(`${op}: unknown ${what === "options" ? "option" : `field of ${what}`} "${name}" (expected ${allowed.join(" or ")})`);
  }
  return options;
}

/**
 * `fraction · n` rounded down, except that a product within rounding error of an integer
 * counts as that integer (0.29 · 100 is 28.999999999999996 in floating point, and means 29).
 *
 * @example
 * countOf(0.2, 266200); // 53240
 */
export function countOf(fraction: number, n: number): number {
  const x = fraction * n;
  const r = Math.round(x);
  return Math.abs(x - r) <= 1e-9 * Math.max(1, x) ? r : Math.floor(x);
}
