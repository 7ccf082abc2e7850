import { describe, expect, it } from "vitest";
import { combine, isInexactArray, nn, np, partition, random, type Tensor } from "@connex/core";
import { checkGrads, filterValueAndGrad, vmap } from "@connex/autodiff";
import { NeuralNetwork } from "../src/network.js";
import type { NetworkOptions } from "../src/options.js";

const README = { 0: [1, 2, 3], 1: [4], 2: [4, 5], 4: [6], 5: [7], 6: [8, 9], 7: [10], 8: [11], 9: [11], 10: [11] };
const xs = np.reshape(np.linspace(0, 2 * Math.PI, 6, { dtype: "float64" }), [6, 1]);
const ys = np.concatenate([np.cos(xs), np.sin(xs)], 1);

const mse = (net: NeuralNetwork, key?: Tensor) => {
  const preds = key
    ? vmap((x: Tensor, k: Tensor) => net.forward(x, { key: k }))(xs, random.split(key, 6))
    : vmap((x: Tensor) => net.forward(x))(xs);
  return np.mean(np.square(np.subtract(preds, ys)));
};

const options: [string, NetworkOptions][] = [
  ["plain", {}],
  ["topo norm", { useTopoNorm: true }],
  ["topo self-attention", { useTopoSelfAttention: true }],
  ["neuron self-attention", { useNeuronSelfAttention: true }],
  ["adaptive activations", { useAdaptiveActivations: true }],
  ["softmax output", { outputTransformation: nn.softmax }],
  ["everything", { useTopoNorm: true, useTopoSelfAttention: true, useNeuronSelfAttention: true, useAdaptiveActivations: true }],
];

describe("gradients of the loss w.r.t. the network agree with finite differences", () => {
  for (const [name, opts] of options) {
    it(name, () => {
      const net = new NeuralNetwork({ graph: README, inputNeurons: [0], outputNeurons: [3, 11], hiddenActivation: nn.tanh, dtype: "float64", key: random.key(11), ...opts });
      const [params, statics] = partition(net, isInexactArray);
      checkGrads((p: NeuralNetwork) => mse(combine(p, statics)), [params], { modes: ["rev"], eps: 1e-6, atol: 1e-7, rtol: 1e-6 });
      const [, grads] = filterValueAndGrad((m: NeuralNetwork) => mse(m))(net);
      // Gradients have the network's structure; masks (bool) get none, and absent edges get 0.
      expect(grads.batchParameters[0].mask).toBeNull();
      const g = grads.batchParameters[4].weights.toArray() as number[][];
      const mask = net.batchParameters[4]!.mask.toArray() as number[][];
      g.forEach((row, j) => row.forEach((v, c) => (mask[j]![c] ? null : expect(v).toBe(0))));
    });
  }

  it("with dropout (fixed keys)", () => {
    const net = new NeuralNetwork({ graph: README, inputNeurons: [0], outputNeurons: [3, 11], hiddenActivation: nn.tanh, dtype: "float64", dropoutP: 0.3 });
    const [params, statics] = partition(net, isInexactArray);
    checkGrads((p: NeuralNetwork) => mse(combine(p, statics), random.key(4)), [params], { modes: ["rev"], eps: 1e-6, atol: 1e-7, rtol: 1e-6 });
  });
});
