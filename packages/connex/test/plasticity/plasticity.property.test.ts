import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { np, random } from "@connex/core";
import { ConnexError, CycleError } from "../../src/errors.js";
import { NeuralNetwork } from "../../src/network.js";
import { randomDag } from "../testing/random_dag.js";
import { constructedLike, rebuildFromScratch, snapshot } from "./testing/identity.js";
import { planEdit } from "./testing/random_edit.js";
import { changedSurvivors, untouchedBatches } from "./testing/survival.js";

const RUNS = 1000;

const caseArb = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  density: fc.double({ min: 0, max: 0.8, noNaN: true }),
  topoNorm: fc.boolean(),
  topoAttention: fc.boolean(),
  neuronAttention: fc.boolean(),
  adaptive: fc.boolean(),
  edits: fc.array(fc.record({ op: fc.nat({ max: 6 }), picks: fc.array(fc.nat({ max: 10_000 }), { minLength: 1, maxLength: 6 }) }), { minLength: 1, maxLength: 4 }),
});

function outputs(net: NeuralNetwork, xs: readonly number[][]): number[] {
  return xs.flatMap((x) => Array.from(net.forward(np.array(x, { dtype: "float64" }), { inference: true }).toTypedArray() as Float64Array));
}

/** Every edge points into a later batch (inputs count as batch -1). */
function edgesPointForward(net: NeuralNetwork): boolean {
  const batch = new Map(net.inputNeurons.map((n) => [n, -1]));
  net.topoBatches.forEach((ns, b) => ns.forEach((n) => batch.set(n, b)));
  return net.edges().every(([u, v]) => batch.get(u)! < batch.get(v)!);
}

describe("plasticity on random DAGs with random edit sequences (fast-check)", () => {
  it(`keeps every property after every edit (${RUNS} networks)`, () => {
    let edits = 0;
    const seen = { moved: 0, cycles: 0, emptied: 0, shared: 0 };
    fc.assert(
      fc.property(caseArb, (c) => {
        const dag = randomDag(c.seed, { maxInputs: 3, maxHidden: 6, maxOutputs: 3, density: c.density });
        const original = new NeuralNetwork({
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
        const originalSnapshot = snapshot(original);
        const layoutFree = !c.topoNorm && !c.topoAttention && !c.neuronAttention;
        let net = original;
        c.edits.forEach((plan, i) => {
          const edit = planEdit(net, plan, i);
          const before = snapshot(net);
          let next: NeuralNetwork;
          try {
            next = edit.run();
          } catch (e) {
            expect(e, edit.describe).toBeInstanceOf(ConnexError);
            expect((e as Error).name, `${edit.describe}: ${(e as Error).message}`).toBe(edit.expectedError);
            if (e instanceof CycleError) {
              // The reported cycle is a real one of the edited graph.
              const edgeSet = new Set(edit.edgesAfter!.map((x) => JSON.stringify(x)));
              expect(e.cycle[0]).toBe(e.cycle[e.cycle.length - 1]);
              for (let k = 0; k + 1 < e.cycle.length; k++) expect(edgeSet.has(JSON.stringify([e.cycle[k], e.cycle[k + 1]]))).toBe(true);
            }
            expect(snapshot(net)).toEqual(before);
            if (e instanceof CycleError) seen.cycles++;
            else seen.emptied++;
            return;
          }
          expect(edit.expectedError, edit.describe).toBeNull();
          edits++;
          // (b) the input network is unchanged.
          expect(snapshot(net)).toEqual(before);
          // Valid layout: every edge points into a later batch.
          expect(edgesPointForward(next)).toBe(true);
          // (a) equals a network built from scratch (same partition), parameters copied in by identity.
          const scratch = rebuildFromScratch(next);
          expect(JSON.stringify(next.structure.topology)).toBe(JSON.stringify(scratch.structure.topology));
          expect([...next.structure.topology.position]).toEqual([...scratch.structure.topology.position]);
          const k = next.inputNeurons.length;
          const xs = [0, 1].map((s) => Array.from({ length: k }, (_, j) => Math.sin(3 * j + s + c.seed)));
          expect((snapshot(next) as { records: unknown }).records).toEqual((snapshot(scratch) as { records: unknown }).records);
          const got = outputs(next, xs);
          const want = outputs(scratch, xs);
          got.forEach((v, j) => expect(Math.abs(v - want[j]!), edit.describe).toBeLessThan(1e-12 * (1 + Math.abs(want[j]!))));
          // ... and, when the function does not depend on the layout, to the public constructor's network.
          if (layoutFree) {
            const built = outputs(constructedLike(next), xs);
            got.forEach((v, j) => expect(Math.abs(v - built[j]!), edit.describe).toBeLessThan(1e-9 * (1 + Math.abs(built[j]!))));
          }
          // (c) surviving parameters are identical.
          expect(changedSurvivors(net, next).changed, edit.describe).toEqual([]);
          // (d) untouched batches are shared by reference.
          const sharing = untouchedBatches(net, next);
          expect(sharing.notShared, edit.describe).toEqual([]);
          seen.shared += sharing.untouched;
          const batchOf = (m: NeuralNetwork) => new Map(m.topoBatches.flatMap((ns, b) => ns.map((n) => [n, b] as const)));
          const [was, now] = [batchOf(net), batchOf(next)];
          if (edit.describe.startsWith("addConnections") && [...was].some(([n, b]) => now.get(n) !== b)) seen.moved++;
          net = next;
        });
        expect(snapshot(original)).toEqual(originalSnapshot);
      }),
      { numRuns: RUNS },
    );
    // The random edits reach every case: successes, reordering, cycles, emptied roles, sharing.
    expect(edits).toBeGreaterThan(RUNS);
    expect(seen.moved).toBeGreaterThan(RUNS / 40);
    expect(seen.cycles).toBeGreaterThan(RUNS / 40);
    expect(seen.emptied).toBeGreaterThan(RUNS / 100);
    expect(seen.shared).toBeGreaterThan(RUNS);
    console.log(`plasticity property test: ${edits} edits, ${JSON.stringify(seen)}`);
  });
});
