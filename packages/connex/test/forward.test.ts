import { describe, expect, it } from "vitest";
import { nn, np, random, type Tensor } from "@connex/core";
import { vmap } from "@connex/autodiff";
import { NeuralNetwork } from "../src/network.js";
import type { NetworkOptions } from "../src/options.js";
import { randomDag, rng } from "./testing/random_dag.js";
import { referenceForward } from "./testing/reference_forward.js";

const FEATURES = ["useTopoNorm", "useTopoSelfAttention", "useNeuronSelfAttention", "useAdaptiveActivations"] as const;

/** Every combination of the four feature switches. */
const combinations: NetworkOptions[] = Array.from({ length: 16 }, (_, mask) =>
  Object.fromEntries(FEATURES.map((f, i) => [f, Boolean(mask & (1 << i))])),
);

const f64 = (xs: number[]) => np.array(xs, { dtype: "float64" });

function expectClose(got: Tensor, want: number[], tol = 1e-10) {
  const g = Array.from(got.toTypedArray() as Float64Array);
  expect(g.length).toBe(want.length);
  g.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(want[i]!))));
}

describe("forward agrees with a per-neuron loop (float64)", () => {
  for (const options of combinations) {
    const name = FEATURES.filter((f) => options[f]).join(" + ") || "no options";
    it(`random DAGs, ${name}`, () => {
      for (let seed = 1; seed <= 12; seed++) {
        const dag = randomDag(seed * 31 + Object.keys(options).length);
        const r = rng(seed);
        const net = new NeuralNetwork({
          graph: dag.edges,
          inputNeurons: dag.inputNeurons,
          outputNeurons: dag.outputNeurons,
          neurons: dag.neurons,
          hiddenActivation: seed % 2 ? nn.tanh : nn.gelu,
          outputTransformation: seed % 3 === 0 ? nn.softmax : nn.identity,
          dtype: "float64",
          key: random.key(seed),
          ...options,
        });
        const x = dag.inputNeurons.map(() => 2 * r() - 1);
        expectClose(net.forward(f64(x)), referenceForward(net, x));
      }
    });
  }

  it("with dropout: keep = bernoulli(key, 1 - p) by position, kept values scaled by 1 / (1 - p)", () => {
    for (let seed = 1; seed <= 10; seed++) {
      const dag = randomDag(seed + 500, { maxHidden: 8 });
      const dropoutP = new Map(dag.neurons.map((n, i) => [n, [0, 0.3, 0.7, 1][(i + seed) % 4]!]));
      const net = new NeuralNetwork({ graph: dag.edges, inputNeurons: dag.inputNeurons, outputNeurons: dag.outputNeurons, neurons: dag.neurons, dtype: "float64", dropoutP, useAdaptiveActivations: seed % 2 === 0 });
      const key = random.key(seed * 7);
      const p = net.neurons.map((n) => dropoutP.get(n)!);
      const keep = random.bernoulli(key, f64(p.map((q) => 1 - q)), [p.length]).toTypedArray();
      const multipliers = p.map((q, i) => (keep[i] ? 1 / (1 - q) : 0));
      const x = dag.inputNeurons.map((_, i) => 0.3 * (i + 1));
      expectClose(net.forward(f64(x), { key }), referenceForward(net, x, multipliers));
      expectClose(net.forward(f64(x), { key, inference: true }), referenceForward(net, x));
    }
  });

  it("the README network with every option at once, string ids mixed in", () => {
    const net = new NeuralNetwork({
      graph: { 0: [1, 2, 3], 1: ["four"], 2: ["four", 5], four: [6], 5: [7], 6: [8, 9], 7: [10], 8: [11], 9: [11], 10: [11] },
      inputNeurons: [0],
      outputNeurons: [3, 11],
      hiddenActivation: nn.relu,
      dtype: "float64",
      useTopoNorm: true,
      useTopoSelfAttention: true,
      useNeuronSelfAttention: true,
      useAdaptiveActivations: true,
      key: random.key(3),
    });
    for (const x of [-1.5, 0, 0.25, 2]) expectClose(net.forward(f64([x])), referenceForward(net, [x]));
  });
});

describe("forward under vmap", () => {
  it("equals the per-sample forward, for inputs and for per-sample dropout keys", () => {
    const dag = randomDag(77, { maxInputs: 3, maxHidden: 8 });
    const net = new NeuralNetwork({ graph: dag.edges, inputNeurons: dag.inputNeurons, outputNeurons: dag.outputNeurons, neurons: dag.neurons, dtype: "float64", dropoutP: 0.4, useTopoNorm: true, useNeuronSelfAttention: true });
    const xs = np.reshape(f64(Array.from({ length: 5 * dag.inputNeurons.length }, (_, i) => Math.sin(i))), [5, dag.inputNeurons.length]);
    const keys = random.split(random.key(9), 5);
    const batched = vmap((x: Tensor, k: Tensor) => net.forward(x, { key: k }))(xs, keys);
    expect(batched.shape).toEqual([5, dag.outputNeurons.length]);
    const rows = [...xs].map((x, i) => net.forward(x, { key: np.take(keys, i, 0) }));
    expectClose(batched, rows.flatMap((r) => Array.from(r.toTypedArray() as Float64Array)), 1e-12);
    const inference = vmap((x: Tensor) => net.forward(x, { inference: true }))(xs);
    expectClose(inference, [...xs].flatMap((x) => referenceForward(net, Array.from(x.toTypedArray() as Float64Array))));
  });
});
