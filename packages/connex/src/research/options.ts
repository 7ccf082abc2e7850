/**
 * Option checks shared by the research helpers.
 */
import { InvalidOptionError } from "../errors.js";
import { checkOptions } from "../arguments.js";
import { NeuralNetwork } from "../network.js";

/**
 * An `InvalidOptionError` unless `options` is a plain object (or undefined) whose keys are all
 * in `allowed`; returns the object (`{}` for undefined). `what` names the argument when it is
 * not the trailing options object (`"criterion"`).
 *
 * @example
 * const opts = checkedOptions(options, ["scope"], "pruneByMagnitude");
 */
export function checkedOptions<T extends object>(options: T | undefined, allowed: readonly string[], op: string, what = "options"): T {
  if (what === "options") return checkOptions(op, options, allowed);
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new InvalidOptionError(`${op}: ${what} must be an object with ${allowed.join(" / ")}, got ${options === null ? "null" : Array.isArray(options) ? "an array" : typeof options}`);
  }
  for (const name of Object.keys(options)) {
    if (!allowed.includes(name)) throw new InvalidOptionError(`${op}: unknown field of ${what} "${name}" (known: ${allowed.join(", ")})`);
  }
  return options;
}

/**
 * `network` itself, or an `InvalidOptionError` naming `op` when it is not a `NeuralNetwork`.
 *
 * @example
 * checkNetwork(net, "edgeWeights");
 */
export function checkNetwork(network: unknown, op: string, name = "network"): NeuralNetwork {
  if (!(network instanceof NeuralNetwork)) {
    throw new InvalidOptionError(`${op}: ${name} must be a NeuralNetwork, got ${network === null ? "null" : typeof network}`);
  }
  return network;
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
