import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { np, random } from "@connex/core";
import { NeuralNetwork } from "../../src/network.js";
import { edgeWeights } from "../../src/research/edge_weights.js";
import { pruneByMagnitude, type PruneCriterion } from "../../src/research/prune_by_magnitude.js";
import { regrowConnections } from "../../src/research/regrow_connections.js";
import { rewind } from "../../src/research/rewind.js";
import { randomDag } from "../testing/random_dag.js";
import { constructedLike, identityTable, rebuildFromScratch, snapshot } from "../plasticity/testing/identity.js";
import { changedSurvivors, untouchedBatches } from "../plasticity/testing/survival.js";
import { scaled } from "./layered.js";
import { greedyCapacity } from "./reference_regrowth.js";

const caseArb = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  density: fc.double({ min: 0.1, max: 0.9, noNaN: true }),
  topoNorm: fc.boolean(),
  topoAttention: fc.boolean(),
  neuronAttention: fc.boolean(),
  adaptive: fc.boolean(),
  fraction: fc.integer({ min: 0, max: 100 }).map((p) => p / 100),
  threshold: fc.integer({ min: 0, max: 20 }).map((p) => p / 100),
  mode: fc.constantFrom("global", "batch", "threshold"),
  growShare: fc.integer({ min: 0, max: 100 }).map((p) => p / 100),
});

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function build(c: Case): NeuralNetwork {
  const dag = randomDag(c.seed, { maxInputs: 3, maxHidden: 7, maxOutputs: 3, density: c.density });
  return new NeuralNetwork({
    graph: dag.edges,
    inputNeurons: dag.inputNeurons,
    outputNeurons: dag.outputNeurons,
    neurons: dag.neurons,
    dtype: "float64",
    useTopoNorm: c.topoNorm,
    useTopoSelfAttention: c.topoAttention,
    useNeuronSelfAttention: c.neuronAttention,
    useAdaptiveActivations: c.adaptive,
    key: random.key(c.seed),
  });
}

const outputs = (net: NeuralNetwork, x: number[]) => Array.from(net.forward(np.array(x, { dtype: "float64" }), { inference: true }).toTypedArray());
/** Equal up to floating-point reassociation (a from-scratch layout may sum in another order). */
function expectClose(got: number[], want: number[], rtol: number) {
  expect(got).toHaveLength(want.length);
  got.forEach((v, j) => expect(Math.abs(v - want[j]!)).toBeLessThan(rtol * (1 + Math.abs(want[j]!))));
}
const edgeKeys = (net: NeuralNetwork) => new Set(net.edges().map(([f, t]) => `${String(f)}>${String(t)}`));

describe("prune, regrow and rewind on random DAGs (fast-check)", () => {
  it("never mutate their inputs, keep surviving parameters and agree with from-scratch networks", () => {
    const seen = { pruned: 0, grown: 0, rewound: 0 };
    fc.assert(
      fc.property(caseArb, (c) => {
        const initial = build(c);
        const trained = scaled(initial, 1.3);
        const x = initial.inputNeurons.map((_, i) => Math.sin(i + c.seed));
        const layoutFree = !c.topoNorm && !c.topoAttention && !c.neuronAttention;
        const snapInitial = snapshot(initial);
        const snapTrained = snapshot(trained);

        // prune
        const criterion: PruneCriterion = c.mode === "threshold" ? { threshold: c.threshold } : { fraction: c.fraction };
        const pruned = pruneByMagnitude(trained, criterion, { scope: c.mode === "batch" ? "batch" : "global" });
        expect(snapshot(trained)).toEqual(snapTrained);
        expect(changedSurvivors(trained, pruned).changed).toEqual([]);
        expect(untouchedBatches(trained, pruned).notShared).toEqual([]);
        const kept = edgeKeys(pruned);
        const ew = edgeWeights(trained);
        const gone = ew.from.map((f, e) => ({ k: `${String(f)}>${String(ew.to[e])}`, m: Math.abs(ew.weight[e]!), b: ew.batch[e]! })).filter((e) => !kept.has(e.k));
        const stay = ew.from.map((f, e) => ({ k: `${String(f)}>${String(ew.to[e])}`, m: Math.abs(ew.weight[e]!), b: ew.batch[e]! })).filter((e) => kept.has(e.k));
        if (c.mode === "threshold") {
          expect(gone.every((e) => e.m < c.threshold) && stay.every((e) => e.m >= c.threshold)).toBe(true);
        } else {
          for (const g of gone) for (const s of stay) if (c.mode === "global" || g.b === s.b) expect(g.m).toBeLessThanOrEqual(s.m);
        }
        expectClose(outputs(pruned, x), outputs(rebuildFromScratch(pruned), x), 1e-12);
        if (layoutFree) expectClose(outputs(pruned, x), outputs(constructedLike(pruned), x), 1e-9);

        // regrow
        if (pruned.numEdges < trained.numEdges) seen.pruned++;
        const snapPruned = snapshot(pruned);
        // any share of the edges the pruned DAG can still take (same-batch and backward ones included)
        const count = Math.floor(c.growShare * greedyCapacity(pruned));
        const key = random.key(c.seed + 1);
        const grown = regrowConnections(pruned, count, { key });
        expect(snapshot(pruned)).toEqual(snapPruned);
        const now = edgeKeys(grown);
        expect(now.size).toBe(kept.size + count);
        for (const k of kept) expect(now.has(k)).toBe(true);
        expect(grown.toWeightedGraph()).toEqual(regrowConnections(pruned, count, { key }).toWeightedGraph());
        expect(changedSurvivors(pruned, grown).changed).toEqual([]);
        // acyclic with valid roles: the public constructor accepts the graph
        expectClose(outputs(grown, x), outputs(rebuildFromScratch(grown), x), 1e-12);
        if (layoutFree) expectClose(outputs(grown, x), outputs(constructedLike(grown), x), 1e-9);

        // rewind
        if (count > 0) seen.grown++;
        const snapGrown = snapshot(grown);
        const back = rewind(grown, initial);
        expect(snapshot(grown)).toEqual(snapGrown);
        expect(snapshot(initial)).toEqual(snapInitial);
        expect(changedSurvivors(initial, back).changed).toEqual([]);
        const t0 = identityTable(initial).weights;
        const tg = identityTable(grown).weights;
        for (const [k, w] of identityTable(back).weights) expect(w).toBe(t0.has(k) ? t0.get(k) : tg.get(k));
        expect(back.edges()).toEqual(grown.edges());
        if (changedSurvivors(grown, back).changed.length > 0) seen.rewound++;
        expectClose(outputs(back, x), outputs(rebuildFromScratch(back), x), 1e-12);
      }),
      { numRuns: 150 },
    );
    // the properties were exercised, not vacuously true
    expect(seen.pruned).toBeGreaterThan(50);
    expect(seen.grown).toBeGreaterThan(50);
    expect(seen.rewound).toBeGreaterThan(50);
  });
});
