/**
 * Training and evaluating classifiers on MNIST with the protocol of the peers
 * (`../shared/peers/np_mnist.py`): mean softmax cross-entropy over minibatches of 100 from
 * `data.batches` (a fresh shuffle per epoch), Adam(1e-3), compiled with `filterJit` (compiled
 * once per network structure: every pruned or grown network is a new program). Every epoch's
 * wall time is measured, so sparser networks can be seen training faster.
 *
 * The step donates the network and the optimiser state it replaces (`donate:
 * "all-except-first"`, the batch first and kept), so each step's new parameters and Adam
 * moments reuse the memory of the previous ones instead of fresh large arrays. A loop that
 * starts from a network its caller keeps (to rewind to, or to compare) trains a copy
 * (`ownArrays`).
 */
import { data, filter, isInexactArray, np, random, Tensor, tree, ValueError } from "@connex/core";
import { filterJit, filterValueAndGrad, vmap } from "@connex/autodiff";
import * as optim from "@connex/optim";
import * as cnx from "connex";
import { progress, type Progress, type ProgressOptions } from "connex/node";
import type { LabelledImages } from "./load_mnist.js";

/** The optimiser of every MNIST example: Adam with learning rate 1e-3. */
export const optimizer = optim.adam(1e-3);
/** Adam's state for a network. */
export type AdamState = ReturnType<typeof optimizer.init>;

/** Logits `[n, 10]` of a batch of images `[n, 784]`. */
export function logits(network: cnx.NeuralNetwork, images: Tensor): Tensor {
  return vmap((x: Tensor) => network.forward(x))(images);
}

/** Mean softmax cross-entropy of a batch. */
export function meanCrossEntropy(network: cnx.NeuralNetwork, images: Tensor, labels: Tensor): Tensor {
  return np.mean(optim.softmaxCrossEntropyWithIntegerLabels(logits(network, images), labels));
}

const lossAndGrad = filterValueAndGrad(meanCrossEntropy);

/** A minibatch: images `[n, 784]` and integer labels `[n]`. */
export interface Batch {
  images: Tensor;
  labels: Tensor;
}

/**
 * One compiled Adam step on a minibatch: the new network, the new state, the batch's loss.
 * `network` and `state` are donated: they are deleted by the call (use the returned ones).
 */
export const trainStep = filterJit(
  (batch: Batch, network: cnx.NeuralNetwork, state: AdamState) => {
    const [loss, grads] = lossAndGrad(network, batch.images, batch.labels);
    const [updates, newState] = optimizer.update(grads, state, network);
    return [optim.applyUpdates(network, updates), newState, loss as Tensor] as const;
  },
  { donate: "all-except-first" },
);

/**
 * `t` with every array leaf copied (`np.array`): a network a training loop may donate to
 * `trainStep` while the caller keeps the original.
 */
export function ownArrays<T>(t: T): T {
  return tree.map((leaf: unknown) => (leaf instanceof Tensor ? np.array(leaf) : leaf), t);
}

/** A fresh Adam state for `network`. */
export function initState(network: cnx.NeuralNetwork): AdamState {
  return optimizer.init(filter(network, isInexactArray));
}

const countCorrect = filterJit((network: cnx.NeuralNetwork, images: Tensor, labels: Tensor) =>
  np.sum(np.astype(np.equal(np.argmax(logits(network, images), { axis: 1 }), labels), "int32")),
);

/**
 * The fraction of `set` that `network` classifies correctly (evaluated in chunks).
 *
 * @example
 * accuracy(net, mnist.test); // 0.9631
 */
export function accuracy(network: cnx.NeuralNetwork, set: LabelledImages, chunk = 2000): number {
  const n = set.labels.shape[0]!;
  if (n === 0) return Number.NaN;
  let correct = 0;
  for (let start = 0; start < n; start += chunk) {
    const stop = Math.min(n, start + chunk);
    correct += countCorrect(network, np.slice(set.images, start, stop), np.slice(set.labels, start, stop)).item();
  }
  return correct / n;
}

/** What one epoch of `train` records. */
export interface EpochRecord {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean training loss over the epoch's minibatches. */
  trainLoss: number;
  /** Wall time of the epoch's training steps (evaluation excluded), in seconds. */
  seconds: number;
  /** Accuracy on the validation set after the epoch (NaN without one). */
  validationAccuracy: number;
  testAccuracy: number;
}

/** Options of `train`. */
export interface TrainOptions {
  epochs: number;
  /** Shuffling key; epoch `e` shuffles with `random.foldIn(key, e)`. */
  key: Tensor;
  batchSize?: number;
  /** Label of the progress display. */
  label?: string;
  /** Progress display mode (`progress` from `connex/node`; default "auto", "silent" for none). */
  display?: ProgressOptions["mode"];
  /** Called after every epoch (e.g. to log). */
  onEpoch?: (record: EpochRecord, network: cnx.NeuralNetwork) => void;
}

/** Yield to the event loop, so a notebook's progress display can refresh during long loops. */
export const breathe = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Train `network` for `epochs` shuffled passes over `sets.train` (minibatches of 100, the last
 * partial batch dropped so the compiled step never retraces) from a fresh Adam state,
 * evaluating on `sets.validation` and `sets.test` after each epoch.
 *
 * @example
 * const { network, history } = await train(lenet, mnist, { epochs: 1, key: random.key(0) });
 */
export async function train(
  network: cnx.NeuralNetwork,
  sets: { train: LabelledImages; validation?: LabelledImages; test: LabelledImages },
  options: TrainOptions,
): Promise<{ network: cnx.NeuralNetwork; history: EpochRecord[] }> {
  const { epochs, key, batchSize = 100 } = options;
  if (!Number.isInteger(epochs) || epochs < 0) throw new ValueError(`train: epochs must be a non-negative integer, got ${epochs}`);
  // The caller keeps its network: the steps donate a copy.
  network = ownArrays(network);
  let state = initState(network);
  const history: EpochRecord[] = [];
  const perEpoch = Math.floor(sets.train.labels.shape[0]! / batchSize);
  const bar: Progress = progress({ total: epochs * perEpoch, label: options.label ?? "training", mode: options.display ?? "auto" });
  let step = 0;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const batches = data.batches(random.foldIn(key, epoch), sets.train, batchSize, { dropLast: true });
    let lossSum = 0;
    let seconds = 0;
    for (const batch of batches) {
      const t0 = performance.now();
      const [next, nextState, loss] = trainStep(batch, network, state);
      const value = loss.item();
      seconds += (performance.now() - t0) / 1000;
      network = next;
      state = nextState;
      lossSum += value;
      bar.update(++step, value);
      if (step % 25 === 0) await breathe();
    }
    const record: EpochRecord = {
      epoch,
      trainLoss: lossSum / perEpoch,
      seconds,
      validationAccuracy: sets.validation ? accuracy(network, sets.validation) : Number.NaN,
      testAccuracy: accuracy(network, sets.test),
    };
    history.push(record);
    options.onEpoch?.(record, network);
  }
  bar.stop();
  return { network, history };
}

/**
 * The epoch a run would stop at: highest validation accuracy (last epoch when there is no
 * validation set), as Frankle & Carbin report test accuracy at the early-stopping iteration.
 */
export function earlyStoppingEpoch(history: readonly EpochRecord[]): EpochRecord {
  if (history.length === 0) throw new ValueError("earlyStoppingEpoch: empty history");
  let best = history[history.length - 1]!;
  if (Number.isNaN(best.validationAccuracy)) return best;
  for (const r of history) if (r.validationAccuracy > best.validationAccuracy) best = r;
  return best;
}
