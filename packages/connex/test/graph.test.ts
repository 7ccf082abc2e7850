import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { CycleError, DuplicateNeuronError, InvalidGraphError } from "../src/errors.js";
import { assertAcyclic, findCycle, graphEdges, parseGraph } from "../src/graph.js";
import { neuronIdFromKey } from "../src/neuron_id.js";

describe("parseGraph", () => {
  it("reads an adjacency object, turning integer-spelling keys into numbers", () => {
    const g = parseGraph({ 0: [1, 2], 1: [2], a: ["b"], "01": [] });
    expect(g.neurons).toEqual([0, 1, "a", "01", 2, "b"]);
    expect(g.successors.get(0)).toEqual([1, 2]);
    expect(g.predecessors.get(2)).toEqual([0, 1]);
    expect(g.predecessors.get("b")).toEqual(["a"]);
    expect(g.numEdges).toBe(4);
  });

  it("reads edge lists and Maps with ids exactly as given", () => {
    const fromEdges = parseGraph([[0, 1], ["1", 2]]);
    expect(fromEdges.neurons).toEqual([0, 1, "1", 2]);
    const fromMap = parseGraph(new Map<string | number, (string | number)[]>([[0, [1]], ["x", []]]));
    expect(fromMap.neurons).toEqual([0, "x", 1]);
    expect(fromMap.numEdges).toBe(1);
  });

  it("adds extra (isolated) neurons", () => {
    const g = parseGraph([[0, 1]], [5, 0]);
    expect(g.neurons).toEqual([0, 1, 5]);
    expect(g.successors.get(5)).toEqual([]);
  });

  it("never mutates the input", () => {
    const adj = { 0: [1, 2], 1: [2] };
    const copy = JSON.parse(JSON.stringify(adj));
    parseGraph(adj);
    expect(adj).toEqual(copy);
  });

  it("rejects malformed data, naming the culprit", () => {
    expect(() => parseGraph([[0]] as never)).toThrow(InvalidGraphError);
    expect(() => parseGraph([[0]] as never)).toThrow(/edge 0 must be a \[from, to\] pair/);
    expect(() => parseGraph({ 0: 1 } as never)).toThrow(/successors of neuron 0 must be an array/);
    expect(() => parseGraph([[0, null]] as never)).toThrow(/finite number or a string, got null/);
    expect(() => parseGraph([[0, NaN]])).toThrow(InvalidGraphError);
    expect(() => parseGraph(42 as never)).toThrow(/expected an edge list, an adjacency object or a Map/);
    expect(() => parseGraph(new Set() as never)).toThrow(InvalidGraphError);
  });

  it("rejects repeated edges and repeated extra neurons", () => {
    expect(() => parseGraph({ 0: [1, 1] })).toThrow(DuplicateNeuronError);
    expect(() => parseGraph({ 0: [1, 1] })).toThrow(/edge 0 -> 1 is given twice/);
    expect(() => parseGraph([[0, 1]], ["a", "a"])).toThrow(/neuron "a" is listed twice/);
  });

  it("lists edges grouped by source", () => {
    expect(graphEdges(parseGraph({ 1: [2], 0: [1, 2] }), [0, 1, 2])).toEqual([[0, 1], [0, 2], [1, 2]]);
  });
});

describe("neuronIdFromKey", () => {
  it("maps integer spellings to numbers and keeps everything else", () => {
    expect(neuronIdFromKey("12")).toBe(12);
    expect(neuronIdFromKey("-3")).toBe(-3);
    expect(neuronIdFromKey("0")).toBe(0);
    for (const k of ["012", "1.5", "1e3", " 1", "-0", "a", "99999999999999999999"]) expect(neuronIdFromKey(k)).toBe(k);
  });
});

describe("findCycle", () => {
  it("returns null for DAGs and one closed cycle otherwise", () => {
    expect(findCycle(parseGraph({ 0: [1, 2], 1: [2] }))).toBeNull();
    expect(findCycle(parseGraph({ 0: [1], 1: [2], 2: [1, 3] }))).toEqual([1, 2, 1]);
    expect(findCycle(parseGraph([["a", "a"]]))).toEqual(["a", "a"]);
  });

  it("assertAcyclic shows the cycle in the message and on the error", () => {
    try {
      assertAcyclic(parseGraph({ 0: [1], 1: [2], 2: [3], 3: [1] }));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CycleError);
      expect((e as CycleError).message).toMatch(/cycle 1 -> 2 -> 3 -> 1/);
      expect((e as CycleError).cycle).toEqual([1, 2, 3, 1]);
      expect((e as CycleError).neurons).toEqual([1, 2, 3]);
    }
  });

  it("finds a real cycle whenever a random graph with a back edge has one (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 12 }), fc.array(fc.tuple(fc.nat(11), fc.nat(11)), { maxLength: 40 }), (n, raw) => {
        const edges = [...new Map(raw.map(([a, b]) => [`${a % n},${b % n}`, [a % n, b % n] as const])).values()];
        const g = parseGraph(edges);
        const cycle = findCycle(g);
        const forwardOnly = edges.every(([a, b]) => a < b);
        if (forwardOnly) expect(cycle).toBeNull();
        if (cycle) {
          expect(cycle[0]).toBe(cycle[cycle.length - 1]);
          for (let i = 0; i + 1 < cycle.length; i++) expect(g.successors.get(cycle[i]!)).toContain(cycle[i + 1]);
        } else {
          // Acyclic: a topological order exists (Kahn's algorithm consumes every neuron).
          const indeg = new Map(g.neurons.map((v) => [v, g.predecessors.get(v)!.length]));
          const ready = g.neurons.filter((v) => indeg.get(v) === 0);
          for (let i = 0; i < ready.length; i++) for (const s of g.successors.get(ready[i]!)!) if (indeg.set(s, indeg.get(s)! - 1).get(s) === 0) ready.push(s);
          expect(ready.length).toBe(g.neurons.length);
        }
      }),
    );
  });
});
