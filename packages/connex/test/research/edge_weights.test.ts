import { describe, expect, it } from "vitest";
import { removeConnections } from "../../src/plasticity/remove_connections.js";
import { isEdgeWeights } from "../../src/weight_storage.js";
import { edgeWeights } from "../../src/research/edge_weights.js";
import { readmeNetwork } from "../plasticity/testing/readme_network.js";
import { layered } from "./layered.js";
import type { NeuralNetwork } from "../../src/network.js";

function asMap(net: NeuralNetwork): Map<string, number> {
  const { from, to, weight } = edgeWeights(net);
  return new Map(from.map((f, e) => [`${String(f)}>${String(to[e])}`, weight[e]!]));
}
const weightedGraphMap = (net: NeuralNetwork) => new Map(net.toWeightedGraph().edges.map((e) => [`${String(e.from)}>${String(e.to)}`, e.weight]));

describe("edgeWeights", () => {
  it("lists every edge with the weight toWeightedGraph gives, block or per-edge storage", () => {
    const net = readmeNetwork({ useTopoNorm: true, useAdaptiveActivations: true });
    expect(asMap(net)).toEqual(weightedGraphMap(net));
    // A large sparse batch stores one weight per edge: same answers.
    const big = layered([60, 80, 3]);
    const sparse = removeConnections(big, big.edges().filter((_, i) => i % 3 !== 0));
    expect(sparse.batchParameters.some((p) => isEdgeWeights(p.weights))).toBe(true);
    expect(asMap(sparse)).toEqual(weightedGraphMap(sparse));
    expect(edgeWeights(sparse).weight).toHaveLength(sparse.numEdges);
  });

  it("orders edges by target batch and row, then source position, with consistent positions", () => {
    const net = readmeNetwork();
    const ew = edgeWeights(net);
    expect(ew.weight).toBeInstanceOf(Float64Array);
    for (let e = 0; e < ew.from.length; e++) {
      expect(net.neurons[ew.fromPosition[e]!]).toBe(ew.from[e]);
      expect(net.neurons[ew.toPosition[e]!]).toBe(ew.to[e]);
      expect(net.topoBatches[ew.batch[e]!]).toContain(ew.to[e]);
      if (e > 0) {
        const order = ew.toPosition[e]! - ew.toPosition[e - 1]! || ew.fromPosition[e]! - ew.fromPosition[e - 1]!;
        expect(order).toBeGreaterThan(0);
      }
    }
    expect(layered([2, 3], { dtype: "float32" }) && edgeWeights(layered([2, 3], { dtype: "float32" })).weight).toBeInstanceOf(Float32Array);
  });

  it("returns copies: writing to them leaves the network untouched", () => {
    const net = readmeNetwork();
    const before = net.toWeightedGraph();
    const ew = edgeWeights(net);
    ew.weight.fill(42);
    ew.from[0] = "x";
    expect(net.toWeightedGraph()).toEqual(before);
  });
});
