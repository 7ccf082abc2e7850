/**
 * Heap stays flat under repeated transformed calls (issues 4 and 8): a small MLP loss written
 * with `@connex/core`'s `np` and differentiated with `@connex/autodiff`'s `valueAndGrad`.
 *
 * - 10,000 eager `valueAndGrad` calls: heap after them vs heap after a 100-call warm-up.
 * - 10,000 jitted Adam steps (`jit` of valueAndGrad + `optim.adam` update + `applyUpdates`):
 *   heap after them vs heap after 100 steps.
 *
 * Heap = `process.memoryUsage().heapUsed` after forced garbage collections (`node --expose-gc`).
 * Target: at most 1.1x the earlier figure.
 */
import { np, random, type Tensor } from "@connex/core";
import { jit, valueAndGrad } from "@connex/autodiff";
import * as optim from "@connex/optim";
import { withRatio, type ResultRow } from "./lib/report.js";
import type { Suite } from "./lib/suite.js";

/** Calls (or steps) whose heap is compared against the warm-up's. */
export const LONG_RUN_CALLS = 10_000;

/** Warm-up calls before the baseline heap reading. */
export const WARMUP_CALLS = 100;

/** Heap growth allowed (issue 4: within 10 %). */
export const MAX_HEAP_RATIO = 1.1;

type MlpParams = { w1: Tensor; b1: Tensor; w2: Tensor; b2: Tensor; w3: Tensor; b3: Tensor };

/** A 1 -> 16 -> 16 -> 2 tanh MLP's parameters. */
function initMlp(): MlpParams {
  const [k1, k2, k3] = random.split(random.key(0), 3);
  return {
    w1: np.multiply(random.normal(k1!, [1, 16]), 0.5),
    b1: np.zeros([16]),
    w2: np.multiply(random.normal(k2!, [16, 16]), 0.25),
    b2: np.zeros([16]),
    w3: np.multiply(random.normal(k3!, [16, 2]), 0.25),
    b3: np.zeros([2]),
  };
}

/** Mean squared error of the MLP on a batch. */
function mlpLoss(p: MlpParams, x: Tensor, y: Tensor): Tensor {
  const h1 = np.tanh(np.add(np.matmul(x, p.w1), p.b1));
  const h2 = np.tanh(np.add(np.matmul(h1, p.w2), p.b2));
  const out = np.add(np.matmul(h2, p.w3), p.b3);
  return np.mean(np.square(np.subtract(out, y)));
}

function batch(): { x: Tensor; y: Tensor } {
  const x = np.expandDims(np.linspace(0, 2 * Math.PI, 32), 1);
  return { x, y: np.hstack([np.cos(x), np.sin(x)]) };
}

/** Heap in use after full garbage collections. */
function settledHeapBytes(): number {
  const gc = (globalThis as { gc?: () => void }).gc!;
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed;
}

const MB = 1024 * 1024;

function heapRows(suite: string, before: { label: string; bytes: number }, after: { label: string; bytes: number }): ResultRow[] {
  const baseline: ResultRow = { suite, variant: before.label, median: before.bytes / MB, unit: "MB" };
  const later: ResultRow = { suite, variant: after.label, median: after.bytes / MB, unit: "MB" };
  return [baseline, withRatio(later, baseline, { max: MAX_HEAP_RATIO, label: "the earlier heap" })];
}

/** Flat heap under 10,000 valueAndGrad calls and 10,000 jitted steps. */
export const memorySuite: Suite = {
  name: "memory",
  title: `heap after ${LONG_RUN_CALLS} valueAndGrad calls / jitted Adam steps on a small MLP vs after warm-up`,
  async run(ctx) {
    const suite = "memory (small MLP)";
    if (typeof (globalThis as { gc?: unknown }).gc !== "function") {
      return { rows: [], skipped: [{ suite, reason: "global.gc is not exposed: run with node --expose-gc (as `pnpm bench` does)" }] };
    }
    const calls = ctx.quick ? LONG_RUN_CALLS / 10 : LONG_RUN_CALLS;
    const { x, y } = batch();
    const rows: ResultRow[] = [];

    // Eager valueAndGrad: the same parameters every call, as in a gradient check or a sweep.
    const params = initMlp();
    const lossAndGrad = valueAndGrad(mlpLoss);
    let last = lossAndGrad(params, x, y);
    for (let i = 1; i < WARMUP_CALLS; i++) last = lossAndGrad(params, x, y);
    const eagerBefore = settledHeapBytes();
    ctx.log(`${suite}: ${calls} valueAndGrad calls`);
    for (let i = 0; i < calls; i++) last = lossAndGrad(params, x, y);
    const eagerAfter = settledHeapBytes();
    if (!Number.isFinite((last[0] as Tensor).item())) throw new Error(`${suite}: valueAndGrad gave a non-finite loss`);
    rows.push(
      ...heapRows(
        suite,
        { label: `valueAndGrad: heap after ${WARMUP_CALLS} warm-up calls`, bytes: eagerBefore },
        { label: `valueAndGrad: heap after ${calls} more calls`, bytes: eagerAfter },
      ),
    );

    // Jitted training steps: parameters and optimiser state change every step.
    const opt = optim.adam(1e-3);
    const step = jit((p: MlpParams, state: unknown, xb: Tensor, yb: Tensor) => {
      const [loss, grads] = valueAndGrad(mlpLoss)(p, xb, yb);
      const [updates, newState] = opt.update(grads, state as never, p);
      return [optim.applyUpdates(p, updates), newState, loss] as const;
    });
    let p = initMlp();
    let state: unknown = opt.init(p);
    let loss = np.zeros([]);
    const firstLoss = mlpLoss(p, x, y).item();
    const run = (n: number) => {
      for (let i = 0; i < n; i++) [p, state, loss] = step(p, state, x, y) as [MlpParams, unknown, Tensor];
    };
    run(WARMUP_CALLS);
    const jitBefore = settledHeapBytes();
    ctx.log(`${suite}: ${calls} jitted Adam steps`);
    run(calls - WARMUP_CALLS);
    const jitAfter = settledHeapBytes();
    if (!(loss.item() < firstLoss)) throw new Error(`${suite}: jitted training did not reduce the loss (${firstLoss} -> ${loss.item()})`);
    if (step.cacheSize !== 1) throw new Error(`${suite}: the jitted step was traced ${step.cacheSize} times, expected once`);
    rows.push(
      ...heapRows(
        suite,
        { label: `jitted Adam step: heap after ${WARMUP_CALLS} steps`, bytes: jitBefore },
        { label: `jitted Adam step: heap after ${calls} steps`, bytes: jitAfter },
      ),
    );
    return { rows, skipped: [] };
  },
};
