/**
 * MNIST at research scale: the jitted LeNet-300-100 training step (784-300-100-10, ReLU,
 * 266,200 edges; softmax cross-entropy, Adam(1e-3), batch 100 — the step of the examples,
 * `examples/mnist/training.ts`) beside the peers' same step (`np_mnist.py`: NumPy + OpenBLAS
 * with hand-written backprop; `tfjs_mnist.mjs` on wasm and cpu), and the same step with 21 %,
 * 7 %, 3.6 % and 1 % of the edges left (magnitude-pruned per topological batch with
 * `cnx.pruneByMagnitude`, the pruning levels of the lottery-ticket experiment) against dense.
 *
 * Every variant cycles through the same 60 batches of the first 6,000 training images (as the
 * tfjs peer does). Protocol of the training-step suites (benchmarks/README.md): each jitted
 * step warms up untimed for at least a second, rounds are interleaved with the peers' runs,
 * a second of untimed steps of every variant follows the peers' round, and a GC then a
 * quarter of a second of untimed steps precede each timed round. With more than one thread,
 * every variant is also timed on one (its parallel speed-up), that round right before or
 * after the variant's own, alternately.
 */
import { np, numThreads, random, type Tensor } from "@connex/core";
import * as cnx from "connex";
import { ProbeTally } from "./lib/probe_tally.js";
import { loadMnist } from "../examples/mnist/load_mnist.js";
import { LENET_300_100, layeredNetwork } from "../examples/mnist/networks.js";
import { initState, ownArrays, trainStep, type AdamState } from "../examples/mnist/training.js";
import { PeerRecorder, preparePeerCopy, selectPeers } from "./peers.js";
import { parallelCeilingRows, ParallelCeilingRecorder } from "./lib/parallel_ceiling.js";
import { withRatio, type ResultRow } from "./lib/report.js";
import { onThreads } from "./lib/threads.js";
import type { Suite } from "./lib/suite.js";
import { collectGarbageThenSettle, median, timeOnce } from "./lib/timing.js";

/**
 * The sparse levels timed against dense: fraction of the edges left. At 1 % the later layers
 * read only some of the neurons before them (a slice of rows), as lottery-ticket pruning leaves
 * them.
 */
export const SPARSE_LEVELS = [0.21, 0.07, 0.036, 0.01] as const;

/** A network being trained on a fixed cycle of minibatches. */
class MnistTrainer {
  private state: AdamState;
  private next = 0;
  public network: cnx.NeuralNetwork;
  constructor(
    network: cnx.NeuralNetwork,
    private readonly batches: readonly { images: Tensor; labels: Tensor }[],
  ) {
    // The step donates the network and its state: each trainer owns its arrays (pruned
    // variants share some with the dense network).
    this.network = ownArrays(network);
    this.state = initState(this.network);
  }
  step(): number {
    const batch = this.batches[this.next++ % this.batches.length]!;
    const [network, state, loss] = trainStep(batch, this.network, this.state);
    this.network = network;
    this.state = state;
    const value = loss.item();
    if (!Number.isFinite(value)) throw new Error(`MNIST step: loss ${value}`);
    return value;
  }
}

/** The peers' rows, NumPy's (on every core) with its ratio to NumPy on one thread, then that one. */
function numpyParallel(peerRows: readonly ResultRow[], numpyOne: ResultRow | undefined): ResultRow[] {
  if (numpyOne === undefined) return [...peerRows];
  return [...peerRows.map((r) => (r.variant === "numpy+openblas" ? withRatio(r, numpyOne) : r)), numpyOne];
}

/** LeNet-300-100 step, dense and sparse, vs NumPy and tfjs. */
export const mnistSuite: Suite = {
  name: "mnist",
  title: "LeNet-300-100 on MNIST: jitted Adam step (batch 100) vs NumPy and tfjs; the same step at 21 %, 7 %, 3.6 % of the edges vs dense",
  async run(ctx) {
    const suite = "LeNet-300-100 MNIST step";
    preparePeerCopy();
    // NumPy on one thread too: the peer's own parallel speed-up, beside ours.
    const recorder = new PeerRecorder([...selectPeers("mnist"), ...selectPeers("mnist", ["numpy-mnist-1thread"])], ctx.quick);
    const { train } = loadMnist({ trainSize: 6000, testSize: 0 });
    const batches = Array.from({ length: 60 }, (_, j) => ({ images: np.slice(train.images, j * 100, (j + 1) * 100), labels: np.slice(train.labels, j * 100, (j + 1) * 100) }));
    const dense = layeredNetwork(LENET_300_100, { key: random.key(0) });
    const variants: { name: string; network: cnx.NeuralNetwork }[] = [{ name: "connex jit dense", network: dense }];
    for (const keep of SPARSE_LEVELS) {
      const network = cnx.pruneByMagnitude(dense, { fraction: 1 - keep }, { scope: "batch" });
      variants.push({ name: `connex jit ${(100 * keep).toFixed(1).replace(/\.0$/, "")} % edges`, network });
    }
    for (const v of variants) ctx.log(`${suite}: ${v.name}: ${v.network.numEdges} edges`);
    const trainers = variants.map((v) => new MnistTrainer(v.network, batches));
    const threads = numThreads();
    // What the machine allows any 2-thread workload in each round (see lib/parallel_ceiling.ts).
    const ceiling = threads > 1 ? new ParallelCeilingRecorder(threads, ctx.quick) : null;
    // Every variant again on one thread (issue 15: the parallel speed-up of each training step).
    const oneThread = threads > 1 ? variants.map((v) => new MnistTrainer(v.network, batches)) : [];
    const steps = ctx.quick ? 5 : 60;
    // Seven rounds, so that a slow stretch of the shared machine weighs less in the median: whole
    // rounds of every variant ran ~2x slower in a full run (2026-12-06 04:30 UTC, dense 6.06,
    // 2.41, 5.92, 2.37, 5.57 ms; the 1-thread variant alike).
    const rounds = ctx.quick ? 1 : 7;
    const warmUp = (t: MnistTrainer) => {
      const warmupEnd = performance.now() + (ctx.quick ? 200 : 1000);
      do for (let i = 0; i < 10; i++) t.step();
      while (performance.now() < warmupEnd);
    };
    for (const t of trainers) warmUp(t);
    onThreads(1, () => oneThread.forEach(warmUp));
    const ms: number[][] = trainers.map(() => []);
    const oneThreadMs: number[][] = oneThread.map(() => []);
    const timeVariant = (trainer: MnistTrainer, into: number[]) => {
      collectGarbageThenSettle(() => trainer.step(), ctx.quick ? 20 : 250);
      into.push(timeOnce(() => void trainer.step(), steps));
    };
    // What the step's pool choice (packages/core/src/backend/threads/pool_choice.ts) decided on
    // every thread (timed rounds and the settling steps before them; not the warm-up): probes,
    // and how many chose the calling thread alone.
    const choices = trainers.map(() => new ProbeTally());
    for (let r = 0; r < rounds; r++) {
      ctx.log(`${suite}: round ${r + 1}/${rounds} (peers, then connex dense and sparse)`);
      await recorder.round();
      await ceiling?.round();
      // The first steps after the peers' processes are slower for about a second, whatever runs
      // them (measured, 2026-12-06: 3.6-5 ms per dense step for ~100 steps after an 8 s pause or
      // a busy process, 2.6-2.8 ms after; on 1 thread alike): untimed steps of every variant for
      // a second first, or whichever variant is timed first pays for it.
      const settleEnd = performance.now() + (ctx.quick ? 100 : 1000);
      do trainers.forEach((t, i) => choices[i]!.count(() => { for (let s = 0; s < 5; s++) t.step(); }));
      while (performance.now() < settleEnd);
      // Each variant on every thread and on one, back to back, in alternating order from round
      // to round: a drift of the machine's speed during a round then weighs on both alike.
      trainers.forEach((_, i) => {
        const one = oneThread[i];
        if (one !== undefined && r % 2 === 1) onThreads(1, () => timeVariant(one, oneThreadMs[i]!));
        choices[i]!.count(() => timeVariant(trainers[i]!, ms[i]!));
        if (one !== undefined && r % 2 === 0) onThreads(1, () => timeVariant(one, oneThreadMs[i]!));
      });
    }
    const allPeerRows = recorder.rows(suite);
    const numpyOne = allPeerRows.find((r) => r.variant === "numpy+openblas, 1 thread");
    // The ratios of our rows are to the peers as they run by default (NumPy on every core).
    const peerRows = allPeerRows.filter((r) => r !== numpyOne);
    const rows: ResultRow[] = variants.map((v, i) => ({
      suite,
      variant: v.name,
      median: median(ms[i]!),
      unit: "ms/step",
      rounds: ms[i]!,
      note: `${v.network.numEdges} edges (${((100 * v.network.numEdges) / dense.numEdges).toFixed(1)} %); ${steps} steps per round`,
    }));
    const denseRow = rows[0]!;
    // Targets of issue 15: the dense step at most 1.5x NumPy's, the 3.6 % step at most 0.08x dense.
    const withPeers = (row: ResultRow, target: boolean) => peerRows.reduce((acc, peer) => withRatio(acc, peer, target && peer.variant === "numpy+openblas" ? { max: 1.5 } : {}), row);
    const sparseRows = rows.slice(1).map((row, i) => withPeers(withRatio(row, denseRow, SPARSE_LEVELS[i] === 0.036 ? { max: 0.08 } : {}), false));
    // Each variant on one thread, then on every thread with its ratio to that (issue 15's target,
    // for the dense step on 2 threads: at least 1.7x as fast as on one).
    const parallel = oneThread.flatMap((_, i) => {
      const row = rows[i]!;
      const one: ResultRow = { suite, variant: `${row.variant}, 1 thread`, median: median(oneThreadMs[i]!), unit: "ms/step", rounds: oneThreadMs[i]!, note: `${steps} steps per round` };
      const oneRow = i === 0 && numpyOne ? withRatio(one, numpyOne) : one;
      const target = i === 0 && threads === 2 ? { max: 1 / 1.7 } : {};
      return [oneRow, withRatio({ ...row, variant: `${row.variant}, ${threads} threads`, note: `${row.note}; ${choices[i]!.note()}` }, oneRow, target)];
    });
    return {
      rows: [withPeers(denseRow, true), ...sparseRows, ...parallel, ...numpyParallel(peerRows, numpyOne), ...(ceiling ? parallelCeilingRows(suite, ceiling) : [])],
      skipped: recorder.skipped(suite),
    };
  },
};
