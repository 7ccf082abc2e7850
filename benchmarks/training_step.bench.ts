/**
 * Training-step speed against the peer libraries, measured in the same run and interleaved
 * round by round (one run of every peer script, then our eager and our jitted steps), so every
 * library sees the same machine load:
 *
 * - README network (12 neurons, 14 edges), Adam step on 250 points: vs tfjs wasm/cpu and
 *   neataptic (one plain-SGD epoch). Target: jitted step at most 0.05x tfjs-wasm.
 * - DenseMLP(1, 2, 128, 4), Adam step on 250 points: vs tfjs wasm/cpu, jax-js (jit) and NumPy.
 *   Target: jitted step at most 1x tfjs-wasm (aim: 0.5x).
 */
import type * as cnx from "connex";
import { PeerRecorder, preparePeerCopy, selectPeers, type PeerWorkloadKind } from "./peers.js";
import { withRatio, type ResultRow, type SuiteOutcome } from "./lib/report.js";
import type { BenchContext, Suite } from "./lib/suite.js";
import { collectGarbage, median, timeOnce } from "./lib/timing.js";
import { checkCompiledMatchesEager, denseNetwork, readmeNetwork, Trainer } from "./lib/workloads.js";

/** How one training-step comparison is run. */
interface StepComparison {
  suite: string;
  peers: PeerWorkloadKind;
  makeNetwork: () => cnx.NeuralNetwork;
  /** Timed steps per round: [eager, jit], full and quick. */
  steps: { full: [number, number]; quick: [number, number] };
  /** Target for the jitted step, as a fraction of tfjs-wasm's time. */
  jitTargetVsTfjsWasm: number;
}

function finiteLoss(loss: number, what: string): void {
  if (!Number.isFinite(loss)) throw new Error(`${what}: training step produced loss ${loss}`);
}

async function compareTrainingStep(ctx: BenchContext, c: StepComparison): Promise<SuiteOutcome> {
  ctx.log(`${c.suite}: checking jit against eager`);
  checkCompiledMatchesEager(c.makeNetwork, c.suite);
  const eager = new Trainer(c.makeNetwork(), { compiled: false });
  const compiled = new Trainer(c.makeNetwork(), { compiled: true });
  preparePeerCopy();
  const recorder = new PeerRecorder(selectPeers(c.peers), ctx.quick);
  const [eagerSteps, jitSteps] = ctx.quick ? c.steps.quick : c.steps.full;
  // Warm-up: one untimed round of each, so V8 has optimised the generated loops and kernels
  // before the first timed round (the peer scripts warm up in the same way before timing).
  for (let i = 0; i < Math.max(2, eagerSteps); i++) finiteLoss(eager.step(), `${c.suite} eager`);
  for (let i = 0; i < Math.max(3, jitSteps); i++) finiteLoss(compiled.step(), `${c.suite} jit`);
  const rounds = ctx.quick ? 1 : 5;
  const eagerMs: number[] = [];
  const jitMs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    ctx.log(`${c.suite}: round ${r + 1}/${rounds} (peers, then connex)`);
    await recorder.round();
    collectGarbage();
    eagerMs.push(timeOnce(() => finiteLoss(eager.step(), `${c.suite} eager`), eagerSteps));
    collectGarbage();
    jitMs.push(timeOnce(() => finiteLoss(compiled.step(), `${c.suite} jit`), jitSteps));
  }

  const peerRows = recorder.rows(c.suite);
  const withPeerRatios = (row: ResultRow, targetRow: boolean): ResultRow =>
    peerRows.reduce((acc, peer) => {
      const isTfjsWasm = peer.variant === "tfjs-wasm";
      return withRatio(acc, peer, { allowUnits: true, ...(targetRow && isTfjsWasm ? { max: c.jitTargetVsTfjsWasm } : {}) });
    }, row);
  const note = `${c.makeNetwork().numEdges} edges; ${eagerSteps} eager / ${jitSteps} jit steps per round`;
  const ours: ResultRow[] = [
    withPeerRatios({ suite: c.suite, variant: "connex eager", median: median(eagerMs), unit: "ms/step", rounds: eagerMs, note }, false),
    withPeerRatios({ suite: c.suite, variant: "connex jit (filterJit)", median: median(jitMs), unit: "ms/step", rounds: jitMs, note }, true),
  ];
  const skipped = recorder.skipped(c.suite);
  if (!peerRows.some((p) => p.variant === "tfjs-wasm")) skipped.push({ suite: c.suite, reason: "no tfjs-wasm figure: target not checked" });
  return { rows: [...ours, ...peerRows], skipped };
}

/** README network Adam step vs tfjs and neataptic. */
export const readmeStepSuite: Suite = {
  name: "readme",
  title: "README network (12 neurons) Adam training step on 250 points vs tfjs-wasm, tfjs-cpu, neataptic",
  run: (ctx) =>
    compareTrainingStep(ctx, {
      suite: "README network step",
      peers: "small",
      makeNetwork: () => readmeNetwork(),
      steps: { full: [30, 300], quick: [5, 30] },
      jitTargetVsTfjsWasm: 0.05,
    }),
};

/** DenseMLP(1, 2, 128, 4) Adam step vs tfjs, jax-js and NumPy. */
export const denseStepSuite: Suite = {
  name: "dense",
  title: "DenseMLP(1, 2, 128, 4) Adam training step on 250 points vs tfjs-wasm, tfjs-cpu, jax-js, NumPy",
  run: (ctx) =>
    compareTrainingStep(ctx, {
      suite: "DenseMLP step",
      peers: "dense",
      makeNetwork: () => denseNetwork(),
      steps: { full: [5, 10], quick: [2, 2] },
      jitTargetVsTfjsWasm: 1.0,
    }),
};
