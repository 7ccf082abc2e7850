import { describe, expect, it } from "vitest";
import { random } from "@connex/core";
import { addConnections } from "../../src/plasticity/add_connections.js";
import { addHiddenNeurons } from "../../src/plasticity/add_hidden_neurons.js";
import { removeConnections } from "../../src/plasticity/remove_connections.js";
import { IncompatibleNetworksError, rewind } from "../../src/research/rewind.js";
import { pruneByMagnitude } from "../../src/research/prune_by_magnitude.js";
import { identityTable, rebuildFromScratch, snapshot } from "../plasticity/testing/identity.js";
import { changedSurvivors } from "../plasticity/testing/survival.js";
import { readmeNetwork, run } from "../plasticity/testing/readme_network.js";
import { layered, scaled } from "./layered.js";
import type { NeuralNetwork } from "../../src/network.js";

/** Every identity-keyed value of `net` equals `earlier`'s where both have it, and `own`'s elsewhere. */
function expectRewound(out: NeuralNetwork, own: NeuralNetwork, earlier: NeuralNetwork) {
  const o = identityTable(out);
  const a = identityTable(own);
  const e = identityTable(earlier);
  const check = <V>(got: Map<string, V>, mine: Map<string, V>, then: Map<string, V>, what: string) => {
    expect([...got.keys()].sort(), what).toEqual([...mine.keys()].sort());
    for (const [k, v] of got) expect(v, `${what} ${k}`).toEqual(then.has(k) ? then.get(k) : mine.get(k));
  };
  check(o.weights, a.weights, e.weights, "weight");
  check(o.biases, a.biases, e.biases, "bias");
  check(o.adaptive, a.adaptive, e.adaptive, "adaptive");
  check(o.neuronAttention, a.neuronAttention, e.neuronAttention, "neuron attention");
}

describe("rewind", () => {
  it("takes every earlier value; identical batches share the earlier records", () => {
    const initial = readmeNetwork({ useAdaptiveActivations: true, useTopoNorm: true, useTopoSelfAttention: true, useNeuronSelfAttention: true });
    const trained = scaled(initial, 1.5);
    const out = rewind(trained, initial);
    out.batchParameters.forEach((p, b) => expect(p).toBe(initial.batchParameters[b]));
    expect(out.structure).toBe(trained.structure);
    expect(run(out, [0.4])).toEqual(run(initial, [0.4]));
  });

  it("rewinds a pruned network's survivors to their initial values (a lottery ticket)", () => {
    const initial = layered([12, 8, 6, 3]);
    const trained = scaled(initial, 1.7);
    const pruned = pruneByMagnitude(trained, { fraction: 0.4 });
    const before = snapshot(pruned);
    const ticket = rewind(pruned, initial);
    expect(ticket.edges()).toEqual(pruned.edges());
    expectRewound(ticket, pruned, initial);
    expect(changedSurvivors(initial, ticket).changed).toEqual([]);
    expect(snapshot(pruned)).toEqual(before);
    const x = Array.from({ length: 12 }, (_, i) => Math.sin(i));
    expect(run(ticket, x)).toEqual(run(rebuildFromScratch(ticket), x));
    // the same as pruning the initial network by the trained network's mask
    const masked = removeConnections(initial, initial.edges().filter(([f, t]) => !pruned.edges().some(([a, b]) => a === f && b === t)));
    expect(identityTable(ticket).weights).toEqual(identityTable(masked).weights);
  });

  it("keeps the values of parameters that exist only in the network (new edges, new neurons), with every feature", () => {
    const initial = readmeNetwork({ useAdaptiveActivations: true, useTopoNorm: true, useTopoSelfAttention: true, useNeuronSelfAttention: true });
    let grown = addConnections(scaled(initial, 2), [[1, 5], [0, 8]], { key: random.key(3) });
    grown = addHiddenNeurons(grown, ["h"], { key: random.key(4) });
    grown = addConnections(grown, [[2, "h"], ["h", 11]], { key: random.key(5) });
    const out = rewind(grown, initial);
    expectRewound(out, grown, initial);
    // topological norm and attention too: every parameter of both has its initial value
    const { changed, compared } = changedSurvivors(initial, out);
    expect(changed).toEqual([]);
    expect(compared).toBeGreaterThan(100);
    expect(changedSurvivors(initial, grown).changed.length).toBeGreaterThan(0);
    expect(out.edges()).toEqual(grown.edges());
    expect(run(out, [0.2])).toEqual(run(rebuildFromScratch(out), [0.2]));
  });

  it("rewinds a larger network than the earlier one only where both have parameters; batches without changes stay shared", () => {
    const initial = readmeNetwork();
    const same = rewind(initial, initial);
    same.batchParameters.forEach((p, b) => expect(p).toBe(initial.batchParameters[b]));
    const partly = removeConnections(initial, [[6, 9]]);
    const back = rewind(initial, partly);
    expectRewound(back, initial, partly);
  });

  it("rejects another dtype and non-networks with IncompatibleNetworksError", () => {
    const net64 = readmeNetwork();
    const net32 = readmeNetwork({ dtype: "float32" });
    expect(() => rewind(net32, net64)).toThrow(IncompatibleNetworksError);
    expect(() => rewind(net32, net64)).toThrow(/cannot rewind a float32 network to a float64 one/);
    expect(() => rewind(net64, {} as never)).toThrow(/earlier must be a NeuralNetwork/);
  });
});
