import { describe, expect, it } from "vitest";
import { nn, np, random, type Tensor } from "@connex/core";
import { addConnections, fromWeightedGraph, NeuralNetwork, removeNeurons } from "../src/index.js";

const readme = () =>
  new NeuralNetwork({
    graph: { 0: [1, 2, 3], 1: [4], 2: [4, 5], 4: [6], 5: [7], 6: [8, 9], 7: [10], 8: [11], 9: [11], 10: [11] },
    inputNeurons: [0],
    outputNeurons: [3, 11],
    hiddenActivation: nn.tanh,
    dtype: "float64",
    key: random.key(7),
  });

const outputs = (net: NeuralNetwork) => np.stack([0.3, -1.2, 2.5].map((v) => net.forward(np.array([v], { dtype: "float64" })) as Tensor)).toArray();

describe("toWeightedGraph / fromWeightedGraph", () => {
  it("round-trips: the rebuilt network has the same forward outputs", () => {
    const net = readme();
    const copy = fromWeightedGraph(net.toWeightedGraph(), { hiddenActivation: nn.tanh, dtype: "float64" });
    expect(outputs(copy)).toEqual(outputs(net));
    expect(copy.numEdges).toBe(net.numEdges);
  });

  it("round-trips after plasticity edits and with string ids", () => {
    let net = readme();
    net = addConnections(net, [[0, 9], [2, 10]], { key: random.key(1) });
    net = removeNeurons(net, [5]);
    const wg = net.toWeightedGraph();
    expect(wg.biases.length).toBe(net.numNeurons - net.inputNeurons.length);
    const copy = fromWeightedGraph(wg, { hiddenActivation: nn.tanh, dtype: "float64" });
    const a = outputs(copy) as number[][];
    const b = outputs(net) as number[][];
    a.flat().forEach((v, i) => expect(Math.abs(v - b.flat()[i]!)).toBeLessThan(1e-12));
  });

  it("rejects non-finite weights naming the edge", () => {
    const wg = readme().toWeightedGraph();
    wg.edges[0]!.weight = Number.NaN;
    expect(() => fromWeightedGraph(wg)).toThrow(/edge 0 -> 1 has a non-finite weight/);
  });
});
