import { readFileSync } from "node:fs";
import type { Tensor } from "../../src/tensor.js";

/** The reference values written by scripts/gen_random_fixtures.py (see that script for provenance). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const fixtures: any = JSON.parse(readFileSync(new URL("../fixtures/random.json", import.meta.url), "utf8"));

/** Flat JS numbers of a tensor. */
export const flat = (t: Tensor): number[] => Array.from(t.toTypedArray());

/** Sample mean and (population) variance of a list of numbers. */
export function moments(xs: readonly number[]): { mean: number; variance: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
  return { mean, variance };
}

/**
 * Pearson's chi-square statistic of observed counts against expected counts. With k bins the
 * statistic of a correct sampler exceeds `chiSquareBound(k - 1)` with probability about 1e-4;
 * keys are fixed, so tests using it are deterministic.
 */
export function chiSquare(observed: readonly number[], expected: readonly number[]): number {
  return observed.reduce((acc, o, i) => acc + (o - expected[i]!) ** 2 / expected[i]!, 0);
}

/** An upper bound on chi-square with `dof` degrees of freedom at p ≈ 1e-4 (Wilson–Hilferty). */
export function chiSquareBound(dof: number): number {
  const z = 3.72; // standard normal quantile at 1 - 1e-4
  const h = 2 / (9 * dof);
  return dof * (1 - h + z * Math.sqrt(h)) ** 3;
}

/** Counts of integer values `0 .. k-1`. */
export function histogram(values: readonly number[], k: number): number[] {
  const counts = new Array<number>(k).fill(0);
  for (const v of values) counts[v]!++;
  return counts;
}
