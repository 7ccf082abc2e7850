import { random } from "@connex/core";
import { beforeAll, describe, expect, it } from "vitest";
import { loadMnist, type Mnist } from "../mnist/load_mnist.js";
import { layeredNetwork } from "../mnist/networks.js";
import { grow, neurogenesisExperiment } from "../neurogenesis.js";

describe("grow", () => {
  it("adds hidden neurons wired from every input and to every output, keeping every weight", () => {
    const net = layeredNetwork([784, 4, 10], { key: random.key(0) });
    const grown = grow(net, 3, random.key(1));
    expect(grown.hiddenNeurons).toEqual([784, 785, 786, 787, 798, 799, 800]);
    expect(grown.numEdges).toBe(net.numEdges + 3 * (784 + 10));
    const before = new Map(net.toWeightedGraph().edges.map((e) => [`${String(e.from)}>${String(e.to)}`, e.weight]));
    const after = new Map(grown.toWeightedGraph().edges.map((e) => [`${String(e.from)}>${String(e.to)}`, e.weight]));
    for (const [edge, weight] of before) expect(after.get(edge)).toBe(weight);
    expect(() => grow(net, 0, random.key(1))).toThrow(/count must be a positive integer/);
  });
});

describe("neurogenesis on MNIST (reduced: 3,000 training images, 4 epochs)", () => {
  let mnist: Mnist;
  beforeAll(() => {
    mnist = loadMnist({ trainSize: 3000, testSize: 1000 });
  });

  it("grows at plateaus and ends more accurate than the network it started as", async () => {
    const { runs, summary } = await neurogenesisExperiment({ epochs: 4, startHidden: 4, maxHidden: 32, checkEvery: 10, plateau: 0.05, mnist });
    const growing = runs.growing!;
    const counts = growing.map((c) => c.hiddenNeurons);
    for (let i = 1; i < counts.length; i++) expect(counts[i]!).toBeGreaterThanOrEqual(counts[i - 1]!);
    expect(growing.some((c) => c.grew !== undefined)).toBe(true);
    expect(summary.growing!.finalHiddenNeurons).toBeGreaterThan(4);
    expect(summary.growing!.finalHiddenNeurons).toBeLessThanOrEqual(32);
    expect(summary.growing!.finalTestAccuracy).toBeGreaterThan(summary.fixed4!.finalTestAccuracy);
    expect(summary.growing!.hiddenNeuronSteps).toBeLessThan(summary.fixed32!.hiddenNeuronSteps);
  }, 300_000);
});
