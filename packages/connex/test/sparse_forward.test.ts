import { describe, expect, it } from "vitest";
import { filter, isInexactArray, nn, np, random, tree, type Tensor } from "@connex/core";
import { filterJit, filterValueAndGrad, vmap } from "@connex/autodiff";
import { MLP, DenseMLP } from "../src/mlp.js";
import { NeuralNetwork } from "../src/network.js";
import type { NetworkOptions } from "../src/options.js";
import { removeConnections } from "../src/plasticity/index.js";
import { layoutDensity, sparseEdges } from "../src/sparse_edges.js";
import type { WeightLayoutOption } from "../src/weight_layout.js";
import { randomDag, rng } from "./testing/random_dag.js";

type Path = "sparse" | "dense";

/**
 * The rule that puts every batch on one product with the weights kept as blocks (so both
 * networks have the same pytree and their gradients compare leaf by leaf).
 */
const BLOCKS_ON: Record<Path, WeightLayoutOption> = {
  sparse: { maxSparseDensity: 1, minEdgeStorageEntries: Number.MAX_SAFE_INTEGER },
  dense: "dense",
};

/** A network builder given the weight-layout rule (the same network, laid out by that rule). */
type Build = (weightLayout: WeightLayoutOption) => NeuralNetwork;

const xs = np.reshape(np.linspace(-1, 2, 9, { dtype: "float64" }), [9, 1]);

/** MSE of the network on `inputs` against a fixed target, and its gradient. */
function lossAndGrads(net: NeuralNetwork, inputs: Tensor): [number, Tensor[]] {
  const target = np.ones([inputs.shape[0]!, net.structure.topology.outputNeurons.length], { dtype: "float64" });
  const [loss, grads] = filterValueAndGrad((m: NeuralNetwork) => np.mean(np.square(np.subtract(vmap((x: Tensor) => m.forward(x))(inputs), target))))(net);
  return [(loss as Tensor).item(), tree.leaves(filter(grads, isInexactArray)) as Tensor[]];
}

function maxAbsDiff(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  const x = np.astype(a, "float64").toTypedArray();
  const y = np.astype(b, "float64").toTypedArray();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m;
}

/** The network `build` gives on each product, checked to take it wherever it can. */
function onEachPath(build: Build): Record<Path, NeuralNetwork> {
  const dense = build(BLOCKS_ON.dense);
  const sparse = build(BLOCKS_ON.sparse);
  expect(dense.structure.weightLayouts.every((l) => l.product === "dense")).toBe(true);
  const attention = sparse.structure.features.neuronSelfAttention;
  sparse.structure.weightLayouts.forEach((l) => expect(l.product).toBe(attention || l.layout.inputEnd === l.layout.inputStart ? "dense" : "sparse"));
  return { dense, sparse };
}

function expectSamePaths(build: Build, inputs: Tensor, tol = 1e-12): void {
  const nets = onEachPath(build);
  const dense = vmap((x: Tensor) => nets.dense.forward(x))(inputs);
  const sparse = vmap((x: Tensor) => nets.sparse.forward(x))(inputs);
  expect(maxAbsDiff(sparse, dense)).toBeLessThanOrEqual(tol);
  // Per sample (no vmap) as well.
  const one = np.take(inputs, 0, 0);
  expect(maxAbsDiff(nets.sparse.forward(one), nets.dense.forward(one))).toBeLessThanOrEqual(tol);
  const [ld, gd] = lossAndGrads(nets.dense, inputs);
  const [ls, gs] = lossAndGrads(nets.sparse, inputs);
  expect(Math.abs(ls - ld)).toBeLessThanOrEqual(tol);
  expect(gs.length).toBe(gd.length);
  gs.forEach((g, i) => expect(maxAbsDiff(g, gd[i]!)).toBeLessThanOrEqual(tol));
}

/** `net` with every edge whose weight magnitude is below `threshold` removed. */
function pruned(net: NeuralNetwork, threshold: number): NeuralNetwork {
  const weak = net
    .toWeightedGraph()
    .edges.filter((e) => Math.abs(e.weight) < threshold)
    .map((e) => [e.from, e.to] as [number, number]);
  return removeConnections(net, weak);
}

describe("sparse edge tables", () => {
  it("list each batch's edges with their flat weight index and density", () => {
    const net = MLP({ inputSize: 2, outputSize: 1, width: 3, depth: 1, dtype: "float64" });
    const hidden = net.structure.topology.batches[0]!;
    const edges = sparseEdges(hidden);
    expect(Array.from(edges.table.rows)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(Array.from(edges.table.cols)).toEqual([0, 1, 0, 1, 0, 1]);
    expect(edges.flatIndex.toArray()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(edges.density).toBe(1);
    expect(sparseEdges(hidden)).toBe(edges); // cached per layout
  });

  it("match the mask of every batch of random DAGs", () => {
    for (let seed = 1; seed <= 6; seed++) {
      const d = randomDag(seed, { density: 0.4 });
      const net = new NeuralNetwork({ graph: d.edges, neurons: d.neurons, inputNeurons: d.inputNeurons, outputNeurons: d.outputNeurons, dtype: "float64", key: random.key(seed) });
      net.structure.topology.batches.forEach((layout, b) => {
        const width = layout.inputEnd - layout.inputStart;
        if (width === 0) return;
        const mask = (net.batchParameters[b]!.mask.toTypedArray() as Uint8Array) ?? [];
        const edges = sparseEdges(layout);
        const flat = Array.from(edges.flatIndex.toTypedArray());
        const masked = Array.from(mask).flatMap((m, i) => (m ? [i] : []));
        expect(flat).toEqual(masked);
        expect(edges.density).toBeCloseTo(masked.length / (layout.neurons.length * width), 12);
        expect(layoutDensity(layout)).toBe(edges.density); // counted without building the tables
      });
    }
  });

  it("put a batch on the sparse product at or below the rule's density", () => {
    const build = (weightLayout: WeightLayoutOption) =>
      pruned(DenseMLP({ inputSize: 1, outputSize: 2, width: 16, depth: 2, dtype: "float64", key: random.key(3), weightLayout }), 0.1);
    const densities = build("auto").structure.topology.batches.map((l) => sparseEdges(l).density);
    const between = (Math.min(...densities) + Math.max(...densities)) / 2; // some batches on each side
    expect(Math.min(...densities)).toBeLessThan(between);
    const net = build({ maxSparseDensity: between });
    net.structure.weightLayouts.forEach((l, i) => expect(l.product).toBe(densities[i]! <= between ? "sparse" : "dense"));
    expect(net.structure.weightLayouts.some((l) => l.product === "dense")).toBe(true);
    expect(build("dense").structure.weightLayouts.every((l) => l.product === "dense")).toBe(true);
    expect(build("sparse").structure.weightLayouts.every((l) => l.product === "sparse")).toBe(true);
  });
});

describe("the sparse path equals the dense path (float64, each chosen by the network's rule)", () => {
  it("on random DAGs: outputs, loss and every gradient", () => {
    for (let seed = 1; seed <= 8; seed++) {
      const d = randomDag(seed, { density: 0.5 });
      const build = (weightLayout: WeightLayoutOption) =>
        new NeuralNetwork({ graph: d.edges, neurons: d.neurons, inputNeurons: d.inputNeurons, outputNeurons: d.outputNeurons, hiddenActivation: nn.tanh, dtype: "float64", key: random.key(seed), weightLayout });
      const r = rng(seed);
      const inputs = np.array(Array.from({ length: 5 }, () => d.inputNeurons.map(() => 2 * r() - 1)), { dtype: "float64" });
      expectSamePaths(build, inputs);
    }
  });

  it("on pruned DenseMLPs (sizes in Wasm range), with features that keep the plain product", () => {
    const variants: NetworkOptions[] = [{}, { useTopoNorm: true, useAdaptiveActivations: true }, { useTopoSelfAttention: true }];
    for (const opts of variants) {
      const build = (weightLayout: WeightLayoutOption) =>
        pruned(DenseMLP({ inputSize: 1, outputSize: 2, width: 24, depth: 3, hiddenActivation: nn.gelu, dtype: "float64", key: random.key(5), ...opts, weightLayout }), 0.1);
      const inputs = np.reshape(np.linspace(0, 6, 40, { dtype: "float64" }), [40, 1]);
      expectSamePaths(build, inputs, 1e-11);
    }
  });

  it("leaves neuron self-attention on the dense path (same results under both rules)", () => {
    const build = (weightLayout: WeightLayoutOption) =>
      pruned(MLP({ inputSize: 1, outputSize: 1, width: 4, depth: 2, dtype: "float64", useNeuronSelfAttention: true, key: random.key(2), weightLayout }), 0.1);
    expectSamePaths(build, xs);
  });

  it("under jit, jit equals eager on the sparse path", () => {
    const inputs = np.reshape(np.linspace(0, 3, 30, { dtype: "float64" }), [30, 1]);
    const loss = (m: NeuralNetwork, x: Tensor) => np.mean(np.square(vmap((xi: Tensor) => m.forward(xi))(x)));
    for (const weightLayout of [BLOCKS_ON.sparse, "sparse"] as const) {
      const net = pruned(DenseMLP({ inputSize: 1, outputSize: 2, width: 20, depth: 2, dtype: "float64", key: random.key(8), weightLayout }), 0.1);
      expect(net.structure.weightLayouts.every((l) => l.product === "sparse")).toBe(true);
      const [le, ge] = filterValueAndGrad(loss)(net, inputs);
      const [lj, gj] = filterJit(filterValueAndGrad(loss))(net, inputs);
      expect(Math.abs((lj as Tensor).item() - (le as Tensor).item())).toBeLessThanOrEqual(1e-14);
      const a = tree.leaves(filter(ge, isInexactArray)) as Tensor[];
      const b = tree.leaves(filter(gj, isInexactArray)) as Tensor[];
      a.forEach((g, i) => expect(maxAbsDiff(g, b[i]!)).toBeLessThanOrEqual(1e-14));
    }
  });

  it("in float32 agrees with the dense path to float32 rounding", () => {
    const nets = onEachPath((weightLayout) => pruned(DenseMLP({ inputSize: 1, outputSize: 2, width: 32, depth: 2, hiddenActivation: nn.gelu, key: random.key(1), weightLayout }), 0.1));
    const inputs = np.reshape(np.linspace(0, 6, 64), [64, 1]);
    const dense = vmap((x: Tensor) => nets.dense.forward(x))(inputs);
    const sparse = vmap((x: Tensor) => nets.sparse.forward(x))(inputs);
    expect(sparse.dtype).toBe("float32");
    expect(maxAbsDiff(sparse, dense)).toBeLessThanOrEqual(1e-5);
  });
});
