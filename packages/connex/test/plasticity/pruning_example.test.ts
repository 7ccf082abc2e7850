import { describe, expect, it } from "vitest";
import { mse, prune, pruningExperiment, sineCosineData, train } from "../../../../examples/pruning.js";
import { DenseMLP } from "../../src/mlp.js";

describe("the pruning example (examples/pruning.ts), smaller", () => {
  it("prunes |w| < threshold, keeps every other weight, and retrains", () => {
    const data = sineCosineData(40);
    const { network, losses } = train(DenseMLP({ inputSize: 1, outputSize: 2, width: 12, depth: 2 }), data, 60);
    expect(losses[59]!).toBeLessThan(losses[0]!);
    const pruned = prune(network, 0.1);
    const before = network.toWeightedGraph().edges;
    const after = new Map(pruned.toWeightedGraph().edges.map((e) => [`${e.from}>${e.to}`, e.weight]));
    expect(pruned.numEdges).toBe(before.filter((e) => Math.abs(e.weight) >= 0.1).length);
    expect(pruned.numEdges).toBeLessThan(network.numEdges);
    for (const e of before) expect(after.get(`${e.from}>${e.to}`)).toBe(Math.abs(e.weight) >= 0.1 ? e.weight : undefined);
    const retrained = train(pruned, data, 30);
    expect(mse(retrained.network, data)).toBeLessThan(mse(pruned, data));
  });

  it("reports edge counts and losses", () => {
    const lines: string[] = [];
    const report = pruningExperiment({ width: 8, depth: 2, epochs: 20, log: (l) => lines.push(l) });
    expect(report.edgesBefore).toBe(1 * 18 + 8 * 10 + 8 * 2);
    expect(report.edgesAfter).toBeLessThan(report.edgesBefore);
    expect(report.lossAfterRetraining).toBeLessThan(report.lossRightAfterPruning);
    expect(lines.join("\n")).toMatch(/DenseMLP\(1, 2, 8, 2\): 114 edges[\s\S]*pruned \|w\| < 0.1: 114 -> \d+ edges[\s\S]*retrained 20 epochs/);
  });
});
