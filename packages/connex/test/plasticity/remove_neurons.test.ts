import { describe, expect, it } from "vitest";
import { DuplicateNeuronError, EmptyNeuronListError, UnknownNeuronError } from "../../src/errors.js";
import { removeNeurons } from "../../src/plasticity/remove_neurons.js";
import { setDropoutP } from "../../src/plasticity/set_dropout_p.js";
import { caught } from "./testing/caught.js";
import { rebuildFromScratch, snapshot } from "./testing/identity.js";
import { readmeNetwork, run } from "./testing/readme_network.js";
import { changedSurvivors } from "./testing/survival.js";

describe("removeNeurons", () => {
  it("removes a hidden neuron with its edges; earlier batches keep their records", () => {
    const net = readmeNetwork({ useTopoNorm: true, useAdaptiveActivations: true, useNeuronSelfAttention: true, useTopoSelfAttention: true });
    const before = snapshot(net);
    const out = removeNeurons(net, [6]);
    expect(out.neurons).not.toContain(6);
    expect(out.numEdges).toBe(11);
    expect(out.topoBatches).toEqual([[1, 2], [4, 5], [7], [8, 9, 10], [3, 11]]);
    expect(out.batchParameters[0]).toBe(net.batchParameters[0]);
    expect(out.batchParameters[1]).toBe(net.batchParameters[1]);
    expect(changedSurvivors(net, out).changed).toEqual([]);
    expect(run(out, [0.1])).toEqual(run(rebuildFromScratch(out), [0.1]));
    expect(snapshot(net)).toEqual(before);
  });

  it("drops a batch that loses every neuron, and removes inputs and outputs", () => {
    const net = setDropoutP(readmeNetwork(), 0.25);
    const out = removeNeurons(net, [6, 7, 3]);
    expect(out.topoBatches).toEqual([[1, 2], [4, 5], [8, 9, 10], [11]]);
    expect(out.outputNeurons).toEqual([11]);
    expect([...out.dropoutP.keys()]).not.toContain(6);
    expect(out.dropoutP.get(8)).toBe(0.25);
    expect(run(out, [0.3])).toEqual(run(rebuildFromScratch(out), [0.3]));

    const twoInputs = readmeNetwork({ graph: { 0: [1], 5: [1], 1: [2] }, inputNeurons: [0, 5], outputNeurons: [2] });
    const oneInput = removeNeurons(twoInputs, [0]);
    expect(oneInput.inputNeurons).toEqual([5]);
    expect(run(oneInput, [0.6])).toEqual(run(rebuildFromScratch(oneInput), [0.6]));
  });

  it("refuses to remove the last input or output, unknown or repeated neurons", () => {
    const net = readmeNetwork();
    const e = caught(() => removeNeurons(net, [0]));
    expect(e).toBeInstanceOf(EmptyNeuronListError);
    expect(e.message).toContain("removeNeurons: removing [0] would leave no input neuron");
    expect(() => removeNeurons(net, [3, 11])).toThrow(/no output neuron/);
    expect(() => removeNeurons(net, [4, 77])).toThrow(UnknownNeuronError);
    expect(() => removeNeurons(net, [4, 4])).toThrow(DuplicateNeuronError);
    const same = removeNeurons(net, []);
    same.batchParameters.forEach((p, i) => expect(p).toBe(net.batchParameters[i]));
  });
});
