/**
 * The pruning example of Python Connex, in TypeScript: a DenseMLP(1 -> 2, width 128, depth 4;
 * 99,842 edges) learns x -> [cos x, sin x] on 250 points of [0, 2π] with Adam(1e-3); then every
 * connection with |w| < 0.1 is removed with `cnx.removeConnections` (every other weight keeps its
 * value) and the pruned network trains on. Prints edge counts and losses.
 *
 * Run it (sources, via tsx from benchmarks/): `benchmarks/node_modules/.bin/tsx examples/pruning.ts [epochs]`
 * (default 500 epochs before and 500 after pruning). A smaller version runs in the tests.
 */
import { pathToFileURL } from "node:url";
import { filter, isInexactArray, np, random, type Tensor } from "@connex/core";
import { filterJit, filterValueAndGrad, vmap } from "@connex/autodiff";
import * as optim from "@connex/optim";
import * as cnx from "connex";

/** Toy data: `points` values x in [0, 2π] (shape [points, 1]) and targets [cos x, sin x]. */
export function sineCosineData(points = 250): { x: Tensor; y: Tensor } {
  const x = np.expandDims(np.linspace(0, 2 * Math.PI, points), 1);
  return { x, y: np.hstack([np.cos(x), np.sin(x)]) };
}

const lossAndGrad = filterValueAndGrad((model: cnx.NeuralNetwork, x: Tensor, y: Tensor) => {
  const preds = vmap((xi: Tensor) => model.forward(xi))(x);
  return np.mean(np.square(np.subtract(preds, y)));
});

/**
 * Full-batch Adam(1e-3) training for `epochs` steps (fresh optimiser state), compiled with
 * `filterJit` unless `eager`. Returns the trained network and every epoch's loss (before its step).
 *
 * @example
 * const { network, losses } = train(cnx.nn.DenseMLP({ inputSize: 1, outputSize: 2, width: 8, depth: 2 }), sineCosineData(), 10);
 */
export function train(network: cnx.NeuralNetwork, data: { x: Tensor; y: Tensor }, epochs: number, { eager = false } = {}): { network: cnx.NeuralNetwork; losses: number[] } {
  const opt = optim.adam(1e-3);
  const step = (net: cnx.NeuralNetwork, state: unknown, x: Tensor, y: Tensor) => {
    const [loss, grads] = lossAndGrad(net, x, y);
    const [updates, newState] = opt.update(grads, state as never, net);
    return [optim.applyUpdates(net, updates), newState, loss as Tensor] as const;
  };
  const run = eager ? step : filterJit(step);
  let state: unknown = opt.init(filter(network, isInexactArray));
  const losses: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const [next, nextState, loss] = run(network, state, data.x, data.y);
    network = next;
    state = nextState;
    losses.push(loss.item());
  }
  return { network, losses };
}

/**
 * The network without every connection whose weight magnitude is below `threshold`.
 *
 * @example
 * prune(net, 0.1).numEdges; // about a third of net.numEdges after training
 */
export function prune(network: cnx.NeuralNetwork, threshold: number): cnx.NeuralNetwork {
  const weak = network
    .toWeightedGraph()
    .edges.filter((e) => Math.abs(e.weight) < threshold)
    .map((e) => [e.from, e.to] as const);
  return cnx.removeConnections(network, weak);
}

/** Mean squared error of `network` on `data`. */
export function mse(network: cnx.NeuralNetwork, data: { x: Tensor; y: Tensor }): number {
  const preds = vmap((xi: Tensor) => network.forward(xi))(data.x);
  return np.mean(np.square(np.subtract(preds, data.y))).item();
}

/** What `pruningExperiment` reports. */
export interface PruningReport {
  edgesBefore: number;
  edgesAfter: number;
  lossBeforePruning: number;
  lossRightAfterPruning: number;
  lossAfterRetraining: number;
  secondsPerEpoch: number;
}

/**
 * Train, prune |w| < `threshold`, retrain; `log` sees progress lines.
 *
 * @example
 * pruningExperiment({ width: 16, depth: 2, epochs: 50 });
 */
export function pruningExperiment({
  width = 128,
  depth = 4,
  epochs = 500,
  threshold = 0.1,
  eager = false,
  log = (_line: string) => {},
}: { width?: number; depth?: number; epochs?: number; threshold?: number; eager?: boolean; log?: (line: string) => void } = {}): PruningReport {
  const data = sineCosineData();
  const dense = cnx.nn.DenseMLP({ inputSize: 1, outputSize: 2, width, depth, key: random.key(0) });
  log(`DenseMLP(1, 2, ${width}, ${depth}): ${dense.numEdges} edges`);
  const t0 = performance.now();
  const first = train(dense, data, epochs, { eager });
  const seconds = (performance.now() - t0) / 1000;
  const lossBeforePruning = mse(first.network, data);
  log(`trained ${epochs} epochs (${(seconds / Math.max(epochs, 1)).toFixed(3)} s/epoch): loss ${first.losses[0]?.toExponential(3)} -> ${lossBeforePruning.toExponential(3)}`);
  const pruned = prune(first.network, threshold);
  const lossRightAfterPruning = mse(pruned, data);
  log(`pruned |w| < ${threshold}: ${first.network.numEdges} -> ${pruned.numEdges} edges, loss ${lossRightAfterPruning.toExponential(3)}`);
  const second = train(pruned, data, epochs, { eager });
  const lossAfterRetraining = mse(second.network, data);
  log(`retrained ${epochs} epochs: loss ${lossAfterRetraining.toExponential(3)} (${second.network.numEdges} edges)`);
  return {
    edgesBefore: dense.numEdges,
    edgesAfter: pruned.numEdges,
    lossBeforePruning,
    lossRightAfterPruning,
    lossAfterRetraining,
    secondsPerEpoch: seconds / Math.max(epochs, 1),
  };
}

/** The full example: 500 epochs, prune, 500 epochs (or `epochs` from the command line). */
export function main(argv: readonly string[] = process.argv.slice(2)): void {
  const epochs = argv[0] === undefined ? 500 : Number(argv[0]);
  pruningExperiment({ epochs, log: (line) => console.log(line) });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
