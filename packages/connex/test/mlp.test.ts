import { describe, expect, it } from "vitest";
import { nn as activations, np } from "@connex/core";
import { InvalidOptionError } from "../src/errors.js";
import { DenseMLP, MLP } from "../src/mlp.js";
import { NeuralNetwork } from "../src/network.js";

describe("nn.MLP", () => {
  it("connects each layer to the next only", () => {
    const mlp = MLP({ inputSize: 2, outputSize: 3, width: 4, depth: 2 });
    expect(mlp).toBeInstanceOf(NeuralNetwork);
    expect(mlp.numEdges).toBe(2 * 4 + 4 * 4 + 4 * 3);
    expect(mlp.inputNeurons).toEqual([0, 1]);
    expect(mlp.outputNeurons).toEqual([10, 11, 12]);
    expect(mlp.topoBatches).toEqual([[2, 3, 4, 5], [6, 7, 8, 9], [10, 11, 12]]);
    expect(mlp.hiddenActivation).toBe(activations.silu);
    expect(mlp.forward(np.array([0.1, 0.2])).shape).toEqual([3]);
  });

  it("works with new, takes network options, and depth 0 links inputs to outputs", () => {
    const mlp = new MLP({ inputSize: 1, outputSize: 1, width: 0, depth: 0, hiddenActivation: activations.relu, dropoutP: 0.5 });
    expect(mlp.edges()).toEqual([[0, 1]]);
    expect(mlp.hiddenActivation).toBe(activations.relu);
    expect(mlp.structure.hasDropout).toBe(false); // no hidden neurons to drop
  });

  it("rejects invalid sizes", () => {
    expect(() => MLP({ inputSize: 0, outputSize: 1, width: 2, depth: 1 })).toThrow(/inputSize: expected an integer >= 1, got 0/);
    expect(() => MLP({ inputSize: 1, outputSize: 1, width: 0, depth: 1 })).toThrow(InvalidOptionError);
    expect(() => MLP({ inputSize: 1, outputSize: 1.5, width: 2, depth: 1 })).toThrow(/outputSize/);
    expect(() => DenseMLP({ inputSize: 1, outputSize: 1, width: 2, depth: -1 })).toThrow(/depth: expected an integer >= 0, got -1/);
  });
});

describe("nn.DenseMLP", () => {
  it("DenseMLP(1, 2, 128, 4) has 99,842 edges in 5 batches", () => {
    const net = DenseMLP({ inputSize: 1, outputSize: 2, width: 128, depth: 4 });
    expect(net.numEdges).toBe(99_842);
    expect(net.numNeurons).toBe(1 + 512 + 2);
    expect(net.topoBatches.map((b) => b.length)).toEqual([128, 128, 128, 128, 2]);
    // The last hidden batch reads the input and all three earlier hidden layers: width 1 + 384.
    expect(net.batchParameters[3]!.weights.shape).toEqual([128, 385]);
    expect(net.forward(np.array([0.5])).shape).toEqual([2]);
  });

  it("connects every layer to all later layers", () => {
    const net = DenseMLP({ inputSize: 2, outputSize: 1, width: 3, depth: 2 });
    expect(net.numEdges).toBe(2 * (3 + 3 + 1) + 3 * (3 + 1) + 3 * 1);
    expect(net.edges().filter(([from]) => from === 0).map(([, to]) => to)).toEqual([2, 3, 4, 5, 6, 7, 8]);
  });
});
