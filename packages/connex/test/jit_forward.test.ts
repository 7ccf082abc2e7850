import { describe, expect, it } from "vitest";
import { nn, np, random, type Tensor } from "@connex/core";
import { filterJit, filterValueAndGrad, vmap } from "@connex/autodiff";
import { NeuralNetwork } from "../src/index.js";
import { randomDag } from "./testing/random_dag.js";

// jit(f)(x) must equal f(x) on the network workloads: every feature combination, with dropout.
const features = [false, true].flatMap((useTopoNorm) =>
  [false, true].flatMap((useTopoSelfAttention) =>
    [false, true].flatMap((useNeuronSelfAttention) => [false, true].map((useAdaptiveActivations) => ({ useTopoNorm, useTopoSelfAttention, useNeuronSelfAttention, useAdaptiveActivations }))),
  ),
);

const maxDiff = (a: Tensor, b: Tensor) => {
  const x = a.toTypedArray();
  const y = b.toTypedArray();
  let m = 0;
  x.forEach((v, i) => (m = Math.max(m, Math.abs(v - y[i]!))));
  return m;
};

describe("jit of the network forward and training gradients", () => {
  features.forEach((f, i) => {
    it(`agrees with eager: ${JSON.stringify(f)}`, () => {
      const dag = randomDag(100 + i, { maxInputs: 3, maxHidden: 6, maxOutputs: 2, density: 0.5 });
      const net = new NeuralNetwork({ graph: dag.edges, neurons: dag.neurons, inputNeurons: dag.inputNeurons, outputNeurons: dag.outputNeurons, hiddenActivation: nn.tanh, dropoutP: 0.2, dtype: "float64", key: random.key(i), ...f });
      const xs = np.reshape(np.linspace(-1, 1, 5 * dag.inputNeurons.length, { dtype: "float64" }), [5, dag.inputNeurons.length]);
      const keys = random.split(random.key(42), 5);
      const forward = (n: NeuralNetwork, x: Tensor, k: Tensor) => vmap((xi: Tensor, ki: Tensor) => n.forward(xi, { key: ki }))(x, k);
      expect(maxDiff(filterJit(forward)(net, xs, keys) as Tensor, forward(net, xs, keys))).toBeLessThan(1e-12);
      const loss = filterValueAndGrad((n: NeuralNetwork, x: Tensor) => np.sum(np.square(vmap((xi: Tensor) => n.forward(xi, { inference: true }))(x))));
      const [l1, g1] = filterJit(loss)(net, xs) as [Tensor, NeuralNetwork];
      const [l2, g2] = loss(net, xs) as [Tensor, NeuralNetwork];
      expect(maxDiff(l1, l2)).toBeLessThan(1e-10);
      g1.batchParameters.forEach((p, b) => expect(maxDiff(p.weights, g2.batchParameters[b]!.weights)).toBeLessThan(1e-10));
    });
  });
});
