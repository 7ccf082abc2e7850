/**
 * Wall-clock timing helpers: every figure the benchmarks report is the median of several
 * rounds, each round timing a fixed number of calls after a warm-up (JIT tiers, caches).
 */

/** How to time a function: calls before timing, rounds, and calls per round. */
export interface TimingPlan {
  /** Untimed calls first (V8 tiers up, jit caches fill). */
  warmup: number;
  /** Timed rounds; the reported figure is their median. */
  rounds: number;
  /** Calls per round. */
  iterations: number;
}

/** The result of timing: median milliseconds per call and every round's figure. */
export interface Timing {
  medianMs: number;
  roundsMs: number[];
}

/**
 * The median of a non-empty list of numbers (the mean of the middle two for an even count).
 *
 * @example
 * median([3, 1, 2]); // 2
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median: no values");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function checkPlan(plan: TimingPlan): void {
  for (const [name, value, min] of [
    ["warmup", plan.warmup, 0],
    ["rounds", plan.rounds, 1],
    ["iterations", plan.iterations, 1],
  ] as const) {
    if (!Number.isInteger(value) || value < min) throw new RangeError(`timeCalls: ${name} must be an integer >= ${min}, got ${value}`);
  }
}

/**
 * Time `fn`: `plan.warmup` untimed calls, then `plan.rounds` rounds of `plan.iterations`
 * calls each; milliseconds per call, per round and as the median of the rounds.
 *
 * @example
 * const { medianMs } = timeCalls(() => Math.sqrt(2), { warmup: 10, rounds: 5, iterations: 1000 });
 */
export function timeCalls(fn: () => void, plan: TimingPlan): Timing {
  checkPlan(plan);
  for (let i = 0; i < plan.warmup; i++) fn();
  const roundsMs: number[] = [];
  for (let r = 0; r < plan.rounds; r++) {
    const start = performance.now();
    for (let i = 0; i < plan.iterations; i++) fn();
    roundsMs.push((performance.now() - start) / plan.iterations);
  }
  return { medianMs: median(roundsMs), roundsMs };
}

/**
 * Milliseconds taken by one call of `fn` (a single measurement, e.g. one round of an
 * interleaved comparison).
 *
 * @example
 * const ms = timeOnce(() => step(), 10); // ms per call over 10 calls
 */
export function timeOnce(fn: () => void, iterations = 1): number {
  if (!Number.isInteger(iterations) || iterations < 1) throw new RangeError(`timeOnce: iterations must be an integer >= 1, got ${iterations}`);
  const start = performance.now();
  for (let i = 0; i < iterations; i++) fn();
  return (performance.now() - start) / iterations;
}

/**
 * A plan whose rounds each take about `roundMs` milliseconds, from one timed trial call after
 * `warmup` calls (so fast functions get many calls per round and slow ones few).
 *
 * @example
 * const plan = calibratedPlan(() => f(x), { roundMs: 50, rounds: 7, warmup: 20 });
 */
export function calibratedPlan(fn: () => void, { roundMs, rounds, warmup }: { roundMs: number; rounds: number; warmup: number }): TimingPlan {
  for (let i = 0; i < warmup; i++) fn();
  const trial = timeOnce(fn, 3);
  return { warmup: 0, rounds, iterations: Math.max(1, Math.round(roundMs / Math.max(trial, 1e-6))) };
}

/**
 * Collect garbage now when the process runs with `--expose-gc` (as `pnpm bench` does), so a
 * timed round does not pay for the garbage the previous measurement left; a no-op otherwise.
 *
 * @example
 * collectGarbage(); const ms = timeOnce(() => step(), 100);
 */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc === "function") gc();
}

/**
 * Collects garbage ({@link collectGarbage}), then runs `step` untimed for at least `ms`
 * milliseconds: what precedes each timed round of a training step. A full collection stops the
 * calling thread for milliseconds, the pool's worker goes to sleep meanwhile, and on the 2-core
 * VM steps split across threads then ran slower for about a hundred steps (measured 2026-12-06,
 * the jitted MNIST step on 2 threads in 60-step rounds: 2.44-2.78 ms timed right after the
 * collection, 2.17-2.39 ms after 100 untimed steps, 2.13-2.39 ms with no collection; the same
 * step on 1 thread was unaffected, 3.3-3.6 ms).
 *
 * @example
 * collectGarbageThenSettle(() => trainer.step(), 250); const ms = timeOnce(() => trainer.step(), 60);
 */
export function collectGarbageThenSettle(step: () => unknown, ms: number): void {
  collectGarbage();
  const end = performance.now() + ms;
  do step();
  while (performance.now() < end);
}
