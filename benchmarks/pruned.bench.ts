/**
 * Sparse execution: DenseMLP(1, 2, 128, 4) pruned at |w| < 0.1 (about a third of its edges
 * survive) against the same network unpruned, eager and jitted, rounds interleaved.
 * Target (issue 8): the pruned jitted step at most 0.6x the dense jitted step.
 */
import { nn } from "@connex/core";
import { pruneSmallWeights } from "./lib/plasticity_api.js";
import { withRatio, type ResultRow } from "./lib/report.js";
import type { Suite } from "./lib/suite.js";
import { collectGarbage, collectGarbageThenSettle, median, timeOnce } from "./lib/timing.js";
import { checkCompiledMatchesEager, denseNetwork, Trainer } from "./lib/workloads.js";

/** Weights below this magnitude are pruned. */
export const PRUNE_THRESHOLD = 0.1;

/** Pruned vs dense DenseMLP training step. */
export const prunedStepSuite: Suite = {
  name: "pruned",
  title: "DenseMLP(1, 2, 128, 4) pruned at |w| < 0.1 vs dense: Adam training step, eager and jit",
  async run(ctx) {
    const suite = "pruned DenseMLP step";
    const dense = denseNetwork();
    const { network: pruned, how } = pruneSmallWeights(dense, PRUNE_THRESHOLD, nn.gelu);
    const kept = pruned.numEdges / dense.numEdges;
    ctx.log(`${suite}: ${pruned.numEdges} of ${dense.numEdges} edges kept (${how}); checking jit against eager`);
    checkCompiledMatchesEager(() => pruned, suite);
    const trainers = {
      denseEager: new Trainer(dense, { compiled: false }),
      denseJit: new Trainer(dense, { compiled: true, donate: true }),
      prunedEager: new Trainer(pruned, { compiled: false }),
      prunedJit: new Trainer(pruned, { compiled: true, donate: true }),
    };
    const rounds = ctx.quick ? 1 : 7;
    const [eagerSteps, jitSteps] = ctx.quick ? [1, 2] : [3, 30];
    const ms = { denseEager: [] as number[], denseJit: [] as number[], prunedEager: [] as number[], prunedJit: [] as number[] };
    // The protocol of the training-step suites (benchmarks/README.md): each jitted step warms up
    // untimed for at least a second, the jit rounds (dense and pruned interleaved, a GC before
    // each) all run before any eager step, whose type feedback would slow the shared kernels.
    for (const name of ["denseJit", "prunedJit"] as const) {
      const warmupEnd = performance.now() + (ctx.quick ? 200 : 1000);
      do for (let i = 0; i < jitSteps; i++) trainers[name].step();
      while (performance.now() < warmupEnd);
    }
    for (let r = 0; r < rounds; r++) {
      ctx.log(`${suite}: jit round ${r + 1}/${rounds}`);
      for (const name of ["denseJit", "prunedJit"] as const) {
        collectGarbageThenSettle(() => trainers[name].step(), ctx.quick ? 20 : 250);
        ms[name].push(timeOnce(() => void trainers[name].step(), jitSteps));
      }
    }
    for (const name of ["denseEager", "prunedEager"] as const) trainers[name].step();
    for (let r = 0; r < rounds; r++) {
      ctx.log(`${suite}: eager round ${r + 1}/${rounds}`);
      for (const name of ["denseEager", "prunedEager"] as const) {
        collectGarbage();
        ms[name].push(timeOnce(() => void trainers[name].step(), eagerSteps));
      }
    }
    const note = `${pruned.numEdges}/${dense.numEdges} edges (${(100 * kept).toFixed(1)} %) kept; pruned by ${how}; ${eagerSteps} eager / ${jitSteps} jit steps per round`;
    const row = (variant: string, values: number[]): ResultRow => ({ suite, variant, median: median(values), unit: "ms/step", rounds: values, note });
    const denseEager = row("connex dense eager", ms.denseEager);
    const denseJit = row("connex dense jit", ms.denseJit);
    return {
      rows: [
        withRatio(row("connex pruned eager", ms.prunedEager), denseEager),
        withRatio(row("connex pruned jit", ms.prunedJit), denseJit, { max: 0.6 }),
        denseEager,
        denseJit,
      ],
      skipped: [],
    };
  },
};
