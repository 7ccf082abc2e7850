import { describe, expect, it } from "vitest";
import { random } from "@connex/core";
import { DenseMLP } from "../../src/mlp.js";
import { addConnections } from "../../src/plasticity/add_connections.js";
import { removeConnections } from "../../src/plasticity/remove_connections.js";
import { removeNeurons } from "../../src/plasticity/remove_neurons.js";
import { rebuildFromScratch, snapshot } from "./testing/identity.js";
import { changedSurvivors, untouchedBatches } from "./testing/survival.js";

// DenseMLP(1, 2, 8, 3): input 0, layers 1-8, 9-16, 17-24, outputs 25-26; every neuron feeds every later layer.
const dense = () => DenseMLP({ inputSize: 1, outputSize: 2, width: 8, depth: 3, dtype: "float64", key: random.key(3) });
const shared = (a: ReturnType<typeof dense>, b: ReturnType<typeof dense>) => b.batchParameters.map((p, i) => p === a.batchParameters[i]);

describe("plasticity on a DenseMLP: cost follows the change", () => {
  it("one edge out and back in touches only the batch it enters, and keeps every other value", () => {
    const net = dense();
    const without = removeConnections(net, [[10, 20]]);
    expect(without.numEdges).toBe(net.numEdges - 1);
    expect(shared(net, without)).toEqual([true, true, false, true]);
    // The weight block keeps its shape (the column is still read by the other rows), the record is patched.
    expect(without.batchParameters[2]!.weights.shape).toEqual(net.batchParameters[2]!.weights.shape);
    expect(without.batchParameters[2]!.biases).toBe(net.batchParameters[2]!.biases);
    const back = addConnections(without, [[10, 20]], { key: random.key(8) });
    expect(shared(without, back)).toEqual([true, true, false, true]);
    expect(back.structure.topology.batches[2]!.inputColumns[3]).toEqual(net.structure.topology.batches[2]!.inputColumns[3]);
    expect(changedSurvivors(without, back).changed).toEqual([]);
    expect(untouchedBatches(without, back).notShared).toEqual([]);
  });

  it("removing a hidden neuron keeps the batches before it, and the layout equals a rebuild", () => {
    const net = dense();
    const out = removeNeurons(net, [12]);
    expect(shared(net, out)).toEqual([true, false, false, false]);
    expect(out.batchParameters[2]!.weights.shape).toEqual([8, 16]);
    expect(JSON.stringify(out.structure.topology)).toBe(JSON.stringify(rebuildFromScratch(out).structure.topology));
    expect(changedSurvivors(net, out).changed).toEqual([]);
  });

  it("rows that read their whole range share one column array; sparse rows beside them keep their own", () => {
    // Prune a few edges so that batches mix whole-range rows with sparse ones, then remove neurons.
    const pruned = removeConnections(dense(), [[3, 12], [5, 12], [0, 20], [14, 20], [20, 25]]);
    const out = removeNeurons(pruned, [10, 18]);
    const scratch = rebuildFromScratch(out);
    expect(JSON.stringify(out.structure.topology)).toBe(JSON.stringify(scratch.structure.topology));
    expect((snapshot(out) as { records: unknown }).records).toEqual((snapshot(scratch) as { records: unknown }).records);
    expect(changedSurvivors(pruned, out).changed).toEqual([]);
    const layer3 = out.structure.topology.batches[2]!;
    const whole = layer3.inputColumns.filter((c) => c.length === layer3.inputEnd - layer3.inputStart);
    expect(whole.length).toBe(6); // 8 neurons minus 18 (removed) and 20 (pruned)
    expect(new Set(whole).size).toBe(1);
    expect(layer3.inputColumns[layer3.neurons.indexOf(20)]!.length).toBe(layer3.inputEnd - layer3.inputStart - 2);
    // Chained edits from there stay equal to a rebuild.
    const again = removeNeurons(addConnections(out, [[0, 20]], { key: random.key(5) }), [2]);
    expect(JSON.stringify(again.structure.topology)).toBe(JSON.stringify(rebuildFromScratch(again).structure.topology));
    expect((snapshot(again) as { records: unknown }).records).toEqual((snapshot(rebuildFromScratch(again)) as { records: unknown }).records);
  });

  it("an edge inside a layer splits it and moves everything downstream, keeping every weight", () => {
    const net = dense();
    const out = addConnections(net, [[1, 2]]);
    expect(out.topoBatches.length).toBe(net.topoBatches.length + 1);
    expect(out.topoBatches[0]).toEqual([1, 3, 4, 5, 6, 7, 8]);
    expect(out.topoBatches[1]).toEqual([2]);
    expect(changedSurvivors(net, out).changed).toEqual([]);
    expect(JSON.stringify(out.structure.topology)).toBe(JSON.stringify(rebuildFromScratch(out).structure.topology));
  });
});
