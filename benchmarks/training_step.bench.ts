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
import { numThreads } from "@connex/core";
import type * as cnx from "connex";
import { PeerRecorder, preparePeerCopy, selectPeers, type PeerWorkloadKind } from "./peers.js";
import { withRatio, type ResultRow, type SuiteOutcome } from "./lib/report.js";
import type { BenchContext, Suite } from "./lib/suite.js";
import { onThreads } from "./lib/threads.js";
import { ProbeTally } from "./lib/probe_tally.js";
import { collectGarbage, collectGarbageThenSettle, median, timeOnce } from "./lib/timing.js";
import { checkCompiledMatchesEager, denseNetwork, readmeNetwork, Trainer } from "./lib/workloads.js";

/** How one training-step comparison is run. */
interface StepComparison {
  suite: string;
  peers: PeerWorkloadKind;
  makeNetwork: () => cnx.NeuralNetwork;
  /** Whether the jitted step donates the network and state (large networks; see `Trainer`). */
  donate: boolean;
  /** Timed steps per round: [eager, jit], full and quick. */
  steps: { full: [number, number]; quick: [number, number] };
  /** Target for the jitted step, as a fraction of tfjs-wasm's time. */
  jitTargetVsTfjsWasm: number;
  /**
   * Whether the jitted step is timed on one thread too, in the same rounds (its parallel
   * speed-up; the DenseMLP step's is in the threads suite).
   */
  oneThread: boolean;
}

function finiteLoss(loss: number, what: string): void {
  if (!Number.isFinite(loss)) throw new Error(`${what}: training step produced loss ${loss}`);
}

async function compareTrainingStep(ctx: BenchContext, c: StepComparison): Promise<SuiteOutcome> {
  preparePeerCopy();
  const recorder = new PeerRecorder(selectPeers(c.peers), ctx.quick);
  const [eagerSteps, jitSteps] = ctx.quick ? c.steps.quick : c.steps.full;
  const rounds = ctx.quick ? 1 : 5;
  // Each variant of ours is timed as a user runs it: the jitted step alone in its loop (the peer
  // scripts, too, each run one variant in a process of their own). Eager steps between jit
  // rounds would leave type feedback in the kernels both share and slow the jit rounds down, so
  // every jit round (each after its peers' round) comes before any eager step; the eager rounds
  // follow, and the check that jit computes what eager computes runs last, before reporting.
  const compiled = new Trainer(c.makeNetwork(), { compiled: true, donate: c.donate });
  const jitStep = () => finiteLoss(compiled.step(), `${c.suite} jit`);
  const threads = numThreads();
  const onOne = c.oneThread && threads > 1 ? new Trainer(c.makeNetwork(), { compiled: true, donate: c.donate }) : null;
  const oneStep = () => finiteLoss(onOne!.step(), `${c.suite} jit, 1 thread`);
  // Warm-up: V8 keeps optimising the generated loops and kernels for about the first thousand
  // steps of the small network (measured: 0.47, 0.33, 0.28 then 0.22 ms per step over rounds
  // of 300), so run untimed rounds for at least a second first; the peer scripts warm up too.
  // What the jitted step's pool choice (packages/core/src/backend/threads/pool_choice.ts) decided
  // from its first call to its last timed round, warm-up included (the 1-thread steps never probe).
  const choices = new ProbeTally();
  choices.start();
  const warmupEnd = performance.now() + (ctx.quick ? 200 : 1000);
  do for (let i = 0; i < Math.max(3, jitSteps); i++) jitStep();
  while (performance.now() < warmupEnd);
  if (onOne !== null) {
    const oneEnd = performance.now() + (ctx.quick ? 200 : 1000);
    onThreads(1, () => {
      do for (let i = 0; i < Math.max(3, jitSteps); i++) oneStep();
      while (performance.now() < oneEnd);
    });
  }
  const jitMs: number[] = [];
  const oneMs: number[] = [];
  const timeOnOne = () =>
    onThreads(1, () => {
      collectGarbageThenSettle(oneStep, ctx.quick ? 20 : 250);
      oneMs.push(timeOnce(oneStep, jitSteps));
    });
  for (let r = 0; r < rounds; r++) {
    ctx.log(`${c.suite}: round ${r + 1}/${rounds} (peers, then connex jit)`);
    await recorder.round();
    // The first steps after a peer's process has run both cores flat are slower for about a
    // second (measured: 0.30 ms per step in the round right after it, 0.22 in the next; the
    // DenseMLP step 9-15 ms in rounds settled by 30 steps, 5.5-6.5 ms in the pruned suite's),
    // whatever ran them: untimed steps for at least a round and a second let the machine settle.
    const settleEnd = performance.now() + (ctx.quick ? 100 : 1000);
    for (let i = 0; i < jitSteps || performance.now() < settleEnd; i++) jitStep();
    // The 1-thread round right before or after, alternately (as in the MNIST suite).
    if (onOne !== null && r % 2 === 1) timeOnOne();
    collectGarbageThenSettle(jitStep, ctx.quick ? 20 : 250);
    jitMs.push(timeOnce(jitStep, jitSteps));
    if (onOne !== null && r % 2 === 0) timeOnOne();
  }
  choices.stop();
  ctx.log(`${c.suite}: eager rounds`);
  const eager = new Trainer(c.makeNetwork(), { compiled: false });
  for (let i = 0; i < Math.max(2, eagerSteps); i++) finiteLoss(eager.step(), `${c.suite} eager`);
  const eagerMs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    collectGarbage();
    eagerMs.push(timeOnce(() => finiteLoss(eager.step(), `${c.suite} eager`), eagerSteps));
  }
  ctx.log(`${c.suite}: checking jit against eager`);
  checkCompiledMatchesEager(c.makeNetwork, c.suite);

  const peerRows = recorder.rows(c.suite);
  const withPeerRatios = (row: ResultRow, targetRow: boolean): ResultRow =>
    peerRows.reduce((acc, peer) => {
      const isTfjsWasm = peer.variant === "tfjs-wasm";
      return withRatio(acc, peer, { allowUnits: true, ...(targetRow && isTfjsWasm ? { max: c.jitTargetVsTfjsWasm } : {}) });
    }, row);
  const note = `${c.makeNetwork().numEdges} edges; ${eagerSteps} eager / ${jitSteps} jit steps per round`;
  const timed = (variant: string, ms: number[], extra = ""): ResultRow => ({ suite: c.suite, variant, median: median(ms), unit: "ms/step", rounds: ms, note: note + extra });
  const chose = threads > 1 ? `; ${choices.note(" (warm-up included)")}` : "";
  const oneRow = onOne === null ? null : timed("connex jit (filterJit), 1 thread", oneMs);
  const ours: ResultRow[] = [
    withPeerRatios(timed("connex eager", eagerMs), false),
    withPeerRatios(timed("connex jit (filterJit)", jitMs, chose), true),
    ...(oneRow === null ? [] : [oneRow, withRatio(timed(`connex jit (filterJit), ${threads} threads`, jitMs), oneRow)]),
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
      donate: false,
      steps: { full: [30, 3000], quick: [5, 30] },
      jitTargetVsTfjsWasm: 0.05,
      oneThread: true,
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
      donate: true,
      // 100 jitted steps per round, as many as NumPy's script times in each of its runs: both
      // figures then average the same stretch of this shared machine's time (10-step rounds,
      // ~50 ms, swung from 4.0 to 10.6 ms per step within one run; 2026-12-07 ~21:00 UTC).
      steps: { full: [5, 100], quick: [2, 2] },
      jitTargetVsTfjsWasm: 1.0,
      oneThread: false,
    }),
};
