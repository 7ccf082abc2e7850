/**
 * The training workloads shared with the peer scripts (`../shared/peers/`): the same data
 * (x = linspace(0, 2π, 250), y = [cos x, sin x]), the README network and DenseMLP(1, 2, 128, 4)
 * with GELU, and one full-batch Adam(1e-3) training step: `filterValueAndGrad` of the MSE over
 * `vmap(forward)`, the optimiser update and `applyUpdates`; eagerly or compiled with `filterJit`.
 */
import { filter, isInexactArray, nn, np, random, Tensor, tree } from "@connex/core";
import { filterJit, filterValueAndGrad, vmap } from "@connex/autodiff";
import * as optim from "@connex/optim";
import * as cnx from "connex";

/** Number of training points. */
export const NUM_POINTS = 250;

/**
 * x in [0, 2π] (shape [250, 1]) and targets [cos x, sin x] (shape [250, 2]).
 *
 * @example
 * const { x, y } = sineCosineData(); // x.shape [250, 1], y.shape [250, 2]
 */
export function sineCosineData(): { x: Tensor; y: Tensor } {
  const x = np.expandDims(np.linspace(0, 2 * Math.PI, NUM_POINTS), 1);
  return { x, y: np.hstack([np.cos(x), np.sin(x)]) };
}

/** The README network's adjacency (12 neurons, input 0, outputs 3 and 11). */
export const README_GRAPH = { 0: [1, 2, 3], 1: [4], 2: [4, 5], 4: [6], 5: [7], 6: [8, 9], 7: [10], 8: [11], 9: [11], 10: [11] };

/**
 * The README network with ReLU hidden neurons (as `tfjs_small.mjs` and `neat_small.cjs`).
 *
 * @example
 * readmeNetwork().numEdges; // 14
 */
export function readmeNetwork(key: Tensor = random.key(0)): cnx.NeuralNetwork {
  return new cnx.NeuralNetwork({ graph: README_GRAPH, inputNeurons: [0], outputNeurons: [3, 11], hiddenActivation: nn.relu, key });
}

/**
 * DenseMLP(1 -> 2, width 128, depth 4) with GELU: 99,842 weights, as `tfjs_dense.mjs`.
 *
 * @example
 * denseNetwork().numEdges; // 99842
 */
export function denseNetwork(key: Tensor = random.key(0)): cnx.NeuralNetwork {
  return cnx.nn.DenseMLP({ inputSize: 1, outputSize: 2, width: 128, depth: 4, hiddenActivation: nn.gelu, key });
}

/** One training step: new network, new optimiser state, and the loss before the update. */
export type TrainingStep = (network: cnx.NeuralNetwork, state: unknown, x: Tensor, y: Tensor) => readonly [cnx.NeuralNetwork, unknown, Tensor];

const mseLossAndGrad = filterValueAndGrad((network: cnx.NeuralNetwork, x: Tensor, y: Tensor) => {
  const predictions = vmap((xi: Tensor) => network.forward(xi))(x);
  return np.mean(np.square(np.subtract(predictions, y)));
});

/**
 * The eager Adam training step (and `optimizer` to initialise its state with).
 *
 * @example
 * const { step, optimizer } = adamTrainingStep();
 * const [net2, state2, loss] = step(net, optimizer.init(filter(net, isInexactArray)), x, y);
 */
export function adamTrainingStep(learningRate = 1e-3): { step: TrainingStep; optimizer: ReturnType<typeof optim.adam> } {
  const optimizer = optim.adam(learningRate);
  const step: TrainingStep = (network, state, x, y) => {
    const [loss, grads] = mseLossAndGrad(network, x, y);
    const [updates, newState] = optimizer.update(grads, state as never, network);
    return [optim.applyUpdates(network, updates), newState, loss as Tensor] as const;
  };
  return { step, optimizer };
}

/**
 * A network being trained: `step()` advances it by one training step and returns the loss.
 * `compiled` runs the step through `filterJit` (traced on the first call, cached after).
 */
export class Trainer {
  network: cnx.NeuralNetwork;
  private state: unknown;
  private readonly runStep: TrainingStep;
  readonly data = sineCosineData();

  /**
   * `donate` (compiled only): the step donates the network and the optimiser state
   * (jax.jit's donate_argnums), so their memory serves the next step's results, as a training
   * loop over large arrays should be written. It costs a little per call (the arguments are
   * deleted and checked), so small networks, whose arrays are never in the kernel memory, do
   * without it. The trainer then trains copies of the network's arrays: the caller's network
   * (which other trainers may share) stays valid.
   */
  constructor(network: cnx.NeuralNetwork, { compiled, donate = false }: { compiled: boolean; donate?: boolean }) {
    const { step, optimizer } = adamTrainingStep();
    this.network = compiled && donate ? tree.map((leaf: unknown) => (leaf instanceof Tensor ? np.array(leaf) : leaf), network) : network;
    this.state = optimizer.init(filter(network, isInexactArray));
    if (compiled && !donate) this.runStep = filterJit(step);
    else if (compiled) {
      // The data comes first: the one argument not donated.
      const donating = filterJit((data: { x: Tensor; y: Tensor }, network: cnx.NeuralNetwork, state: unknown) => step(network, state, data.x, data.y), { donate: "all-except-first" });
      const data = { x: this.data.x, y: this.data.y };
      this.runStep = (network, state) => donating(data, network, state);
    } else this.runStep = step;
  }

  /**
   * One training step; returns the loss before the update.
   *
   * @example
   * const trainer = new Trainer(readmeNetwork(), { compiled: true });
   * trainer.step(); // ~0.59
   */
  step(): number {
    const [network, state, loss] = this.runStep(this.network, this.state, this.data.x, this.data.y);
    this.network = network;
    this.state = state;
    return loss.item();
  }
}

/**
 * Check that the compiled step computes what the eager step computes (same start, same loss
 * and the same updated weights to float32 rounding), so a timing never measures a broken path.
 *
 * @example
 * checkCompiledMatchesEager(() => readmeNetwork(), "README network step");
 */
export function checkCompiledMatchesEager(makeNetwork: () => cnx.NeuralNetwork, what: string): void {
  const eager = new Trainer(makeNetwork(), { compiled: false });
  const compiled = new Trainer(makeNetwork(), { compiled: true });
  for (let i = 0; i < 2; i++) {
    const a = eager.step();
    const b = compiled.step();
    if (!(Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(a)))) throw new Error(`${what}: jit step ${i} loss ${b} differs from eager loss ${a}`);
  }
  const wa = eager.network.toWeightedGraph().edges;
  const wb = compiled.network.toWeightedGraph().edges;
  let worst = 0;
  for (let i = 0; i < wa.length; i++) worst = Math.max(worst, Math.abs(wa[i]!.weight - wb[i]!.weight));
  if (!(worst <= 1e-4)) throw new Error(`${what}: after 2 steps jit weights differ from eager by ${worst}`);
}
