/**
 * Per-primitive overhead for tiny tensors (issue 4): a chain of K = 64 elementwise primitives
 * on shape-[3] float32 tensors, so arithmetic is negligible and what is timed is dispatch,
 * tracing and tape bookkeeping. Reported as microseconds per primitive of the original chain:
 * eager, under `grad`, under `vmap(grad)` (8 examples of shape [3]), and each under `jit`.
 * This bounds how fast a 12-neuron network can train eagerly.
 */
import { np, type Tensor } from "@connex/core";
import { grad, jit, makeJaxpr, vmap } from "@connex/autodiff";
import type { ResultRow } from "./lib/report.js";
import type { Suite } from "./lib/suite.js";
import { calibratedPlan, timeCalls } from "./lib/timing.js";

/** Primitives in the timed chain. */
export const CHAIN_LENGTH = 64;

/** Examples in the `vmap` batch. */
export const VMAP_BATCH = 8;

const w = np.array([0.5, -0.25, 0.75]);

/** `CHAIN_LENGTH` primitives cycling through sin, multiply, add, tanh (operands of equal shape and dtype: one primitive each). */
function chain(x: Tensor): Tensor {
  let y = x;
  for (let i = 0; i < CHAIN_LENGTH; i++) {
    switch (i % 4) {
      case 0:
        y = np.sin(y);
        break;
      case 1:
        y = np.multiply(y, w);
        break;
      case 2:
        y = np.add(y, w);
        break;
      default:
        y = np.tanh(y);
    }
  }
  return y;
}

/** The chain reduced to a scalar, for `grad`: CHAIN_LENGTH + 1 primitives. */
const chainLoss = (x: Tensor): Tensor => np.sum(chain(x));

function maxAbsDiff(a: Tensor, b: Tensor): number {
  const x = a.toTypedArray();
  const y = b.toTypedArray();
  if (x.length !== y.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(Number(x[i]) - Number(y[i])));
  return worst;
}

/** Per-primitive overhead, eager / grad / vmap(grad), with and without jit. */
export const overheadSuite: Suite = {
  name: "overhead",
  title: `per-primitive overhead on shape-[3] tensors (${CHAIN_LENGTH}-primitive chain): eager, grad, vmap(grad), and under jit`,
  async run(ctx) {
    const suite = "per-primitive overhead";
    const x = np.array([0.1, 0.2, 0.3]);
    const xs = np.reshape(np.linspace(-1, 1, VMAP_BATCH * 3), [VMAP_BATCH, 3]);
    // The chain really is CHAIN_LENGTH primitives (np adds no broadcasts or conversions here).
    const traced = makeJaxpr(chain)(x).eqns.length;
    if (traced !== CHAIN_LENGTH) throw new Error(`${suite}: the chain traced to ${traced} primitives, expected ${CHAIN_LENGTH}`);
    const perGrad = grad(chainLoss);
    const perExampleGrads = vmap(grad(chainLoss));
    const variants: { variant: string; fn: () => Tensor; primitives: number }[] = [
      { variant: "eager", fn: () => chain(x), primitives: CHAIN_LENGTH },
      { variant: "grad", fn: () => perGrad(x), primitives: CHAIN_LENGTH + 1 },
      { variant: `vmap(grad), batch ${VMAP_BATCH}`, fn: () => perExampleGrads(xs), primitives: CHAIN_LENGTH + 1 },
    ];
    const jitChain = jit(chain);
    const jitGrad = jit(perGrad);
    const jitPerExampleGrads = jit(perExampleGrads);
    const all = [
      ...variants,
      { variant: "jit(f)", fn: () => jitChain(x), primitives: CHAIN_LENGTH },
      { variant: "jit(grad)", fn: () => jitGrad(x) as Tensor, primitives: CHAIN_LENGTH + 1 },
      { variant: `jit(vmap(grad)), batch ${VMAP_BATCH}`, fn: () => jitPerExampleGrads(xs) as Tensor, primitives: CHAIN_LENGTH + 1 },
    ];
    // Compiled and eager versions agree, so the timings are of working code.
    for (let i = 0; i < variants.length; i++) {
      const diff = maxAbsDiff(variants[i]!.fn(), all[i + variants.length]!.fn());
      if (!(diff <= 1e-5)) throw new Error(`${suite}: ${all[i + variants.length]!.variant} differs from ${variants[i]!.variant} by ${diff}`);
    }
    const rows: ResultRow[] = [];
    for (const v of all) {
      ctx.log(`${suite}: ${v.variant}`);
      const plan = calibratedPlan(() => void v.fn(), { roundMs: ctx.quick ? 20 : 100, rounds: ctx.quick ? 3 : 7, warmup: ctx.quick ? 20 : 200 });
      const { medianMs, roundsMs } = timeCalls(() => void v.fn(), plan);
      const perPrim = (ms: number) => (ms * 1000) / v.primitives;
      rows.push({
        suite,
        variant: v.variant,
        median: perPrim(medianMs),
        unit: "µs/prim",
        rounds: roundsMs.map(perPrim),
        note: `${v.primitives} primitives per call, ${plan.iterations} calls per round; ${(medianMs * 1000).toFixed(1)} µs per call`,
      });
    }
    return { rows, skipped: [] };
  },
};
