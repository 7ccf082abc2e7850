import { describe, expect, it } from "vitest";
import { parseGraph } from "../../src/graph.js";
import { computeTopology } from "../../src/topology.js";
import { batchByPosition, batchIndexOf, cycleFrom, hiddenBatchesAfterAdding } from "../../src/plasticity/batch_order.js";
import { withEdges } from "../../src/plasticity/graph_edit.js";

// 0 -> {1, 2}, 1 -> 3, 2 -> 4, 3 -> 5, 4 -> 5: batches [1, 2], [3, 4], output [5].
const graph = parseGraph([[0, 1], [0, 2], [1, 3], [2, 4], [3, 5], [4, 5]]);
const topology = computeTopology(graph, [0], [5], [1, 2, 3, 4]);

describe("incremental batch order", () => {
  it("numbers inputs -1, hidden neurons by batch, outputs last", () => {
    expect([...batchIndexOf(topology)]).toEqual([[0, -1], [1, 0], [2, 0], [3, 1], [4, 1], [5, 2]]);
    // The same numbers by position (order 0, 1, 2, 3, 4, 5).
    expect(Array.from(batchByPosition(topology))).toEqual([-1, 0, 0, 1, 1, 2]);
    const shuffled = computeTopology(graph, [0], [5], [2, 1, 4, 3]);
    expect(shuffled.order).toEqual([0, 2, 1, 4, 3, 5]);
    const table = batchByPosition(shuffled);
    expect(shuffled.order.map((n) => table[shuffled.position.get(n)!])).toEqual(shuffled.order.map((n) => batchIndexOf(shuffled).get(n)));
  });

  it("keeps the batches when every new edge points forward", () => {
    const { graph: g, added } = withEdges(graph, [[1, 4]]);
    const batches = hiddenBatchesAfterAdding(topology, g, added, "test");
    expect(batches).toEqual([[1, 2], [3, 4]]);
    expect(batches[0]).toBe(topology.batches[0]!.neurons);
  });

  it("moves the head and the descendants that must follow, nothing else", () => {
    const { graph: g, added } = withEdges(graph, [[1, 2]]);
    expect(hiddenBatchesAfterAdding(topology, g, added, "test")).toEqual([[1], [3, 2], [4]]);
    const { graph: g2, added: a2 } = withEdges(graph, [[3, 4]]);
    expect(hiddenBatchesAfterAdding(topology, g2, a2, "test")).toEqual([[1, 2], [3], [4]]);
  });

  it("finds cycles by searching from the heads, within the batches that can close one", () => {
    const { graph: g } = withEdges(graph, [[3, 1]]);
    const index = batchIndexOf(topology);
    expect(cycleFrom(g, [1], index, 1)).toEqual([1, 3, 1]);
    // Searching only batch 0 cannot reach 3, so it sees no cycle: the bound matters.
    expect(cycleFrom(g, [1], index, 0)).toBeNull();
    expect(() => hiddenBatchesAfterAdding(topology, g, [[3, 1]], "addConnections")).toThrow("addConnections: the new connections would create the cycle 1 -> 3 -> 1");
  });
});
