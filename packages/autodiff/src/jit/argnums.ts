/**
 * The options of `jit`, `filterJit` and `makeJaxpr`, checked when the function is wrapped:
 * an options object with known names only, argument-index lists (`staticArgnums`,
 * `donateArgnums`) of distinct non-negative integers that do not overlap, and filterJit's
 * `donate` mode.
 */
import { ArgumentTypeError, Tensor, UnknownOptionError, ValueError } from "@connex/core";

/** A short description of a bad option value for error messages. */
function describeArgument(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (x instanceof Tensor) return `a ${x.dtype} tensor of shape [${x.shape.join(", ")}]`;
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (typeof x === "string") return `string ${JSON.stringify(x)}`;
  if (typeof x === "object") return `an object`;
  return `${typeof x} ${String(x)}`;
}

/**
 * `options` (or `{}` when absent) after checking it is a plain object with only `known` names:
 * an `ArgumentTypeError` for anything else, an `UnknownOptionError` naming an unknown name (a
 * typo such as `donateArgnum` would otherwise be ignored).
 */
export function checkJitOptions<T extends object>(where: string, options: T | undefined | null, known: readonly string[]): T {
  if (options === undefined || options === null) return {} as T;
  const proto = typeof options === "object" ? (Object.getPrototypeOf(options) as unknown) : undefined;
  if (typeof options !== "object" || Array.isArray(options) || (proto !== Object.prototype && proto !== null)) {
    throw new ArgumentTypeError(`${where}: expected an options object, got ${describeArgument(options)}`);
  }
  for (const name of Object.keys(options)) if (!known.includes(name)) throw new UnknownOptionError(where, name, known);
  return options;
}

/** Equinox's `filter_jit(donate=...)`: which arguments' array leaves a call donates. */
export type DonateMode = "none" | "all" | "all-except-first";

const DONATE_MODES: readonly DonateMode[] = ["none", "all", "all-except-first"];

/**
 * The argument indices of an argnums option (`name`): a non-negative integer or an array of
 * distinct ones. An `ArgumentTypeError` for anything not an integer, a `ValueError` for a
 * negative or repeated index.
 */
export function argnumsOption(where: string, name: string, value: unknown): Set<number> {
  if (value === undefined) return new Set();
  const list = typeof value === "number" ? [value] : value;
  if (!Array.isArray(list)) throw new ArgumentTypeError(`${where}: ${name} must be an integer or an array of integers, got ${describeArgument(value)}`);
  const out = new Set<number>();
  for (const n of list as unknown[]) {
    if (typeof n !== "number" || !Number.isInteger(n)) throw new ArgumentTypeError(`${where}: ${name} entries must be integers, got ${describeArgument(n)}`);
    if (n < 0) throw new ValueError(`${where}: ${name} entries must be non-negative argument indices, got ${n}`);
    if (out.has(n)) throw new ValueError(`${where}: ${name} lists argument ${n} twice`);
    out.add(n);
  }
  return out;
}

/** `donateArgnums` checked against `staticArgnums`: a static argument is not an array and cannot be donated. */
export function donateArgnumsOption(where: string, value: unknown, statics: ReadonlySet<number>): Set<number> {
  const donated = argnumsOption(where, "donateArgnums", value);
  for (const n of donated) {
    if (statics.has(n)) throw new ValueError(`${where}: argument ${n} is in both staticArgnums and donateArgnums; a static argument has no buffers to donate`);
  }
  return donated;
}

/** filterJit's `donate` option, checked. */
export function donateModeOption(where: string, value: unknown): DonateMode {
  if (value === undefined) return "none";
  if (typeof value !== "string") throw new ArgumentTypeError(`${where}: donate must be one of ${DONATE_MODES.map((m) => `"${m}"`).join(", ")}, got ${describeArgument(value)}`);
  if (!(DONATE_MODES as readonly string[]).includes(value)) throw new ValueError(`${where}: donate must be one of ${DONATE_MODES.map((m) => `"${m}"`).join(", ")}, got "${value}"`);
  return value as DonateMode;
}

/** Whether a call's argument `index` (of `count`) is donated. */
export type Donates = (index: number, count: number) => boolean;

/** The argument test of a `donateArgnums` set, after checking each index is in range of the call. */
export function donatesArgnums(where: string, donated: ReadonlySet<number>): Donates | null {
  if (donated.size === 0) return null;
  const largest = Math.max(...donated);
  return (index, count) => {
    if (largest >= count) throw new ValueError(`${where}: donateArgnums ${largest} is out of range for a call with ${count} argument(s)`);
    return donated.has(index);
  };
}

/** The argument test of filterJit's `donate` mode. */
export function donatesMode(mode: DonateMode): Donates | null {
  if (mode === "none") return null;
  return mode === "all" ? () => true : (index) => index > 0;
}
