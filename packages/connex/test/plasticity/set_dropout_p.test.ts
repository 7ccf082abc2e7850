import { describe, expect, it } from "vitest";
import { np, random } from "@connex/core";
import { DropoutProbabilityError, UnknownNeuronError } from "../../src/errors.js";
import { setDropoutP } from "../../src/plasticity/set_dropout_p.js";
import { caught } from "./testing/caught.js";
import { snapshot } from "./testing/identity.js";
import { readmeNetwork } from "./testing/readme_network.js";

describe("setDropoutP", () => {
  it("a number sets every hidden neuron (inputs and outputs 0); records and layout are shared", () => {
    const net = readmeNetwork();
    const before = snapshot(net);
    const out = setDropoutP(net, 0.3);
    for (const n of net.hiddenNeurons) expect(out.dropoutP.get(n)).toBe(0.3);
    for (const n of [...net.inputNeurons, ...net.outputNeurons]) expect(out.dropoutP.get(n)).toBe(0);
    out.batchParameters.forEach((p, i) => expect(p).toBe(net.batchParameters[i]));
    expect(out.structure.topology).toBe(net.structure.topology);
    expect(out.structure.graph).toBe(net.structure.graph);
    expect(snapshot(net)).toEqual(before);
    // Dropout now applies (a key is required), and changes the output.
    const x = np.array([0.5], { dtype: "float64" });
    expect(() => out.forward(x)).toThrow(/nonzero dropout/);
    expect(out.forward(x, { key: random.key(1) }).toArray()).not.toEqual(net.forward(x).toArray());
  });

  it("a map sets the listed neurons (any kind) and keeps the rest", () => {
    const net = setDropoutP(readmeNetwork(), 0.1);
    const out = setDropoutP(net, new Map<number, number>([[4, 0.5], [0, 0.2]]));
    expect(out.dropoutP.get(4)).toBe(0.5);
    expect(out.dropoutP.get(0)).toBe(0.2);
    expect(out.dropoutP.get(5)).toBe(0.1);
    expect(setDropoutP(net, { 6: 1 }).dropoutP.get(6)).toBe(1);
  });

  it("rejects probabilities outside [0, 1] and unknown neurons, naming them", () => {
    const net = readmeNetwork();
    const e = caught(() => setDropoutP(net, new Map([[4, 1.5]])));
    expect(e).toBeInstanceOf(DropoutProbabilityError);
    expect(e.message).toBe("setDropoutP: dropoutP: the dropout probability of neuron 4 must be a number in [0, 1], got 1.5");
    expect(() => setDropoutP(net, -0.1)).toThrow(DropoutProbabilityError);
    expect(() => setDropoutP(net, NaN)).toThrow(DropoutProbabilityError);
    const u = caught(() => setDropoutP(net, { 99: 0.1 }));
    expect(u).toBeInstanceOf(UnknownNeuronError);
    expect((u as UnknownNeuronError).neurons).toEqual([99]);
  });
});
