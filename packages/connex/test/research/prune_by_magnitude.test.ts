import { describe, expect, it } from "vitest";
import { InvalidOptionError } from "../../src/errors.js";
import { fromWeightedGraph } from "../../src/weighted_graph.js";
import { edgeWeights } from "../../src/research/edge_weights.js";
import { pruneByMagnitude } from "../../src/research/prune_by_magnitude.js";
import { rebuildFromScratch, snapshot } from "../plasticity/testing/identity.js";
import { readmeNetwork, run } from "../plasticity/testing/readme_network.js";
import { changedSurvivors, untouchedBatches } from "../plasticity/testing/survival.js";
import { layered } from "./layered.js";
import type { NeuralNetwork } from "../../src/network.js";

const key = (f: unknown, t: unknown) => `${String(f)}>${String(t)}`;
const edgeMap = (net: NeuralNetwork) => {
  const ew = edgeWeights(net);
  return new Map(ew.from.map((f, e) => [key(f, ew.to[e]), ew.weight[e]!]));
};

describe("pruneByMagnitude", () => {
  it("removes the given fraction of edges, those of smallest |weight|, keeping every other value", () => {
    const net = readmeNetwork({ useTopoNorm: true, useAdaptiveActivations: true });
    const before = snapshot(net);
    const out = pruneByMagnitude(net, { fraction: 0.5 });
    expect(out.numEdges).toBe(7);
    const was = edgeMap(net);
    const kept = edgeMap(out);
    const removed = [...was].filter(([k]) => !kept.has(k)).map(([, w]) => Math.abs(w));
    const survivors = [...kept.values()].map(Math.abs);
    expect(Math.max(...removed)).toBeLessThanOrEqual(Math.min(...survivors));
    expect(changedSurvivors(net, out).changed).toEqual([]);
    expect(untouchedBatches(net, out).notShared).toEqual([]);
    expect(run(out, [0.3])).toEqual(run(rebuildFromScratch(out), [0.3]));
    expect(out.neurons).toEqual(net.neurons);
    expect(snapshot(net)).toEqual(before);
  });

  it("rounds the count down, exactly for products like 0.29 * 100", () => {
    const net = layered([10, 10, 1]);
    expect(net.numEdges).toBe(110);
    expect(pruneByMagnitude(net, { fraction: 0.29 }).numEdges).toBe(110 - 31);
    expect(pruneByMagnitude(layered([10, 10]), { fraction: 0.29 }).numEdges).toBe(100 - 29);
    expect(pruneByMagnitude(net, { fraction: 0.2 }).numEdges).toBe(88);
  });

  it("breaks ties in |weight| deterministically by edgeWeights order", () => {
    const base = readmeNetwork();
    const wg = base.toWeightedGraph();
    wg.edges.forEach((e) => (e.weight = e.to === 11 ? -0.5 : 0.5));
    const tied = fromWeightedGraph(wg, { dtype: "float64" });
    const ew = edgeWeights(tied);
    const out = pruneByMagnitude(tied, { fraction: 0.25 });
    const gone = ew.from.map((f, e) => key(f, ew.to[e])).filter((k) => !edgeMap(out).has(k));
    expect(gone).toEqual(ew.from.slice(0, 3).map((f, e) => key(f, ew.to[e])));
    expect(pruneByMagnitude(tied, { fraction: 0.25 }).edges()).toEqual(out.edges());
  });

  it("with scope batch takes the fraction of each batch's edges, or one fraction per batch", () => {
    const net = layered([6, 5, 4, 3]);
    const perBatch = (n: NeuralNetwork) => {
      const counts = new Array<number>(n.topoBatches.length).fill(0);
      edgeWeights(n).batch.forEach((b) => counts[b]!++);
      return counts;
    };
    expect(perBatch(net)).toEqual([30, 20, 12]);
    expect(perBatch(pruneByMagnitude(net, { fraction: 0.5 }, { scope: "batch" }))).toEqual([15, 10, 6]);
    expect(perBatch(pruneByMagnitude(net, { fraction: [0.2, 0.2, 0.1] }, { scope: "batch" }))).toEqual([24, 16, 11]);
    expect(perBatch(pruneByMagnitude(net, { fraction: [0, 1, 0] }))).toEqual([30, 0, 12]);
    // within each batch the smallest go
    const out = pruneByMagnitude(net, { fraction: 0.5 }, { scope: "batch" });
    const ew = edgeWeights(net);
    const kept = edgeMap(out);
    for (let b = 0; b < 3; b++) {
      const mags = ew.from.map((f, e) => ({ k: key(f, ew.to[e]), m: Math.abs(ew.weight[e]!), b: ew.batch[e] })).filter((x) => x.b === b);
      const maxGone = Math.max(...mags.filter((x) => !kept.has(x.k)).map((x) => x.m));
      const minKept = Math.min(...mags.filter((x) => kept.has(x.k)).map((x) => x.m));
      expect(maxGone).toBeLessThanOrEqual(minKept);
    }
  });

  it("with a threshold removes every edge with |weight| below it", () => {
    const net = layered([8, 6, 2]);
    const t = 0.08;
    const out = pruneByMagnitude(net, { threshold: t });
    const ew = edgeWeights(net);
    expect(out.numEdges).toBe(Array.from(ew.weight).filter((w) => Math.abs(w) >= t).length);
    expect([...edgeMap(out).values()].every((w) => Math.abs(w) >= t)).toBe(true);
  });

  it("fraction 0 changes nothing (records shared); fraction 1 leaves neurons without inputs firing activation(bias)", () => {
    const net = readmeNetwork();
    const same = pruneByMagnitude(net, { fraction: 0 });
    expect(same).not.toBe(net);
    same.batchParameters.forEach((p, b) => expect(p).toBe(net.batchParameters[b]));
    const empty = pruneByMagnitude(net, { fraction: 1 });
    expect(empty.numEdges).toBe(0);
    expect(empty.neurons).toEqual(net.neurons);
    expect(run(empty, [0.7])).toEqual(run(empty, [-3]));
    expect(pruneByMagnitude(net, { threshold: 0 }).batchParameters).toEqual(net.batchParameters);
  });

  it("rejects bad fractions, thresholds, scopes and option names with InvalidOptionError", () => {
    const net = readmeNetwork();
    for (const f of [-0.1, 1.5, NaN, Infinity]) {
      expect(() => pruneByMagnitude(net, { fraction: f })).toThrow(InvalidOptionError);
    }
    expect(() => pruneByMagnitude(net, { fraction: 1.5 })).toThrow(/fraction must be a number in \[0, 1\], got 1.5/);
    expect(() => pruneByMagnitude(net, { fraction: "0.5" as never })).toThrow(/got string/);
    expect(() => pruneByMagnitude(net, { fraction: [0.1, 0.2] }, { scope: "batch" })).toThrow(/2 values but the network has 5 topological batches/);
    expect(() => pruneByMagnitude(net, { fraction: [0.1, 0.2, 0.1, 0.1, 2] }, { scope: "batch" })).toThrow(/fraction\[4\]/);
    expect(() => pruneByMagnitude(net, { fraction: [0.1, 0.1, 0.1, 0.1, 0.1] }, { scope: "global" })).toThrow(/needs scope "batch"/);
    expect(() => pruneByMagnitude(net, { threshold: -1 })).toThrow(/threshold must be a non-negative number, got -1/);
    expect(() => pruneByMagnitude(net, { fraction: 0.1, threshold: 0.1 } as never)).toThrow(/exactly one/);
    expect(() => pruneByMagnitude(net, {} as never)).toThrow(/exactly one/);
    expect(() => pruneByMagnitude(net, { fractoin: 0.1 } as never)).toThrow(/unknown field of criterion "fractoin"/);
    expect(() => pruneByMagnitude(net, { fraction: 0.1 }, { scope: "layer" as never })).toThrow(/scope must be "global" or "batch"/);
    expect(() => pruneByMagnitude(net, { fraction: 0.1 }, { scpoe: "batch" } as never)).toThrow(/unknown option "scpoe"/);
  });
});
