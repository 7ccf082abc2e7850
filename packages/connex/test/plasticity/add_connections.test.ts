import { describe, expect, it } from "vitest";
import { random } from "@connex/core";
import { CycleError, InputNeuronEdgeError, InvalidGraphError, InvalidOptionError, OutputNeuronEdgeError, UnknownNeuronError } from "../../src/errors.js";
import { addConnections } from "../../src/plasticity/add_connections.js";
import { rebuildFromScratch, snapshot } from "./testing/identity.js";
import { readmeNetwork, run } from "./testing/readme_network.js";
import { caught } from "./testing/caught.js";
import { changedSurvivors } from "./testing/survival.js";

const weightOf = (net: ReturnType<typeof readmeNetwork>, from: number, to: number) => net.toWeightedGraph().edges.find((e) => e.from === from && e.to === to)?.weight;

describe("addConnections", () => {
  it("adds a forward edge: only the batch it enters gets a new record, the rest are shared", () => {
    const net = readmeNetwork();
    const before = snapshot(net);
    const out = addConnections(net, [[1, 7]], { key: random.key(3) });
    expect(out.numEdges).toBe(15);
    expect(out.topoBatches).toEqual(net.topoBatches);
    expect(weightOf(out, 1, 7)).toBeDefined();
    expect(weightOf(out, 1, 7)).not.toBe(0);
    // 7 fires in batch 2; every other batch keeps its record.
    out.batchParameters.forEach((p, b) => (b === 2 ? expect(p === net.batchParameters[b]).toBe(false) : expect(p).toBe(net.batchParameters[b])));
    expect(changedSurvivors(net, out).changed).toEqual([]);
    expect(run(out, [0.4])).toEqual(run(rebuildFromScratch(out), [0.4]));
    expect(run(out, [0.4])).not.toEqual(run(net, [0.4]));
    expect(snapshot(net)).toEqual(before);
    expect(Object.isFrozen(net)).toBe(true);
  });

  it("draws new weights from the key (default random.key(0)) and ignores existing edges", () => {
    const net = readmeNetwork();
    const a = addConnections(net, [[1, 7]], { key: random.key(3) });
    const b = addConnections(net, [[1, 7]], { key: random.key(4) });
    expect(weightOf(a, 1, 7)).not.toBe(weightOf(b, 1, 7));
    expect(weightOf(addConnections(net, [[1, 7]]), 1, 7)).toBe(weightOf(addConnections(net, [[1, 7]], { key: random.key(0) }), 1, 7));
    const same = addConnections(net, [[0, 1], [1, 4]]);
    expect(same === net).toBe(false);
    expect(same.numEdges).toBe(14);
    same.batchParameters.forEach((p, i) => expect(p).toBe(net.batchParameters[i]));
    // An existing edge listed with a new one: only the new one is added; the old weight stays.
    const mixed = addConnections(net, [[0, 1], [0, 5]]);
    expect(mixed.numEdges).toBe(15);
    expect(weightOf(mixed, 0, 1)).toBe(weightOf(net, 0, 1));
  });

  it("accepts an edge list, an adjacency object and a Map", () => {
    const net = readmeNetwork();
    const fromList = addConnections(net, [[0, 5], [1, 7]]);
    const fromObject = addConnections(net, { 0: [5], 1: [7] });
    const fromMap = addConnections(net, new Map([[0, [5]], [1, [7]]]));
    expect(fromObject.edges()).toEqual(fromList.edges());
    expect(fromMap.edges()).toEqual(fromList.edges());
    expect(run(fromObject, [1])).toEqual(run(fromList, [1]));
  });

  it("moves neurons to later batches when an edge joins a batch to itself or points back", () => {
    const net = readmeNetwork({ useTopoNorm: true, useAdaptiveActivations: true, useNeuronSelfAttention: true });
    const out = addConnections(net, [[1, 2]], { key: random.key(5) });
    // 2 must fire after 1; 4 and 5 (inputs from 2) after 2, and so on down the graph.
    const batch = new Map(out.topoBatches.flatMap((ns, b) => ns.map((n) => [n, b] as const)));
    expect(batch.get(2)!).toBeGreaterThan(batch.get(1)!);
    for (const [u, v] of out.edges()) if (u !== 0) expect(batch.get(u)!).toBeLessThan(batch.get(v)!);
    expect(changedSurvivors(net, out).changed).toEqual([]);
    expect(JSON.stringify(out.structure.topology)).toBe(JSON.stringify(rebuildFromScratch(out).structure.topology));
    expect(run(out, [0.3])).toEqual(run(rebuildFromScratch(out), [0.3]));
  });

  it("a connection into a new hidden neuron from the last hidden batch appends a batch", () => {
    const net = readmeNetwork();
    const out = addConnections(net, [[8, 10]]);
    expect(out.topoBatches).toEqual([[1, 2], [4, 5], [6, 7], [8, 9], [10], [3, 11]]);
    expect(out.batchParameters.slice(0, 3).every((p, i) => p === net.batchParameters[i])).toBe(true);
  });

  it("throws CycleError showing the cycle, and leaves the network unchanged", () => {
    const net = readmeNetwork();
    const before = snapshot(net);
    expect(() => addConnections(net, [[8, 6]])).toThrow(CycleError);
    const e = caught(() => addConnections(net, [[10, 2]]));
    expect(e).toBeInstanceOf(CycleError);
    expect((e as CycleError).cycle).toEqual([2, 5, 7, 10, 2]);
    expect(e.message).toContain("addConnections: the new connections would create the cycle 2 -> 5 -> 7 -> 10 -> 2");
    expect(() => addConnections(net, [[4, 4]])).toThrow(/cycle 4 -> 4/);
    // Two edges that close a cycle only together.
    expect(() => addConnections(net, [[9, 10], [10, 9]])).toThrow(/9 -> 10 -> 9|10 -> 9 -> 10/);
    expect(addConnections(net, [[9, 10]]).numEdges).toBe(15);
    expect(snapshot(net)).toEqual(before);
  });

  it("names unknown neurons, edges into inputs and out of outputs", () => {
    const net = readmeNetwork();
    expect(() => addConnections(net, [[1, 99]])).toThrow(UnknownNeuronError);
    const e = caught(() => addConnections(net, [[98, 1], [1, 99]]));
    expect(e).toBeInstanceOf(UnknownNeuronError);
    expect((e as UnknownNeuronError).neurons).toEqual([98, 99]);
    expect(e.message).toContain("addConnections: neurons [98, 99] are not in the network");
    expect(() => addConnections(net, [[1, "4"]])).toThrow(/"4"/);
    expect(() => addConnections(net, [[4, 0]])).toThrow(InputNeuronEdgeError);
    expect(() => addConnections(net, [[4, 0]])).toThrow(/input neuron 0 .*from \[4\]/);
    expect(() => addConnections(net, [[11, 4]])).toThrow(OutputNeuronEdgeError);
    expect(() => addConnections(net, [[3, 11]])).toThrow(/output neuron 3 .*to \[11\]/);
  });

  it("rejects malformed connections and options", () => {
    const net = readmeNetwork();
    expect(() => addConnections(net, [[1]] as never)).toThrow(InvalidGraphError);
    expect(() => addConnections(net, { 1: 4 } as never)).toThrow(/successors of neuron 1 must be an array/);
    expect(() => addConnections(net, [[1, null]] as never)).toThrow(InvalidGraphError);
    expect(() => addConnections(net, "0->1" as never)).toThrow(/edge list, an adjacency object or a Map/);
    expect(() => addConnections(net, [[1, 7]], { key: 3 } as never)).toThrow(InvalidOptionError);
  });
});
