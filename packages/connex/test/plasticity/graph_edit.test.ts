import { describe, expect, it } from "vitest";
import { parseGraph } from "../../src/graph.js";
import { withEdges, withNeurons, withoutEdges, withoutNeurons } from "../../src/plasticity/graph_edit.js";
import { connectionList } from "../../src/plasticity/connections.js";

const graph = () => parseGraph({ 0: [1, 2], 1: [2], 2: [3] });

describe("copy-on-write graph edits", () => {
  it("withEdges adds new edges, skips existing ones, shares untouched lists", () => {
    const g = graph();
    const { graph: out, added } = withEdges(g, [[0, 3], [0, 1], [0, 3]]);
    expect(added).toEqual([[0, 3]]);
    expect(out.successors.get(0)).toEqual([1, 2, 3]);
    expect(out.predecessors.get(3)).toEqual([2, 0]);
    expect(out.numEdges).toBe(5);
    expect(out.successors.get(1)).toBe(g.successors.get(1));
    expect(g.successors.get(0)).toEqual([1, 2]);
    expect(withEdges(g, [[0, 1]]).graph).toBe(g);
  });

  it("withoutEdges removes present edges only", () => {
    const g = graph();
    const { graph: out, removed } = withoutEdges(g, [[1, 2], [1, 3]]);
    expect(removed).toEqual([[1, 2]]);
    expect(out.successors.get(1)).toEqual([]);
    expect(out.predecessors.get(2)).toEqual([0]);
    expect(out.numEdges).toBe(3);
    expect(g.numEdges).toBe(4);
  });

  it("withNeurons and withoutNeurons add isolated neurons and remove neurons with their edges", () => {
    const g = graph();
    const added = withNeurons(g, ["x"]);
    expect(added.neurons).toEqual([0, 1, 2, 3, "x"]);
    expect(added.successors.get("x")).toEqual([]);
    const removed = withoutNeurons(g, new Set([2]));
    expect(removed.neurons).toEqual([0, 1, 3]);
    expect(removed.numEdges).toBe(1);
    expect(removed.successors.get(0)).toEqual([1]);
    expect(removed.predecessors.get(3)).toEqual([]);
    const two = withoutNeurons(g, new Set([1, 2]));
    expect(two.numEdges).toBe(0);
    expect(g.numEdges).toBe(4);
  });

  it("connectionList reads edge lists, adjacency objects (integer keys are numbers) and Maps, once per edge", () => {
    expect(connectionList({ 0: [1, "a"], b: [2] }, "op")).toEqual([[0, 1], [0, "a"], ["b", 2]]);
    expect(connectionList(new Map([["0", [1]]]), "op")).toEqual([["0", 1]]);
    expect(connectionList([[0, 1], [0, 1]], "op")).toEqual([[0, 1]]);
  });
});
