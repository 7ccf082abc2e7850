import { describe, expect, it } from "vitest";
import { random } from "@connex/core";
import { InputNeuronEdgeError, InvalidOptionError, OutputNeuronEdgeError, UnknownNeuronError } from "../../src/errors.js";
import { NeuralNetwork } from "../../src/network.js";
import { addConnections } from "../../src/plasticity/add_connections.js";
import { NotEnoughCandidatesError, regrowConnections } from "../../src/research/regrow_connections.js";
import { pruneByMagnitude } from "../../src/research/prune_by_magnitude.js";
import { rebuildFromScratch, snapshot } from "../plasticity/testing/identity.js";
import { readmeNetwork, run } from "../plasticity/testing/readme_network.js";
import { changedSurvivors, untouchedBatches } from "../plasticity/testing/survival.js";
import { caught } from "../plasticity/testing/caught.js";
import { layered } from "./layered.js";
import type { Edge } from "../../src/graph.js";

const key = ([f, t]: Edge) => `${String(f)}>${String(t)}`;
const edgeSet = (net: NeuralNetwork) => new Set(net.edges().map(key));
const added = (before: NeuralNetwork, after: NeuralNetwork) => after.edges().filter((e) => !edgeSet(before).has(key(e)));
const batchOf = (net: NeuralNetwork) => {
  const m = new Map(net.inputNeurons.map((n) => [n, -1]));
  net.topoBatches.forEach((ns, b) => ns.forEach((n) => m.set(n, b)));
  return m;
};
/** Every absent edge into a later batch: the default candidates, listed the slow way. */
function forwardAbsent(net: NeuralNetwork): string[] {
  const b = batchOf(net);
  const present = edgeSet(net);
  const out: string[] = [];
  for (const u of net.neurons) for (const v of net.neurons) if (b.get(u)! < b.get(v)! && !net.outputNeurons.includes(u) && !present.has(key([u, v]))) out.push(key([u, v]));
  return out;
}

describe("regrowConnections", () => {
  it("adds count absent edges into later batches, keeping batches, survivors and untouched records", () => {
    const net = pruneByMagnitude(layered([8, 6, 5, 3]), { fraction: 0.6 });
    const before = snapshot(net);
    const out = regrowConnections(net, 20, { key: random.key(1) });
    const grown = added(net, out);
    expect(out.numEdges).toBe(net.numEdges + 20);
    expect(grown).toHaveLength(20);
    const allowed = new Set(forwardAbsent(net));
    expect(grown.every((e) => allowed.has(key(e)))).toBe(true);
    expect(out.topoBatches).toEqual(net.topoBatches);
    expect(changedSurvivors(net, out).changed).toEqual([]);
    expect(untouchedBatches(net, out).notShared).toEqual([]);
    expect(run(out, [1, 2, 3, 4, 5, 6, 7, 8].map(Math.cos))).toEqual(run(rebuildFromScratch(out), [1, 2, 3, 4, 5, 6, 7, 8].map(Math.cos)));
    expect(snapshot(net)).toEqual(before);
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

  it("reaches every default candidate (uniform sampling covers the whole set)", () => {
    const net = readmeNetwork();
    const all = forwardAbsent(net);
    const seen = new Set<string>();
    for (let s = 0; s < 400 && seen.size < all.length; s++) for (const e of added(net, regrowConnections(net, 3, { key: random.key(s) }))) seen.add(key(e));
    expect([...seen].sort()).toEqual(all.sort());
  });

  it("grows every absent candidate when asked for all of them (listing path), and no more", () => {
    const net = pruneByMagnitude(layered([4, 3, 2]), { fraction: 0.25 });
    const absent = forwardAbsent(net).length;
    const full = regrowConnections(net, absent, { key: random.key(2) });
    expect(forwardAbsent(full)).toEqual([]);
    const e = caught(() => regrowConnections(net, absent + 1, { key: random.key(2) }));
    expect(e).toBeInstanceOf(NotEnoughCandidatesError);
    expect(e.message).toMatch(new RegExp(`${absent + 1} edges requested but only ${absent} absent edges`));
    expect((e as NotEnoughCandidatesError).requested).toBe(absent + 1);
    expect((e as NotEnoughCandidatesError).available).toBe(absent);
    expect(regrowConnections(net, 0, { key: random.key(2) }).batchParameters).toEqual(net.batchParameters);
  });

  it("chooses among explicit candidates only, skipping present ones and any that would close a cycle", () => {
    const net = readmeNetwork();
    const candidates: Edge[] = [[1, 4], [4, 1], [2, 6], [0, 9]];
    // 1 -> 4 exists; 4 -> 1 closes the cycle 1 -> 4 -> 1: only the other two can grow.
    const out = regrowConnections(net, 2, { key: random.key(0), candidates });
    expect(added(net, out).map(key).sort()).toEqual(["0>9", "2>6"]);
    // two hidden neurons of one batch in both directions: one of them, never both
    for (let s = 0; s < 6; s++) {
      const one = regrowConnections(net, 1, { key: random.key(s), candidates: [[4, 5], [5, 4]] });
      expect(added(net, one)).toHaveLength(1);
      const two = caught(() => regrowConnections(net, 2, { key: random.key(s), candidates: [[4, 5], [5, 4]] }));
      expect(two).toBeInstanceOf(NotEnoughCandidatesError);
      expect(two.message).toMatch(/2 edges requested but only 1 of the 2 absent candidates can be added together without closing a cycle/);
    }
    expect(() => regrowConnections(net, 4, { key: random.key(0), candidates })).toThrow(/4 edges requested but only 3 of the 4 candidates are absent/);
  });

  it("rejects candidates with unknown neurons or invalid roles, bad counts and missing keys", () => {
    const net = readmeNetwork();
    const k = random.key(0);
    expect(() => regrowConnections(net, 1, { key: k, candidates: [[1, 99]] })).toThrow(UnknownNeuronError);
    expect(() => regrowConnections(net, 1, { key: k, candidates: [[1, 0]] })).toThrow(InputNeuronEdgeError);
    expect(() => regrowConnections(net, 1, { key: k, candidates: [[3, 4]] })).toThrow(OutputNeuronEdgeError);
    expect(() => regrowConnections(net, -1, { key: k })).toThrow(InvalidOptionError);
    expect(() => regrowConnections(net, 1.5, { key: k })).toThrow(/count must be a non-negative integer, got 1.5/);
    expect(() => regrowConnections(net, 1, {} as never)).toThrow(/options.key must be a key tensor/);
    expect(() => regrowConnections(net, 1, undefined as never)).toThrow(/options.key/);
    expect(() => regrowConnections(net, 1, { key: k, candidate: [] } as never)).toThrow(/unknown option "candidate"/);
  });
});
