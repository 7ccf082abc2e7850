import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { np, random } from "@connex/core";
import { InputNeuronEdgeError, InvalidGraphError, InvalidOptionError, OutputNeuronEdgeError, UnknownNeuronError } from "../../src/errors.js";
import { NeuralNetwork } from "../../src/network.js";
import { addConnections } from "../../src/plasticity/add_connections.js";
import { NotEnoughCandidatesError, regrowConnections } from "../../src/research/regrow_connections.js";
import { pruneByMagnitude } from "../../src/research/prune_by_magnitude.js";
import { constructedLike, rebuildFromScratch, snapshot } from "../plasticity/testing/identity.js";
import { readmeNetwork, run } from "../plasticity/testing/readme_network.js";
import { changedSurvivors, untouchedBatches } from "../plasticity/testing/survival.js";
import { caught } from "../plasticity/testing/caught.js";
import { randomDag } from "../testing/random_dag.js";
import { layered, scaled } from "./layered.js";
import { chiSquare, chiSquareCritical, edgeKey, greedyCapacity, sequentialDistribution, validCandidates } from "./reference_regrowth.js";
import type { Edge } from "../../src/graph.js";
import type { NeuronId } from "../../src/neuron_id.js";

const edgeSet = (net: NeuralNetwork) => new Set(net.edges().map(edgeKey));
const added = (before: NeuralNetwork, after: NeuralNetwork) => {
  const old = edgeSet(before);
  return after.edges().filter((e) => !old.has(edgeKey(e)));
};
const batchOf = (net: NeuralNetwork) => {
  const m = new Map<NeuronId, number>(net.inputNeurons.map((n) => [n, -1]));
  net.topoBatches.forEach((ns, b) => ns.forEach((n) => m.set(n, b)));
  return m;
};
/** Whether the edges, added in this order, each keep the graph acyclic (the sequential contract). */
function drawableInOrder(net: NeuralNetwork, edges: readonly Edge[]): boolean {
  return edges.every((e, i) => validCandidates(net, edges.slice(0, i)).some((c) => edgeKey(c) === edgeKey(e)));
}

/**
 * Inputs 0, 1; hidden 2, 3 (batch 0) and 4 (batch 1); output 5. Its 11 default candidates include
 * same-batch (2 -> 3, 3 -> 2), skip (0 -> 4, 0 -> 5, 1 -> 4, 1 -> 5) and backward (4 -> 3) edges;
 * 4 -> 2 would close 2 -> 4 -> 2.
 */
function smallNet(): NeuralNetwork {
  return new NeuralNetwork({ graph: [[0, 2], [1, 3], [2, 4], [3, 5], [4, 5]], inputNeurons: [0, 1], outputNeurons: [5], dtype: "float64", key: random.key(3) });
}

/**
 * Input 0, output 7, two hidden chains 1 -> 2 and 4 -> 5, with every input and output edge: the
 * candidates are the 8 edges between the chains, and each one excludes some others.
 */
function twoChains(): NeuralNetwork {
  return new NeuralNetwork({
    graph: [[0, 1], [1, 2], [0, 4], [4, 5], [2, 7], [5, 7], [0, 2], [0, 5], [1, 7], [4, 7], [0, 7]],
    inputNeurons: [0],
    outputNeurons: [7],
    dtype: "float64",
    key: random.key(3),
  });
}

describe("regrowConnections (default candidates)", () => {
  it("adds count absent edges with valid roles that keep a DAG, keeping survivors and untouched records", () => {
    const net = pruneByMagnitude(layered([8, 6, 5, 3]), { fraction: 0.6 });
    const before = snapshot(net);
    const out = regrowConnections(net, 20, { key: random.key(1) });
    const grown = added(net, out);
    expect(out.numEdges).toBe(net.numEdges + 20);
    expect(grown).toHaveLength(20);
    const allowed = new Set(validCandidates(net).map(edgeKey));
    expect(grown.filter((e) => !allowed.has(edgeKey(e)))).toEqual([]);
    expect(changedSurvivors(net, out).changed).toEqual([]);
    expect(untouchedBatches(net, out).notShared).toEqual([]);
    const x = [1, 2, 3, 4, 5, 6, 7, 8].map(Math.cos);
    expect(run(out, x)).toEqual(run(rebuildFromScratch(out), x));
    expect(snapshot(net)).toEqual(before);
  });

  it("grows same-batch, skip and backward edges, not only edges into the next batch", () => {
    const net = pruneByMagnitude(layered([6, 5, 5, 2]), { fraction: 0.7 });
    const layer = (n: NeuronId) => (Number(n) < 6 ? 0 : Number(n) < 11 ? 1 : Number(n) < 16 ? 2 : 3);
    const kinds = { sameLayer: 0, skip: 0, backward: 0, nextLayer: 0 };
    for (let s = 0; s < 20; s++) {
      for (const [u, v] of added(net, regrowConnections(net, 6, { key: random.key(s) }))) {
        const d = layer(v) - layer(u);
        if (d === 0) kinds.sameLayer++;
        else if (d < 0) kinds.backward++;
        else if (d === 1) kinds.nextLayer++;
        else kinds.skip++;
      }
    }
    expect(kinds.sameLayer).toBeGreaterThan(0);
    expect(kinds.skip).toBeGreaterThan(0);
    expect(kinds.backward).toBeGreaterThan(0);
    expect(kinds.nextLayer).toBeGreaterThan(0);
    // a same-batch edge moves its head to a later batch: the network gets deeper
    const deeper = [0, 1, 2, 3, 4].map((s) => regrowConnections(net, 12, { key: random.key(100 + s) }).topoBatches.length);
    expect(Math.max(...deeper)).toBeGreaterThan(net.topoBatches.length);
  });

  it("is deterministic per key and draws weights as addConnections does", () => {
    const net = pruneByMagnitude(layered([6, 5, 2]), { fraction: 0.5 });
    const k = random.key(9);
    const a = regrowConnections(net, 7, { key: k });
    const b = regrowConnections(net, 7, { key: k });
    expect(a.toWeightedGraph()).toEqual(b.toWeightedGraph());
    const c = regrowConnections(net, 7, { key: random.key(10) });
    expect(added(net, c)).not.toEqual(added(net, a));
    const [, weightKey] = random.split(k);
    const direct = addConnections(net, added(net, a), { key: weightKey! });
    expect(a.toWeightedGraph()).toEqual(direct.toWeightedGraph());
  });

  it("reaches every default candidate of the README network, and nothing else", () => {
    const net = readmeNetwork();
    const all = validCandidates(net).map(edgeKey);
    const seen = new Set<string>();
    for (let s = 0; s < 1500 && seen.size < all.length; s++) for (const e of added(net, regrowConnections(net, 1, { key: random.key(s) }))) seen.add(edgeKey(e));
    expect([...seen].sort()).toEqual(all.sort());
    // backward candidates exist here: 10 -> 4 (10 does not reach 4), but never 6 -> 4 (4 -> 6)
    expect(all).toContain("10>4");
    expect(all).not.toContain("6>4");
  });

  it("draws one edge uniformly among the valid candidates (chi-square, fixed keys)", () => {
    const net = smallNet();
    const cells = validCandidates(net).map(edgeKey);
    expect(cells.sort()).toEqual(["0>3", "0>4", "0>5", "1>2", "1>4", "1>5", "2>3", "2>5", "3>2", "3>4", "4>3"]);
    const uniform = new Map(cells.map((k) => [k, 1 / cells.length]));
    const counts = new Map<string, number>();
    const samples = 1100;
    for (let s = 0; s < samples; s++) {
      const [e] = added(net, regrowConnections(net, 1, { key: random.key(s) }));
      counts.set(edgeKey(e!), (counts.get(edgeKey(e!)) ?? 0) + 1);
    }
    const critical = chiSquareCritical(cells.length - 1);
    expect(chiSquare(counts, uniform)).toBeLessThan(critical);
    // The former default (edges into a later batch only) is rejected by these counts, and so is
    // a distribution that favours forward edges twice as much as the others.
    const forward = cells.filter((k) => ["0>3", "0>4", "0>5", "1>2", "1>4", "1>5", "2>5", "3>4"].includes(k));
    expect(chiSquare(counts, new Map(forward.map((k) => [k, 1 / forward.length])))).toBe(Infinity);
    const w = (k: string) => (forward.includes(k) ? 2 : 1);
    const z = cells.reduce((s, k) => s + w(k), 0);
    expect(chiSquare(counts, new Map(cells.map((k) => [k, w(k) / z])))).toBeGreaterThan(critical);
  });

  it("draws edges one after the other, each uniform among those still valid (chi-square against the exact distribution)", () => {
    const net = twoChains();
    const exact = sequentialDistribution(net, 3);
    // 2 -> 4 excludes every edge from {4, 5} into {1, 2}; 1 -> 5 excludes only 5 -> 1
    expect(validCandidates(net).map(edgeKey).sort()).toEqual(["1>4", "1>5", "2>4", "2>5", "4>1", "4>2", "5>1", "5>2"]);
    const counts = new Map<string, number>();
    for (let s = 0; s < 2000; s++) {
      const k = added(net, regrowConnections(net, 3, { key: random.key(10_000 + s) })).map(edgeKey).sort().join(" ");
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    const critical = chiSquareCritical(exact.size - 1);
    expect(chiSquare(counts, exact)).toBeLessThan(critical);
    // uniform over the sets of three edges that can be grown together is a different
    // distribution (expected statistic ~190 at this sample size), and these counts reject it
    expect(chiSquare(counts, new Map([...exact.keys()].map((k) => [k, 1 / exact.size])))).toBeGreaterThan(critical);
  });

  it("grows up to a DAG that takes no more edges, and throws NotEnoughCandidatesError one edge beyond", () => {
    for (const net of [pruneByMagnitude(layered([4, 3, 2]), { fraction: 0.25 }), readmeNetwork(), smallNet(), twoChains()]) {
      const capacity = greedyCapacity(net);
      const full = regrowConnections(net, capacity, { key: random.key(2) });
      expect(full.numEdges).toBe(net.numEdges + capacity);
      expect(validCandidates(full)).toEqual([]);
      expect(constructedLike(full).numEdges).toBe(full.numEdges);
      const e = caught(() => regrowConnections(net, capacity + 1, { key: random.key(2) }));
      expect(e).toBeInstanceOf(NotEnoughCandidatesError);
      expect(e.message).toMatch(new RegExp(`^regrowConnections: ${capacity + 1} edges requested but only ${capacity} absent edges can be added without closing a cycle`));
      expect((e as NotEnoughCandidatesError).requested).toBe(capacity + 1);
      expect((e as NotEnoughCandidatesError).available).toBe(capacity);
    }
    const dense = regrowConnections(readmeNetwork(), greedyCapacity(readmeNetwork()), { key: random.key(5) });
    expect(caught(() => regrowConnections(dense, 1, { key: random.key(0) })).message).toMatch(/1 edges requested but only 0 absent edges/);
    expect(regrowConnections(dense, 0, { key: random.key(2) }).batchParameters).toEqual(dense.batchParameters);
  });

  it("holds its properties on random DAGs (fast-check): DAG with valid roles, survivors kept, input untouched, equal to a network built from scratch, deterministic", () => {
    let nonForward = 0;
    fc.assert(
      fc.property(
        fc.record({ seed: fc.integer({ min: 1, max: 1_000_000 }), density: fc.double({ min: 0.05, max: 0.9, noNaN: true }), share: fc.integer({ min: 0, max: 100 }), attention: fc.boolean() }),
        ({ seed, density, share, attention }) => {
          const dag = randomDag(seed, { maxInputs: 3, maxHidden: 7, maxOutputs: 3, density });
          const net = scaled(
            new NeuralNetwork({ graph: dag.edges, inputNeurons: dag.inputNeurons, outputNeurons: dag.outputNeurons, neurons: dag.neurons, dtype: "float64", useTopoNorm: attention, useNeuronSelfAttention: attention, key: random.key(seed) }),
            1.7,
          );
          const before = snapshot(net);
          const capacity = greedyCapacity(net);
          const count = Math.floor((share / 100) * capacity);
          const key = random.key(seed + 1);
          const grown = regrowConnections(net, count, { key });
          expect(snapshot(net)).toEqual(before);
          const now = edgeSet(grown);
          expect(now.size).toBe(net.numEdges + count);
          for (const k of edgeSet(net)) expect(now.has(k)).toBe(true);
          // acyclic with valid roles: the public constructor accepts the graph
          const fresh = constructedLike(grown);
          expect(fresh.numEdges).toBe(grown.numEdges);
          expect(changedSurvivors(net, grown).changed).toEqual([]);
          expect(untouchedBatches(net, grown).notShared).toEqual([]);
          const x = np.array(net.inputNeurons.map((_, i) => Math.sin(seed + i)), { dtype: "float64" });
          const y = Array.from(grown.forward(x, { inference: true }).toTypedArray());
          const yScratch = Array.from(rebuildFromScratch(grown).forward(x, { inference: true }).toTypedArray());
          y.forEach((v, j) => expect(Math.abs(v - yScratch[j]!)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(v))));
          expect(grown.toWeightedGraph()).toEqual(regrowConnections(net, count, { key }).toWeightedGraph());
          const b = batchOf(net);
          if (added(net, grown).some(([u, v]) => b.get(u)! >= b.get(v)!)) nonForward++;
        },
      ),
      { numRuns: 120 },
    );
    expect(nonForward).toBeGreaterThan(30);
  });
});

/** Every absent edge into a later batch: the candidates of `within: "forward"`, listed the slow way. */
function forwardAbsent(net: NeuralNetwork): string[] {
  const b = batchOf(net);
  const present = edgeSet(net);
  const out: string[] = [];
  for (const u of net.neurons) for (const v of net.neurons) if (b.get(u)! < b.get(v)! && !net.outputNeurons.includes(u) && !present.has(edgeKey([u, v]))) out.push(edgeKey([u, v]));
  return out;
}

describe("regrowConnections (within: \"forward\")", () => {
  it("adds count absent edges into later batches, keeping batches, survivors and untouched records", () => {
    const net = pruneByMagnitude(layered([8, 6, 5, 3]), { fraction: 0.6 });
    const before = snapshot(net);
    const out = regrowConnections(net, 20, { key: random.key(1), within: "forward" });
    const grown = added(net, out);
    expect(grown).toHaveLength(20);
    const allowed = new Set(forwardAbsent(net));
    expect(grown.every((e) => allowed.has(edgeKey(e)))).toBe(true);
    expect(out.topoBatches).toEqual(net.topoBatches);
    expect(changedSurvivors(net, out).changed).toEqual([]);
    expect(untouchedBatches(net, out).notShared).toEqual([]);
    const x = [1, 2, 3, 4, 5, 6, 7, 8].map(Math.cos);
    expect(run(out, x)).toEqual(run(rebuildFromScratch(out), x));
    expect(snapshot(net)).toEqual(before);
    expect(regrowConnections(net, 20, { key: random.key(1), within: "acyclic" }).toWeightedGraph()).toEqual(regrowConnections(net, 20, { key: random.key(1) }).toWeightedGraph());
  });

  it("draws uniformly among the forward candidates (chi-square) and reaches all of them", () => {
    const net = smallNet();
    const cells = forwardAbsent(net);
    expect(cells.sort()).toEqual(["0>3", "0>4", "0>5", "1>2", "1>4", "1>5", "2>5", "3>4"]);
    const counts = new Map<string, number>();
    for (let s = 0; s < 800; s++) {
      const [e] = added(net, regrowConnections(net, 1, { key: random.key(s), within: "forward" }));
      counts.set(edgeKey(e!), (counts.get(edgeKey(e!)) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(cells);
    expect(chiSquare(counts, new Map(cells.map((k) => [k, 1 / cells.length])))).toBeLessThan(chiSquareCritical(cells.length - 1));
  });

  it("grows every forward candidate when asked for all of them (listing path), and throws one beyond", () => {
    const net = pruneByMagnitude(layered([4, 3, 2]), { fraction: 0.25 });
    const absent = forwardAbsent(net).length;
    const full = regrowConnections(net, absent, { key: random.key(2), within: "forward" });
    expect(forwardAbsent(full)).toEqual([]);
    expect(full.topoBatches).toEqual(net.topoBatches);
    const e = caught(() => regrowConnections(net, absent + 1, { key: random.key(2), within: "forward" }));
    expect(e).toBeInstanceOf(NotEnoughCandidatesError);
    expect(e.message).toMatch(new RegExp(`${absent + 1} edges requested but only ${absent} absent edges lead into a later topological batch`));
    expect((e as NotEnoughCandidatesError).available).toBe(absent);
  });

  it("rejects a bad within, and within with candidates", () => {
    const net = readmeNetwork();
    expect(() => regrowConnections(net, 1, { key: random.key(0), within: "layer" as never })).toThrow(/options.within must be "acyclic" or "forward", got "layer"/);
    expect(() => regrowConnections(net, 1, { key: random.key(0), within: 1 as never })).toThrow(InvalidOptionError);
    expect(() => regrowConnections(net, 1, { key: random.key(0), within: "forward", candidates: [[0, 9]] })).toThrow(/cannot be combined with options.candidates/);
  });
});

describe("regrowConnections (explicit candidates)", () => {
  it("chooses among explicit candidates only, skipping present ones and any that would close a cycle", () => {
    const net = readmeNetwork();
    const candidates: Edge[] = [[1, 4], [4, 1], [2, 6], [0, 9]];
    // 1 -> 4 exists; 4 -> 1 closes the cycle 1 -> 4 -> 1: only the other two can grow.
    const out = regrowConnections(net, 2, { key: random.key(0), candidates });
    expect(added(net, out).map(edgeKey).sort()).toEqual(["0>9", "2>6"]);
    // two hidden neurons of one batch in both directions: one of them, never both
    for (let s = 0; s < 6; s++) {
      const one = regrowConnections(net, 1, { key: random.key(s), candidates: [[4, 5], [5, 4]] });
      expect(added(net, one)).toHaveLength(1);
      const two = caught(() => regrowConnections(net, 2, { key: random.key(s), candidates: [[4, 5], [5, 4]] }));
      expect(two).toBeInstanceOf(NotEnoughCandidatesError);
      expect(two.message).toMatch(/2 edges requested but only 1 of the 2 absent candidates can be added together without closing a cycle/);
      expect((two as NotEnoughCandidatesError).available).toBe(1);
    }
    // a cycle through earlier accepted candidates: 5 -> 4 then 8 -> 5 would close 5 -> 4 -> 6 -> 8 -> 5
    for (let s = 0; s < 8; s++) {
      const got = added(net, regrowConnections(net, 1, { key: random.key(s), candidates: [[5, 4], [8, 5]] })).map(edgeKey);
      expect(got.length).toBe(1);
      expect(caught(() => regrowConnections(net, 2, { key: random.key(s), candidates: [[5, 4], [8, 5]] }))).toBeInstanceOf(NotEnoughCandidatesError);
    }
    expect(() => regrowConnections(net, 4, { key: random.key(0), candidates })).toThrow(/4 edges requested but only 3 of the 4 candidates are absent/);
    // a self-loop is a cycle
    expect(caught(() => regrowConnections(net, 1, { key: random.key(0), candidates: [[4, 4]] })).message).toMatch(/only 0 of the 1 absent candidates/);
  });

  it("takes explicit candidates in random.permutation order, each draw uniform among those still valid", () => {
    const net = smallNet();
    const candidates: Edge[] = [[2, 3], [3, 2], [4, 3], [0, 4], [1, 5]];
    const exact = new Map<string, number>();
    // the same sequential rule as the default, restricted to the candidates
    const visit = (drawn: Edge[], p: number) => {
      if (drawn.length === 2) {
        const k = drawn.map(edgeKey).sort().join(" ");
        exact.set(k, (exact.get(k) ?? 0) + p);
        return;
      }
      const valid = new Set(validCandidates(net, drawn).map(edgeKey));
      const options = candidates.filter((c) => valid.has(edgeKey(c)));
      for (const e of options) visit([...drawn, e], p / options.length);
    };
    visit([], 1);
    const counts = new Map<string, number>();
    for (let s = 0; s < 1200; s++) {
      const k = added(net, regrowConnections(net, 2, { key: random.key(s), candidates })).map(edgeKey).sort().join(" ");
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect(chiSquare(counts, exact)).toBeLessThan(chiSquareCritical(exact.size - 1));
  });

  it("rejects candidates with unknown neurons, invalid roles or malformed edges, bad counts and bad keys, leaving the network untouched", () => {
    const net = readmeNetwork();
    const before = snapshot(net);
    const k = random.key(0);
    expect(() => regrowConnections(net, 1, { key: k, candidates: [[1, 99]] })).toThrow(UnknownNeuronError);
    expect(() => regrowConnections(net, 1, { key: k, candidates: [[1, 0]] })).toThrow(InputNeuronEdgeError);
    expect(caught(() => regrowConnections(net, 1, { key: k, candidates: [[1, 0]] })).message).toMatch(/candidate 1 -> 0 leads into input neuron 0/);
    expect(() => regrowConnections(net, 1, { key: k, candidates: [[3, 4]] })).toThrow(OutputNeuronEdgeError);
    expect(caught(() => regrowConnections(net, 1, { key: k, candidates: [[3, 4]] })).message).toMatch(/candidate 3 -> 4 leaves output neuron 3/);
    expect(() => regrowConnections(net, 1, { key: k, candidates: [[1]] as never })).toThrow(InvalidGraphError);
    expect(() => regrowConnections(net, -1, { key: k })).toThrow(InvalidOptionError);
    expect(() => regrowConnections(net, 1.5, { key: k })).toThrow(/count must be a non-negative integer, got 1.5/);
    expect(() => regrowConnections(net, Number.NaN, { key: k })).toThrow(/count must be a non-negative integer, got NaN/);
    expect(() => regrowConnections(net, 1, {} as never)).toThrow(/options.key must be a key tensor/);
    expect(() => regrowConnections(net, 1, { key: 3 } as never)).toThrow(/options.key must be a key tensor .* got number/);
    expect(() => regrowConnections(net, 1, undefined as never)).toThrow(/options.key/);
    expect(() => regrowConnections(net, 1, { key: k, candidate: [] } as never)).toThrow(/unknown option "candidate"/);
    expect(() => regrowConnections({} as never, 1, { key: k })).toThrow(/network must be a NeuralNetwork/);
    expect(snapshot(net)).toEqual(before);
  });
});
