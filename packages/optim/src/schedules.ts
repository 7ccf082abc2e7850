/**
 * Step-size schedules, as Optax's: functions from the step count to a value (a learning rate,
 * usually). A schedule accepts a JS number (and returns a number) or a tensor count, concrete
 * or traced under `jit`/`vmap` (and returns a scalar tensor), so the optimiser's int32 `count`
 * state can drive it inside compiled code. Values are computed in float64 and cast by the
 * transformation that uses them to each update's dtype.
 */
import { np, Tensor } from "@connex/core";
import { OptimError } from "./errors.js";
import { requireFinite, requireNonNegative, requirePositive, requireOptions } from "./validation.js";

/** Any function of the (int32 tensor) step count giving a scalar: what transformations accept. */
export type ScheduleFn = (count: Tensor) => number | Tensor;

/** A learning rate or other hyperparameter: a constant or a schedule. */
export type ScalarOrSchedule = number | ScheduleFn;

/** A built-in schedule: numbers in, numbers out; tensors in, scalar float64 tensors out. */
export interface Schedule {
  (count: number): number;
  (count: Tensor): Tensor;
}

/** `x` as a float64 tensor (schedules compute in float64 whatever their pieces return). */
function asFloat64(x: number | Tensor): Tensor {
  return typeof x === "number" ? np.array(x, { dtype: "float64" }) : x;
}

/** A `Schedule` from its formula over a float64 tensor count. */
function defineSchedule(name: string, formula: (count: Tensor) => Tensor): Schedule {
  function schedule(count: number): number;
  function schedule(count: Tensor): Tensor;
  function schedule(count: number | Tensor): number | Tensor {
    if (typeof count === "number") {
      requireFinite(name, "count", count);
      return formula(np.array(count, { dtype: "float64" })).item();
    }
    if (count instanceof Tensor) return formula(np.astype(count, "float64"));
    throw new OptimError(`${name}: the step count must be a number or a tensor, got ${typeof count}`);
  }
  return schedule;
}

/**
 * The same value at every step.
 *
 * @example
 * constantSchedule(0.1)(1000); // 0.1
 */
export function constantSchedule(value: number): Schedule {
  requireFinite("constantSchedule", "value", value);
  return defineSchedule("constantSchedule", () => np.array(value, { dtype: "float64" }));
}

/** Options of `polynomialSchedule`. */
export interface PolynomialScheduleOptions {
  /** The value at step 0. */
  initValue: number;
  /** The value once the transition is over. */
  endValue: number;
  /** The exponent of the polynomial (1 is linear). */
  power: number;
  /** Steps from `initValue` to `endValue`; `<= 0` gives the constant `initValue` (as Optax). */
  transitionSteps: number;
  /** Steps spent at `initValue` first; negative values count as 0. Default 0. */
  transitionBegin?: number;
}

/**
 * `(init - end) * (1 - t / transitionSteps)**power + end` with `t = clip(count -
 * transitionBegin, 0, transitionSteps)`, then `endValue` for ever.
 *
 * @example
 * polynomialSchedule({ initValue: 1, endValue: 0, power: 2, transitionSteps: 10 })(5); // 0.25
 */
export function polynomialSchedule(options: PolynomialScheduleOptions): Schedule {
  requireOptions("polynomialSchedule", options, ["initValue", "endValue", "power", "transitionSteps", "transitionBegin"]);
  const where = "polynomialSchedule";
  const initValue = requireFinite(where, "initValue", options.initValue);
  const endValue = requireFinite(where, "endValue", options.endValue);
  const power = requireFinite(where, "power", options.power);
  const steps = requireFinite(where, "transitionSteps", options.transitionSteps);
  const begin = Math.max(0, requireFinite(where, "transitionBegin", options.transitionBegin ?? 0));
  if (steps <= 0) return constantSchedule(initValue);
  return defineSchedule(where, (count) => {
    const t = np.clip(np.subtract(count, begin), 0, steps);
    const frac = np.subtract(1, np.divide(t, steps));
    return np.add(np.multiply(initValue - endValue, np.power(frac, power)), endValue);
  });
}

/** Options of `linearSchedule`. */
export interface LinearScheduleOptions {
  /** The value at step 0. */
  initValue: number;
  /** The value once the transition is over. */
  endValue: number;
  /** Steps from `initValue` to `endValue`; `<= 0` gives the constant `initValue` (as Optax). */
  transitionSteps: number;
  /** Steps spent at `initValue` first; negative values count as 0. Default 0. */
  transitionBegin?: number;
}

/**
 * Linear interpolation from `initValue` to `endValue` over `transitionSteps` steps (after
 * `transitionBegin` steps at `initValue`), then constant.
 *
 * @example
 * linearSchedule({ initValue: 0, endValue: 1, transitionSteps: 4 })(1); // 0.25
 */
export function linearSchedule(options: LinearScheduleOptions): Schedule {
  requireOptions("linearSchedule", options, ["initValue", "endValue", "transitionSteps", "transitionBegin"]);
  return polynomialSchedule({ ...options, power: 1 });
}

/** Options of `exponentialDecay`. */
export interface ExponentialDecayOptions {
  /** The value at step 0. */
  initValue: number;
  /** Steps per factor of `decayRate`; `<= 0` gives the constant `initValue` (as Optax). */
  transitionSteps: number;
  /** Factor per `transitionSteps` steps; 0 gives the constant `initValue` (as Optax). */
  decayRate: number;
  /** Steps at `initValue` before the decay starts; negative values count as 0. Default 0. */
  transitionBegin?: number;
  /** Decay in whole steps of `transitionSteps` (`floor`) instead of continuously. Default false. */
  staircase?: boolean;
  /** A floor (decayRate < 1) or ceiling (decayRate > 1) on the value. */
  endValue?: number;
}

/**
 * `initValue * decayRate ** ((count - transitionBegin) / transitionSteps)`, `initValue` before
 * `transitionBegin`, floored in whole periods with `staircase`, bounded by `endValue`.
 *
 * @example
 * exponentialDecay({ initValue: 1, transitionSteps: 10, decayRate: 0.5 })(20); // 0.25
 */
export function exponentialDecay(options: ExponentialDecayOptions): Schedule {
  requireOptions("exponentialDecay", options, ["initValue", "transitionSteps", "decayRate", "transitionBegin", "staircase", "endValue"]);
  const where = "exponentialDecay";
  const initValue = requireFinite(where, "initValue", options.initValue);
  const steps = requireFinite(where, "transitionSteps", options.transitionSteps);
  const decayRate = requireFinite(where, "decayRate", options.decayRate);
  const begin = Math.max(0, requireFinite(where, "transitionBegin", options.transitionBegin ?? 0));
  const staircase = options.staircase ?? false;
  const endValue = options.endValue === undefined ? undefined : requireFinite(where, "endValue", options.endValue);
  if (steps <= 0 || decayRate === 0) return constantSchedule(initValue);
  return defineSchedule(where, (count) => {
    const elapsed = np.subtract(count, begin);
    let periods = np.divide(elapsed, steps);
    if (staircase) periods = np.floor(periods);
    let value = np.where(
      np.lessEqual(elapsed, 0),
      np.array(initValue, { dtype: "float64" }),
      np.multiply(initValue, np.power(decayRate, periods)),
    );
    if (endValue !== undefined) value = decayRate < 1 ? np.maximum(value, endValue) : np.minimum(value, endValue);
    return value;
  });
}

/** Options of `cosineDecaySchedule`. */
export interface CosineDecayScheduleOptions {
  /** The value at step 0. */
  initValue: number;
  /** Steps of the decay (> 0); the value stays at `alpha * initValue` afterwards. */
  decaySteps: number;
  /** The final value as a fraction of `initValue`. Default 0. */
  alpha?: number;
  /** Power applied to the cosine factor. Default 1. */
  exponent?: number;
}

/**
 * `initValue * ((1 - alpha) * (0.5 * (1 + cos(pi * t / decaySteps)))**exponent + alpha)` with
 * `t = min(count, decaySteps)` (Loshchilov & Hutter's SGDR without restarts).
 *
 * @example
 * cosineDecaySchedule({ initValue: 1, decaySteps: 10 })(5); // 0.5
 */
export function cosineDecaySchedule(options: CosineDecayScheduleOptions): Schedule {
  requireOptions("cosineDecaySchedule", options, ["initValue", "decaySteps", "alpha", "exponent"]);
  const where = "cosineDecaySchedule";
  const initValue = requireFinite(where, "initValue", options.initValue);
  const decaySteps = requirePositive(where, "decaySteps", options.decaySteps);
  const alpha = requireFinite(where, "alpha", options.alpha ?? 0);
  const exponent = requireFinite(where, "exponent", options.exponent ?? 1);
  return defineSchedule(where, (count) => {
    const t = np.minimum(count, decaySteps);
    const cosine = np.multiply(0.5, np.add(1, np.cos(np.multiply(Math.PI / decaySteps, t))));
    return np.multiply(initValue, np.add(np.multiply(1 - alpha, np.power(cosine, exponent)), alpha));
  });
}

/** Options of `warmupCosineDecaySchedule`. */
export interface WarmupCosineDecayScheduleOptions {
  /** The value at step 0. */
  initValue: number;
  /** The value at the end of the warmup, where the cosine decay starts. */
  peakValue: number;
  /** Steps of the linear warmup from `initValue` to `peakValue`. */
  warmupSteps: number;
  /** Total steps, warmup included: the cosine decay lasts `decaySteps - warmupSteps` (> 0). */
  decaySteps: number;
  /** The value after `decaySteps`. Default 0. */
  endValue?: number;
  /** Power applied to the cosine factor. Default 1. */
  exponent?: number;
}

/**
 * Linear warmup from `initValue` to `peakValue` over `warmupSteps`, then a cosine decay to
 * `endValue` reached at step `decaySteps`.
 *
 * @example
 * warmupCosineDecaySchedule({ initValue: 0, peakValue: 1, warmupSteps: 10, decaySteps: 110 })(10); // 1
 */
export function warmupCosineDecaySchedule(options: WarmupCosineDecayScheduleOptions): Schedule {
  requireOptions("warmupCosineDecaySchedule", options, ["initValue", "peakValue", "warmupSteps", "decaySteps", "endValue", "exponent"]);
  const where = "warmupCosineDecaySchedule";
  const initValue = requireFinite(where, "initValue", options.initValue);
  const peakValue = requireFinite(where, "peakValue", options.peakValue);
  const warmupSteps = requireNonNegative(where, "warmupSteps", options.warmupSteps);
  const decaySteps = requireFinite(where, "decaySteps", options.decaySteps);
  const endValue = requireFinite(where, "endValue", options.endValue ?? 0);
  if (decaySteps <= warmupSteps) {
    throw new OptimError(`${where}: decaySteps (${decaySteps}) must be greater than warmupSteps (${warmupSteps})`);
  }
  const alpha = peakValue === 0 ? 0 : endValue / peakValue;
  return joinSchedules(
    [
      linearSchedule({ initValue, endValue: peakValue, transitionSteps: warmupSteps }),
      cosineDecaySchedule({
        initValue: peakValue,
        decaySteps: decaySteps - warmupSteps,
        alpha,
        exponent: options.exponent ?? 1,
      }),
    ],
    [warmupSteps],
  );
}

/** Options of `piecewiseConstantSchedule`. */
export interface PiecewiseConstantScheduleOptions {
  /** The value before the first boundary. */
  initValue: number;
  /**
   * Step -> factor: from each boundary step on (inclusive), the value is multiplied by its
   * factor (factors compound). An object with integer keys, a `Map`, or `[step, factor]` pairs.
   */
  boundariesAndScales?: Record<number, number> | ReadonlyMap<number, number> | readonly (readonly [number, number])[];
}

/**
 * `initValue` times the product of the factors of every boundary already reached.
 *
 * @example
 * piecewiseConstantSchedule({ initValue: 1, boundariesAndScales: { 10: 0.1, 20: 0.5 } })(25); // 0.05
 */
export function piecewiseConstantSchedule(options: PiecewiseConstantScheduleOptions): Schedule {
  requireOptions("piecewiseConstantSchedule", options, ["initValue", "boundariesAndScales"]);
  const where = "piecewiseConstantSchedule";
  const initValue = requireFinite(where, "initValue", options.initValue);
  const given = options.boundariesAndScales ?? [];
  const pairs: [number, number][] = (
    given instanceof Map || Array.isArray(given)
      ? [...(given as Iterable<readonly [number, number]>)]
      : Object.entries(given).map(([k, v]) => [Number(k), v] as const)
  ).map(([boundary, scale]) => [
    requireFinite(where, "a boundary", boundary),
    requireFinite(where, `the scale at boundary ${boundary}`, scale),
  ]);
  for (const [boundary, scale] of pairs) {
    if (scale < 0) throw new OptimError(`${where}: scales must be >= 0, got ${scale} at boundary ${boundary}`);
  }
  pairs.sort((a, b) => a[0] - b[0]);
  return defineSchedule(where, (count) => {
    let value: Tensor = np.array(initValue, { dtype: "float64" });
    for (const [boundary, scale] of pairs) {
      value = np.where(np.less(count, boundary), value, np.multiply(value, scale));
    }
    return value;
  });
}

/**
 * `schedules[0]` until `boundaries[0]`, then `schedules[1]` counted from that boundary
 * (it sees `count - boundaries[0]`), and so on.
 *
 * @example
 * joinSchedules([constantSchedule(1), constantSchedule(2)], [10])(12); // 2
 */
export function joinSchedules(schedules: readonly ScheduleFn[], boundaries: readonly number[]): Schedule {
  const where = "joinSchedules";
  if (schedules.length === 0) throw new OptimError(`${where}: needs at least one schedule`);
  if (boundaries.length !== schedules.length - 1) {
    throw new OptimError(
      `${where}: ${schedules.length} schedules need ${schedules.length - 1} boundaries, got ${boundaries.length}`,
    );
  }
  boundaries.forEach((b, i) => requireFinite(where, `boundaries[${i}]`, b));
  return defineSchedule(where, (count) => {
    let value = asFloat64(schedules[0]!(count));
    boundaries.forEach((boundary, i) => {
      const next = asFloat64(schedules[i + 1]!(np.subtract(count, boundary)));
      value = np.where(np.less(count, boundary), value, next);
    });
    return value;
  });
}
