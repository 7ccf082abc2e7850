import { describe, expect, it } from "vitest";
import { np, random } from "@connex/core";
import { ActivationShapeError, DuplicateNeuronError, InvalidGraphError } from "../../src/errors.js";
import { addConnections } from "../../src/plasticity/add_connections.js";
import { addHiddenNeurons } from "../../src/plasticity/add_hidden_neurons.js";
import { addInputNeurons } from "../../src/plasticity/add_input_neurons.js";
import { addOutputNeurons } from "../../src/plasticity/add_output_neurons.js";
import { caught } from "./testing/caught.js";
import { rebuildFromScratch, snapshot } from "./testing/identity.js";
import { readmeNetwork, run } from "./testing/readme_network.js";
import { changedSurvivors } from "./testing/survival.js";

describe("addInputNeurons", () => {
  it("puts new inputs before the existing ones, isolated; every record is shared", () => {
    const net = readmeNetwork({ useTopoNorm: true, useNeuronSelfAttention: true });
    const before = snapshot(net);
    const two = addInputNeurons(net, [20]);
    const out = addInputNeurons(two, [21, 22]);
    expect(out.inputNeurons).toEqual([21, 22, 20, 0]);
    expect(out.numEdges).toBe(14);
    expect(out.dropoutP.get(21)).toBe(0);
    out.batchParameters.forEach((p, i) => expect(p).toBe(net.batchParameters[i]));
    // Nothing reads the new inputs yet.
    expect(run(out, [5, -3, 2, 0.5])).toEqual(run(net, [0.5]));
    expect(snapshot(net)).toEqual(before);
    // Connected, they count.
    const wired = addConnections(out, [[21, 11]], { key: random.key(2) });
    expect(run(wired, [5, -3, 2, 0.5])).not.toEqual(run(net, [0.5]));
    expect(run(wired, [5, -3, 2, 0.5])).toEqual(run(rebuildFromScratch(wired), [5, -3, 2, 0.5]));
  });

  it("requires new, distinct, valid ids", () => {
    const net = readmeNetwork();
    const e = caught(() => addInputNeurons(net, [5, 30]));
    expect(e).toBeInstanceOf(DuplicateNeuronError);
    expect(e.message).toBe("addInputNeurons: neuron [5] is already in the network; new neurons need new ids");
    expect(() => addInputNeurons(net, [30, 30])).toThrow(/neuron 30 is listed twice/);
    expect(() => addInputNeurons(net, [NaN])).toThrow(InvalidGraphError);
    expect(() => addInputNeurons(net, 30 as never)).toThrow(InvalidGraphError);
    expect(addInputNeurons(net, []).inputNeurons).toEqual([0]);
  });
});

describe("addHiddenNeurons", () => {
  it("adds isolated neurons to the last hidden batch; they fire activation(bias)", () => {
    const net = readmeNetwork({ useAdaptiveActivations: true });
    const out = addHiddenNeurons(net, ["h", 40], { key: random.key(9) });
    expect(out.topoBatches).toEqual([[1, 2], [4, 5], [6, 7], [8, 9, 10, "h", 40], [3, 11]]);
    out.batchParameters.forEach((p, b) => (b === 3 ? expect(p === net.batchParameters[b]).toBe(false) : expect(p).toBe(net.batchParameters[b])));
    expect(changedSurvivors(net, out).changed).toEqual([]);
    expect(run(out, [0.2])).toEqual(run(net, [0.2]));
    const other = addHiddenNeurons(net, ["h", 40], { key: random.key(10) });
    expect(other.batchParameters[3]!.biases.toArray()).not.toEqual(out.batchParameters[3]!.biases.toArray());
    // Wire it in: 0 -> h -> 11.
    const wired = addConnections(out, [[0, "h"], ["h", 11]]);
    expect(run(wired, [0.2])).toEqual(run(rebuildFromScratch(wired), [0.2]));
    expect(run(wired, [0.2])[1]).not.toBe(run(net, [0.2])[1]);
  });

  it("opens a hidden batch in a network that has none", () => {
    const net = readmeNetwork();
    const bare = addHiddenNeurons(
      new (net.constructor as typeof import("../../src/network.js").NeuralNetwork)({ graph: [[0, 1]], inputNeurons: [0], outputNeurons: [1] }),
      [5],
    );
    expect(bare.topoBatches).toEqual([[5], [1]]);
    expect(() => addHiddenNeurons(net, [11])).toThrow(DuplicateNeuronError);
  });
});

describe("addOutputNeurons", () => {
  it("appends outputs; only the output batch's record changes; a new output is its bias", () => {
    const net = readmeNetwork();
    const out = addOutputNeurons(net, ["y"], { key: random.key(4) });
    expect(out.outputNeurons).toEqual([3, 11, "y"]);
    out.batchParameters.forEach((p, b) => (b === 4 ? expect(p === net.batchParameters[b]).toBe(false) : expect(p).toBe(net.batchParameters[b])));
    const y = run(out, [0.7]);
    expect(y.slice(0, 2)).toEqual(run(net, [0.7]));
    expect(y[2]).toBe((out.batchParameters[4]!.biases.toTypedArray() as Float64Array)[2]);
    expect(changedSurvivors(net, out).changed).toEqual([]);
  });

  it("checks the output transformation against the new output count", () => {
    const net = readmeNetwork({ outputTransformation: (y) => np.multiply(y, np.array([1, 2], { dtype: "float64" })) });
    expect(() => addOutputNeurons(net, ["y"])).toThrow(ActivationShapeError);
    expect(() => addOutputNeurons(net, [3])).toThrow(DuplicateNeuronError);
  });
});
