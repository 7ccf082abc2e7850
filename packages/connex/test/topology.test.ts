import { describe, expect, it } from "vitest";
import { parseGraph } from "../src/graph.js";
import { computeTopology, greedyBatches, hiddenByLevel, segmentsFor } from "../src/topology.js";

const README = { 0: [1, 2, 3], 1: [4], 2: [4, 5], 4: [6], 5: [7], 6: [8, 9], 7: [10], 8: [11], 9: [11], 10: [11] };

describe("topological batches", () => {
  it("groups the README network by Kahn level, outputs last", () => {
    const g = parseGraph(README);
    const hidden = hiddenByLevel(g, new Set([0]), new Set([3, 11]));
    expect(hidden).toEqual([1, 2, 4, 5, 6, 7, 8, 9, 10]);
    const t = computeTopology(g, [0], [3, 11], hidden);
    expect(t.batches.map((b) => b.neurons)).toEqual([[1, 2], [4, 5], [6, 7], [8, 9, 10], [3, 11]]);
    expect(t.batches.map((b) => b.kind)).toEqual(["hidden", "hidden", "hidden", "hidden", "output"]);
    expect(t.order).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 3, 11]);
    expect(t.hiddenNeurons).toEqual([1, 2, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("gives every batch the contiguous range it reads, its chunk segments and mask columns", () => {
    const g = parseGraph(README);
    const t = computeTopology(g, [0], [3, 11], hiddenByLevel(g, new Set([0]), new Set([3, 11])));
    const [b0, b1, , , out] = t.batches;
    expect([b0!.start, b0!.inputStart, b0!.inputEnd]).toEqual([1, 0, 1]);
    expect(b0!.segments).toEqual([{ chunk: 0, from: 0, to: 1 }]);
    expect(b0!.inputColumns).toEqual([[0], [0]]);
    expect([b1!.inputStart, b1!.inputEnd]).toEqual([1, 3]);
    expect(b1!.inputColumns).toEqual([[0, 1], [1]]); // 4 <- 1, 2; 5 <- 2
    expect([out!.start, out!.inputStart, out!.inputEnd]).toEqual([10, 0, 10]);
    expect(out!.segments.map((s) => s.chunk)).toEqual([0, 1, 2, 3, 4]);
    expect(out!.inputColumns).toEqual([[0], [7, 8, 9]]); // 3 <- 0; 11 <- 8, 9, 10
  });

  it("fires input-less hidden neurons in the first batch, with an empty range", () => {
    const g = parseGraph({ 0: [2], 1: [2] }, []);
    const t = computeTopology(g, [0], [2], hiddenByLevel(g, new Set([0]), new Set([2])));
    expect(t.batches.map((b) => b.neurons)).toEqual([[1], [2]]);
    expect([t.batches[0]!.inputStart, t.batches[0]!.inputEnd]).toEqual([1, 1]);
    expect(t.batches[0]!.segments).toEqual([]);
  });

  it("batches greedily along a given order", () => {
    const g = parseGraph({ 0: [1, 2], 1: [3], 2: [3] });
    expect(greedyBatches(g, [1, 2, 3])).toEqual([[1, 2], [3]]);
    expect(greedyBatches(g, [2, 1, 3])).toEqual([[2, 1], [3]]);
    expect(greedyBatches(g, [])).toEqual([]);
  });

  it("maps a position range to chunk slices", () => {
    expect(segmentsFor(1, 5, [0, 2, 4], 6)).toEqual([
      { chunk: 0, from: 1, to: 2 },
      { chunk: 1, from: 0, to: 2 },
      { chunk: 2, from: 0, to: 1 },
    ]);
    expect(segmentsFor(3, 3, [0, 2], 4)).toEqual([]);
  });
});
