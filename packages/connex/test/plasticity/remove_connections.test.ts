import { describe, expect, it } from "vitest";
import { np, nn } from "@connex/core";
import { UnknownNeuronError } from "../../src/errors.js";
import { referenceForward } from "../testing/reference_forward.js";
import { removeConnections } from "../../src/plasticity/remove_connections.js";
import { caught } from "./testing/caught.js";
import { rebuildFromScratch, snapshot } from "./testing/identity.js";
import { readmeNetwork, run } from "./testing/readme_network.js";
import { changedSurvivors } from "./testing/survival.js";

describe("removeConnections", () => {
  it("removes edges, keeps every other value and the batches, shares untouched records", () => {
    const net = readmeNetwork({ useTopoNorm: true, useTopoSelfAttention: true, useAdaptiveActivations: true });
    const before = snapshot(net);
    const out = removeConnections(net, [[6, 9]]);
    expect(out.numEdges).toBe(13);
    expect(out.edges()).not.toContainEqual([6, 9]);
    expect(out.topoBatches).toEqual(net.topoBatches);
    // 9 fires in batch 3 and reads [6, 7] (columns unchanged: 6 still feeds 8): only that record changes.
    out.batchParameters.forEach((p, b) => (b === 3 ? expect(p === net.batchParameters[b]).toBe(false) : expect(p).toBe(net.batchParameters[b])));
    expect(out.batchParameters[3]!.topoNorm).toBe(net.batchParameters[3]!.topoNorm);
    expect(changedSurvivors(net, out).changed).toEqual([]);
    expect(run(out, [0.9])).toEqual(run(rebuildFromScratch(out), [0.9]));
    expect(snapshot(net)).toEqual(before);
  });

  it("ignores connections that do not exist, and names unknown neurons", () => {
    const net = readmeNetwork();
    const same = removeConnections(net, [[1, 7], [0, 11]]);
    expect(same.numEdges).toBe(14);
    same.batchParameters.forEach((p, i) => expect(p).toBe(net.batchParameters[i]));
    const e = caught(() => removeConnections(net, { 1: [4, 42] }));
    expect(e).toBeInstanceOf(UnknownNeuronError);
    expect(e.message).toBe("removeConnections: neuron [42] is not in the network");
  });

  it("a hidden neuron left without inputs fires activation(bias)", () => {
    const net = readmeNetwork({ hiddenActivation: nn.tanh });
    const out = removeConnections(net, { 0: [1] });
    expect(out.structure.graph.predecessors.get(1)).toEqual([]);
    const bias = (out.batchParameters[0]!.biases.toTypedArray() as Float64Array)[0]!;
    expect(bias).toBe((net.batchParameters[0]!.biases.toTypedArray() as Float64Array)[0]!);
    // The independent reference evaluates neuron 1 as tanh(bias) and agrees with forward.
    const want = referenceForward(out, [0.25]);
    run(out, [0.25]).forEach((y, i) => expect(y).toBeCloseTo(want[i]!, 12));
    // Neuron 1's value no longer depends on x: moving x only changes the other paths.
    expect(Math.tanh(bias)).toBeCloseTo(Number(np.tanh(np.array([bias], { dtype: "float64" })).item()), 12);
  });

  it("shrinks a batch's input range when its first input goes, keeping the surviving columns' parameters", () => {
    const net = readmeNetwork({ useTopoNorm: true, useNeuronSelfAttention: true });
    // Batch 3 = [8, 9, 10] reads positions of 6 and 7; removing 6 -> 8 and 6 -> 9 leaves only 7.
    const out = removeConnections(net, [[6, 8], [6, 9]]);
    const layout = out.structure.topology.batches[3]!;
    expect(layout.inputEnd - layout.inputStart).toBe(1);
    expect(changedSurvivors(net, out).changed).toEqual([]);
    expect(run(out, [0.5])).toEqual(run(rebuildFromScratch(out), [0.5]));
  });
});
