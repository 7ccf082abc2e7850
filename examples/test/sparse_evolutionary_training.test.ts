import { random } from "@connex/core";
import { beforeAll, describe, expect, it } from "vitest";
import { loadMnist, type Mnist } from "../mnist/load_mnist.js";
import { edgesByLayer, erdosRenyiDensity, layeredNetwork } from "../mnist/networks.js";
import { absentLayerEdges, evolve, setExperiment, setRemovals } from "../sparse_evolutionary_training.js";

describe("SET's pieces", () => {
  it("Erdős–Rényi density is ε(n_in + n_out)/(n_in n_out), capped at 1", () => {
    expect(erdosRenyiDensity(784, 300, 20)).toBeCloseTo((20 * 1084) / 235200, 12);
    expect(erdosRenyiDensity(100, 10, 20)).toBe(1);
  });

  it("removes the zeta fraction of positive and of negative weights closest to zero", () => {
    const edges = [0.5, 0.1, 0.3, 0.2, -0.05, -0.4, -0.2, 0, -0.01, 0.9].map((weight, i) => ({ from: i, to: 100, weight }));
    expect(setRemovals(edges, 0.4)).toEqual([
      [1, 100],
      [3, 100],
      [8, 100],
    ]);
    expect(() => setRemovals(edges, 1.2)).toThrow(/zeta must be in \[0, 1\]/);
  });

  it("evolve keeps each layer's edge count and rewires only the sparse layers", () => {
    const sizes = [30, 20, 5];
    const net = layeredNetwork(sizes, { key: random.key(0), density: [0.2, 1], edgeKey: random.key(3) });
    const { network, rewired } = evolve(net, sizes, [0], 0.3, random.key(9));
    expect(rewired).toBeGreaterThan(0);
    expect(edgesByLayer(network, sizes).map((l) => l.length)).toEqual(edgesByLayer(net, sizes).map((l) => l.length));
    const before = new Set(edgesByLayer(net, sizes)[0]!.map((e) => `${e.from}>${e.to}`));
    const changed = edgesByLayer(network, sizes)[0]!.filter((e) => !before.has(`${e.from}>${e.to}`)).length;
    expect(changed).toBeGreaterThan(0);
    expect(absentLayerEdges(network, sizes, 0).length).toBe(30 * 20 - edgesByLayer(network, sizes)[0]!.length);
  });
});

describe("SET on MNIST (reduced: 4,000 training images, 8 epochs, 784-100-10 at ε = 2)", () => {
  let mnist: Mnist;
  beforeAll(() => {
    mnist = loadMnist({ trainSize: 4000, testSize: 2000 });
  });

  it("beats the same sparse network kept static, at equal density", async () => {
    const { variants, protocol } = await setExperiment({ epochs: 8, hidden: [100], epsilon: 2, dense: false, mnist });
    expect(variants.set!.edges).toBe(variants.static!.edges);
    expect((protocol.edges as { sparse: number }).sparse).toBeLessThan(0.15 * 79400);
    expect(variants.set!.history.slice(0, -1).every((r) => (r.rewired ?? 0) > 0)).toBe(true);
    expect(variants.set!.finalTestAccuracy).toBeGreaterThan(variants.static!.finalTestAccuracy);
  }, 600_000);
});
