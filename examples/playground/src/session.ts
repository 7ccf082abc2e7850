/**
 * The model side of the Playground: the network, its Adam state, the jitted training step and
 * the jitted prediction over a grid. Every edit goes through `edit`, which swaps in the edited
 * network (every surviving parameter kept, as connex's plasticity functions guarantee), starts
 * Adam's moments afresh (the parameter tree changed shape) and reports which weights survived
 * unchanged, so the page can show it.
 */
import { filter, isInexactArray, nn, np, random, type Tensor } from "@connex/core";
import { filterJit, filterValueAndGrad, vmap } from "@connex/autodiff";
import * as optim from "@connex/optim";
import * as cnx from "connex";
import type { Dataset } from "./datasets.js";

/** The input neurons (the two coordinates) and the output neuron (the logit of class 1). */
export const INPUTS = [0, 1] as const;
export const OUTPUT = 2;

/** Hidden activations on offer. */
export const ACTIVATIONS = { tanh: nn.tanh, relu: nn.relu, gelu: nn.gelu, sigmoid: nn.sigmoid } as const;
export type ActivationName = keyof typeof ACTIVATIONS;

/** What a network is built from: the graph (hidden neurons and edges), dropout, activation and the initialisation seed. */
export interface NetworkSpec {
  hidden: readonly number[];
  edges: readonly (readonly [number, number])[];
  dropout: Readonly<Record<number, number>>;
  activation: ActivationName;
  seed: number;
}

/** An edge's weight, keyed "from>to". */
export type Weights = Map<string, number>;
export const edgeKey = (from: cnx.NeuronId, to: cnx.NeuronId) => `${String(from)}>${String(to)}`;

/** What an edit changed, for the status line and the highlight. */
export interface EditReport {
  /** Edges present before and after. */
  kept: number;
  /** Of those, how many have exactly the same weight (all of them, unless something is wrong). */
  keptExactly: number;
  /** Edges the edit created. */
  added: [cnx.NeuronId, cnx.NeuronId][];
  /** Edges the edit removed. */
  removed: number;
}

/** Build the network a spec describes. */
export function buildNetwork(spec: NetworkSpec): cnx.NeuralNetwork {
  return new cnx.NeuralNetwork({
    graph: spec.edges.map(([a, b]) => [a, b] as [number, number]),
    neurons: [...INPUTS, OUTPUT, ...spec.hidden],
    inputNeurons: [...INPUTS],
    outputNeurons: [OUTPUT],
    hiddenActivation: ACTIVATIONS[spec.activation],
    dropoutP: Object.fromEntries(Object.entries(spec.dropout).filter(([, p]) => p > 0)),
    key: random.key(spec.seed),
  });
}

/** Every edge's current weight. */
export function weightsOf(network: cnx.NeuralNetwork): Weights {
  return new Map(network.toWeightedGraph().edges.map((e) => [edgeKey(e.from, e.to), e.weight]));
}

/** Binary cross-entropy of the logits (one per point) against 0/1 labels, averaged: mean(softplus(z) - y z). */
function bce(logits: Tensor, y: Tensor): Tensor {
  return np.mean(np.subtract(nn.softplus(logits), np.multiply(y, logits)));
}

/** A network being trained on a dataset. */
export class Session {
  network: cnx.NeuralNetwork;
  steps = 0;
  readonly losses: number[] = [];
  private learningRate: number;
  private opt: optim.GradientTransformation;
  private state: unknown;
  private step!: (net: cnx.NeuralNetwork, state: unknown, x: Tensor, y: Tensor, key: Tensor) => readonly [cnx.NeuralNetwork, unknown, Tensor];
  private readonly predict = filterJit((net: cnx.NeuralNetwork, grid: Tensor) =>
    nn.sigmoid(np.squeeze(vmap((xi: Tensor) => net.forward(xi, { inference: true }))(grid), 1)),
  );
  private dropoutKey: Tensor;

  constructor(
    network: cnx.NeuralNetwork,
    public data: Dataset,
    learningRate: number,
    seed: number,
  ) {
    this.network = network;
    this.learningRate = learningRate;
    this.opt = optim.adam(learningRate);
    this.state = this.opt.init(filter(network, isInexactArray));
    this.dropoutKey = random.foldIn(random.key(seed), 1);
    this.compile();
  }

  /** A jitted step for the current optimiser (a new learning rate is a new step function). */
  private compile(): void {
    const opt = this.opt;
    const loss = (net: cnx.NeuralNetwork, x: Tensor, y: Tensor, key: Tensor) => {
      const keys = random.split(key, x.shape[0]!);
      const logits = vmap((xi: Tensor, ki: Tensor) => net.forward(xi, { key: ki }))(x, keys);
      return bce(np.squeeze(logits, 1), y);
    };
    this.step = filterJit((net: cnx.NeuralNetwork, state: unknown, x: Tensor, y: Tensor, key: Tensor) => {
      const [value, grads] = filterValueAndGrad(loss)(net, x, y, key);
      const [updates, newState] = opt.update(grads, state as never, net);
      return [optim.applyUpdates(net, updates), newState, value as Tensor] as const;
    });
  }

  /** Run `count` Adam steps on the whole dataset; returns the last loss. */
  train(count: number): number {
    let last = Number.NaN;
    for (let i = 0; i < count; i++) {
      const key = random.foldIn(this.dropoutKey, this.steps);
      const [net, state, loss] = this.step(this.network, this.state, this.data.x, this.data.y, key);
      this.network = net;
      this.state = state;
      last = loss.item();
      this.losses.push(last);
      this.steps++;
    }
    return last;
  }

  /** The loss on the whole dataset without dropout (what the network has learnt so far). */
  evaluate(): { loss: number; accuracy: number } {
    const p = this.predict(this.network, this.data.x).toTypedArray();
    let loss = 0;
    let right = 0;
    this.data.points.forEach((pt, i) => {
      const q = Math.min(Math.max(p[i]!, 1e-7), 1 - 1e-7);
      loss -= pt.label === 1 ? Math.log(q) : Math.log(1 - q);
      if ((q > 0.5 ? 1 : 0) === pt.label) right++;
    });
    return { loss: loss / p.length, accuracy: right / p.length };
  }

  /** The probability of class 1 at each row of `grid` ([m, 2]). */
  probabilities(grid: Tensor): Float32Array {
    return this.predict(this.network, grid).toTypedArray() as Float32Array;
  }

  /** Change the learning rate (Adam's moments are kept: their shapes do not depend on it). */
  setLearningRate(lr: number): void {
    if (lr === this.learningRate) return;
    this.learningRate = lr;
    this.opt = optim.adam(lr);
    this.compile();
  }

  /** Train on another dataset from now on (the network and Adam's moments are kept). */
  setData(data: Dataset): void {
    this.data = data;
  }

  /**
   * Apply a plasticity edit. The edited network keeps every surviving parameter; Adam's moments
   * restart (the parameter tree changed). Returns what changed.
   */
  edit(change: (net: cnx.NeuralNetwork) => cnx.NeuralNetwork): EditReport {
    const before = weightsOf(this.network);
    const next = change(this.network);
    const after = weightsOf(next);
    let kept = 0;
    let keptExactly = 0;
    const added: [cnx.NeuronId, cnx.NeuronId][] = [];
    for (const [k, w] of after) {
      const old = before.get(k);
      if (old === undefined) {
        const [from, to] = k.split(">").map(Number);
        added.push([from!, to!]);
      } else {
        kept++;
        if (Object.is(old, w)) keptExactly++;
      }
    }
    this.network = next;
    this.state = this.opt.init(filter(next, isInexactArray));
    return { kept, keptExactly, added, removed: before.size - kept };
  }
}
