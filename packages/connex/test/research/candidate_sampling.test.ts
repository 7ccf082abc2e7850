import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { random } from "@connex/core";
import type { Edge } from "../../src/graph.js";
import { NeuralNetwork } from "../../src/network.js";
import { defaultRejectionBudget, forwardPairs, presentIn, rolePairs, sampleAbsentEdges, UniformStream } from "../../src/research/candidate_sampling.js";
import { IncrementalTopologicalOrder } from "../../src/research/incremental_order.js";
import { regrowConnections } from "../../src/research/regrow_connections.js";
import { readmeNetwork } from "../plasticity/testing/readme_network.js";
import { randomDag } from "../testing/random_dag.js";
import { layered } from "./layered.js";
import { chiSquare, chiSquareCritical, edgeKey, greedyCapacity, sequentialDistribution, validCandidates } from "./reference_regrowth.js";

/** `count` default candidates of `net` drawn by `sampleAbsentEdges`, as neuron-id edges. */
function draw(net: NeuralNetwork, count: number, key: ReturnType<typeof random.key>, budget?: number): Edge[] {
  const { topology } = net.structure;
  const pairs = rolePairs(topology, net.numEdges);
  const chosen = sampleAbsentEdges(topology, pairs, count, new IncrementalTopologicalOrder(topology), key, budget);
  return chosen.map(([p, q]) => [topology.order[p]!, topology.order[q]!]);
}

function randomNet(seed: number, density: number): NeuralNetwork {
  const dag = randomDag(seed, { maxInputs: 3, maxHidden: 8, maxOutputs: 3, density });
  return new NeuralNetwork({ graph: dag.edges, inputNeurons: dag.inputNeurons, outputNeurons: dag.outputNeurons, neurons: dag.neurons, key: random.key(seed) });
}

/** The two-chains network of the regrowConnections tests: 8 candidates that exclude each other unevenly. */
const twoChains = () =>
  new NeuralNetwork({ graph: [[0, 1], [1, 2], [0, 4], [4, 5], [2, 7], [5, 7], [0, 2], [0, 5], [1, 7], [4, 7], [0, 7]], inputNeurons: [0], outputNeurons: [7], key: random.key(3) });

describe("rolePairs and presentIn", () => {
  it("count the role-valid pairs, the absent ones and the edges a DAG can still take (fast-check against a greedy count)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (seed, density) => {
        const net = randomNet(seed, density);
        const pairs = rolePairs(net.structure.topology, net.numEdges);
        const inputs = new Set(net.inputNeurons);
        const outputs = new Set(net.outputNeurons);
        const valid = net.neurons.flatMap((u) => net.neurons.filter((v) => u !== v && !outputs.has(u) && !inputs.has(v)).map((v) => [u, v] as Edge));
        expect(pairs.absent).toBe(valid.length - net.numEdges);
        expect(pairs.size - pairs.absent - net.numEdges).toBe(net.neurons.length - inputs.size - outputs.size);
        expect(pairs.addable).toBe(greedyCapacity(net));
        const present = presentIn(net.structure.topology);
        const { position } = net.structure.topology;
        const edges = new Set(net.edges().map(edgeKey));
        for (const u of net.neurons) for (const v of net.neurons) expect(present(position.get(u)!, position.get(v)!)).toBe(edges.has(edgeKey([u, v])));
      }),
      { numRuns: 80 },
    );
  });

  it("count the forward pairs: sources before the target's batch (fast-check against a slow count)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (seed, density) => {
        const net = randomNet(seed, density);
        const batch = new Map(net.inputNeurons.map((n) => [n, -1]));
        net.topoBatches.forEach((ns, b) => ns.forEach((n) => batch.set(n, b)));
        let all = 0;
        for (const u of net.neurons) for (const v of net.neurons) if (batch.get(u)! < batch.get(v)!) all++;
        const pairs = forwardPairs(net.structure.topology, net.numEdges);
        expect(pairs.size).toBe(all);
        expect(pairs.absent).toBe(all - net.numEdges);
        expect(pairs.addable).toBe(pairs.absent);
        const got = (() => {
          const { topology } = net.structure;
          return sampleAbsentEdges(topology, pairs, pairs.absent, new IncrementalTopologicalOrder(topology), random.key(seed));
        })();
        expect(new Set(got.map(([p, q]) => p * 1000 + q)).size).toBe(pairs.absent);
      }),
      { numRuns: 60 },
    );
  });

  it("list LeNet-300-100's figures", () => {
    const net = layered([784, 300, 100, 10]);
    const pairs = rolePairs(net.structure.topology, net.numEdges);
    expect(pairs.size).toBe(1184 * 410);
    expect(pairs.absent).toBe(1184 * 410 - 400 - 266_200);
    expect(pairs.addable).toBe((400 * 399) / 2 + 784 * 400 + 400 * 10 + 784 * 10 - 266_200);
    expect(defaultRejectionBudget(pairs)).toBe(64 + Math.floor((1184 * 410) / 16));
    expect(forwardPairs(net.structure.topology, net.numEdges).size).toBe(784 * 300 + 1084 * 100 + 1184 * 10);
  });
});

describe("sampleAbsentEdges", () => {
  it("returns count distinct edges, each valid given those before it, whatever the rejection budget (fast-check)", () => {
    let listed = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 100 }), fc.constantFrom(undefined, -1, 0, 3, Infinity), (seed, density, share, budget) => {
        const net = randomNet(seed, density);
        const pairs = rolePairs(net.structure.topology, net.numEdges);
        const count = Math.floor((share / 100) * pairs.addable);
        const got = draw(net, count, random.key(seed), budget);
        expect(got).toHaveLength(count);
        got.forEach((e, i) => expect(validCandidates(net, got.slice(0, i)).map(edgeKey)).toContain(edgeKey(e)));
        expect(draw(net, count, random.key(seed), budget)).toEqual(got);
        if (budget === undefined && defaultRejectionBudget(pairs) < 0) listed++;
      }),
      // A fully connected net (density 1) always takes the listing path (negative default
      // budget), so the check below never depends on which random cases were drawn.
      { numRuns: 150, examples: [[7, 1, 50, undefined]] },
    );
    expect(listed).toBeGreaterThan(0);
  });

  it("draws from the exact sequential distribution by rejection, by listing, and switching between them (chi-square)", () => {
    const net = twoChains();
    const exact = sequentialDistribution(net, 3);
    const critical = chiSquareCritical(exact.size - 1);
    const uniformSets = new Map([...exact.keys()].map((k) => [k, 1 / exact.size]));
    // Infinity: rejection only; -1: listing only; 1: listing after the second failed draw
    for (const budget of [Infinity, -1, 1]) {
      const counts = new Map<string, number>();
      for (let s = 0; s < 3000; s++) {
        const k = draw(net, 3, random.foldIn(random.key(77), s), budget).map(edgeKey).sort().join(" ");
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      expect(chiSquare(counts, exact)).toBeLessThan(critical);
      expect(chiSquare(counts, uniformSets)).toBeGreaterThan(critical);
    }
  });

  it("lists at once when fewer than a quarter of the pairs are absent, and grows a nearly complete DAG to the end", () => {
    // every edge a DAG with these roles can have, but three
    const hidden = [1, 2, 3, 4];
    const graph: Edge[] = [];
    for (const i of [0, 9, 10]) for (const v of [...hidden, 7, 8]) graph.push([i, v]);
    hidden.forEach((u, a) => hidden.slice(a + 1).forEach((v) => graph.push([u, v])));
    for (const h of hidden) graph.push([h, 7], [h, 8]);
    const removed = new Set(["1>3", "2>4", "0>8"]);
    const net = new NeuralNetwork({ graph: graph.filter((e) => !removed.has(edgeKey(e))), inputNeurons: [0, 9, 10], outputNeurons: [7, 8], key: random.key(0) });
    const pairs = rolePairs(net.structure.topology, net.numEdges);
    expect(pairs.addable).toBe(3);
    expect(defaultRejectionBudget(pairs)).toBe(-1);
    for (let s = 0; s < 5; s++) expect(draw(net, 3, random.key(s)).map(edgeKey).sort()).toEqual(["0>8", "1>3", "2>4"]);
  });

  it("draws the same numbers across chunk boundaries (UniformStream)", () => {
    const key = random.key(4);
    const a = new UniformStream(key, 5);
    const b = new UniformStream(key, 5);
    const xs = Array.from({ length: 12 }, () => a.draw());
    expect(Array.from({ length: 12 }, () => b.draw())).toEqual(xs);
    expect(new Set(xs).size).toBe(12);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const c = new UniformStream(key, 5);
    expect(Array.from({ length: 200 }, () => c.below(7)).every((i) => Number.isInteger(i) && i >= 0 && i < 7)).toBe(true);
  });

  it("is what regrowConnections draws by default (with the first half of the key's split)", () => {
    const net = readmeNetwork();
    const key = random.key(3);
    const [chooseKey] = random.split(key);
    const old = new Set(net.edges().map(edgeKey));
    const grown = regrowConnections(net, 4, { key }).edges().filter((e) => !old.has(edgeKey(e)));
    expect(grown.map(edgeKey).sort()).toEqual(draw(net, 4, chooseKey!).map(edgeKey).sort());
  });
});
