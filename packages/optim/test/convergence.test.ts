/**
 * Every optimiser drives a convex quadratic to its minimum.
 * f(p) = 0.5 * sum(c * (p - target)^2), gradient c * (p - target), with uneven curvatures c.
 */
import { describe, expect, it } from "vitest";
import { np, Tensor, applyUpdates } from "@connex/core";
import { adagrad, adam, adamw, chain, clipByGlobalNorm, cosineDecaySchedule, lion, rmsprop, sgd, type GradientTransformation } from "../src/index.js";

const f64 = (x: number[]): Tensor => np.array(x, { dtype: "float64" });
const CURVATURE = f64([1, 4, 0.5, 2]);
const TARGET = { a: f64([1, -2]), b: f64([0.5, 3]) };
const curv = { a: np.take(CURVATURE, np.array([0, 1]), 0), b: np.take(CURVATURE, np.array([2, 3]), 0) };

function gradient(p: { a: Tensor; b: Tensor }): { a: Tensor; b: Tensor } {
  return {
    a: np.multiply(curv.a, np.subtract(p.a, TARGET.a)),
    b: np.multiply(curv.b, np.subtract(p.b, TARGET.b)),
  };
}

function distance(p: { a: Tensor; b: Tensor }): number {
  const d = np.add(np.sum(np.square(np.subtract(p.a, TARGET.a))), np.sum(np.square(np.subtract(p.b, TARGET.b))));
  return Math.sqrt(d.item());
}

const CASES: [string, GradientTransformation, number][] = [
  ["sgd", sgd(0.2), 300],
  ["sgd + momentum", sgd(0.05, { momentum: 0.9 }), 300],
  ["sgd + nesterov", sgd(0.05, { momentum: 0.9, nesterov: true }), 300],
  ["adam", adam(cosineDecaySchedule({ initValue: 0.1, decaySteps: 600, alpha: 0.01 })), 600],
  ["adamw (small decay)", adamw(cosineDecaySchedule({ initValue: 0.1, decaySteps: 600, alpha: 0.01 }), { weightDecay: 1e-6 }), 600],
  ["rmsprop", rmsprop(cosineDecaySchedule({ initValue: 0.05, decaySteps: 600, alpha: 0.001 })), 600],
  ["adagrad", adagrad(0.5), 600],
  ["lion", lion(cosineDecaySchedule({ initValue: 0.02, decaySteps: 800, alpha: 0.001 }), { weightDecay: 0 }), 800],
  ["clipped sgd", chain(clipByGlobalNorm(1), sgd(0.1)), 400],
];

describe("convergence on a convex quadratic", () => {
  for (const [name, opt, steps] of CASES) {
    it(name, () => {
      let params = { a: f64([0, 0]), b: f64([0, 0]) };
      let state = opt.init(params);
      const start = distance(params);
      for (let i = 0; i < steps; i++) {
        const [updates, s] = opt.update(gradient(params), state, params);
        params = applyUpdates(params, updates);
        state = s;
      }
      expect(distance(params)).toBeLessThan(1e-2 * start);
    });
  }
});
