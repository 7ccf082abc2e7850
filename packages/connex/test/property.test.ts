import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { isInexactArray, np, random, tree, type Tensor } from "@connex/core";
import { filterValueAndGrad, vmap } from "@connex/autodiff";
import { NeuralNetwork } from "../src/network.js";
import { randomDag } from "./testing/random_dag.js";
import { referenceForward } from "./testing/reference_forward.js";

const spec = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  topoNorm: fc.boolean(),
  topoAttention: fc.boolean(),
  neuronAttention: fc.boolean(),
  adaptive: fc.boolean(),
  dropout: fc.constantFrom(0, 0.2),
  density: fc.double({ min: 0, max: 0.9, noNaN: true }),
});

describe("random DAGs with random inputs and outputs (fast-check)", () => {
  it("build, run forward (also under vmap) and differentiate", () => {
    fc.assert(
      fc.property(spec, (s) => {
        const dag = randomDag(s.seed, { maxInputs: 3, maxHidden: 7, maxOutputs: 3, density: s.density });
        const net = new NeuralNetwork({
          graph: dag.edges,
          inputNeurons: dag.inputNeurons,
          outputNeurons: dag.outputNeurons,
          neurons: dag.neurons,
          dtype: "float64",
          useTopoNorm: s.topoNorm,
          useTopoSelfAttention: s.topoAttention,
          useNeuronSelfAttention: s.neuronAttention,
          useAdaptiveActivations: s.adaptive,
          dropoutP: s.dropout,
          key: random.key(s.seed),
        });
        // Structure: every neuron placed once, batches in topological order.
        expect(new Set(net.neurons).size).toBe(dag.neurons.length);
        const pos = net.structure.topology.position;
        for (const [a, b] of dag.edges) expect(pos.get(a)!).toBeLessThan(pos.get(b)!);
        expect(net.numEdges).toBe(dag.edges.length);

        const k = dag.inputNeurons.length;
        const xs = np.reshape(np.array(Array.from({ length: 3 * k }, (_, i) => Math.cos(i + s.seed)), { dtype: "float64" }), [3, k]);
        const ys = vmap((x: Tensor) => net.forward(x, { inference: true }))(xs);
        expect(ys.shape).toEqual([3, dag.outputNeurons.length]);
        const want = [...xs].flatMap((x) => referenceForward(net, Array.from(x.toTypedArray() as Float64Array)));
        (Array.from(ys.toTypedArray()) as number[]).forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThan(1e-9 * (1 + Math.abs(want[i]!))));

        const keys = random.split(random.key(s.seed + 1), 3);
        const [loss, grads] = filterValueAndGrad((m: NeuralNetwork) =>
          np.sum(np.square(vmap((x: Tensor, key: Tensor) => m.forward(x, { key }))(xs, keys))),
        )(net);
        expect(Number.isFinite(loss.item())).toBe(true);
        const gradLeaves = tree.leaves(grads) as Tensor[];
        expect(gradLeaves.length).toBe((tree.leaves(net) as Tensor[]).filter(isInexactArray).length);
        for (const g of gradLeaves) expect(Array.from(g.toTypedArray()).every(Number.isFinite)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});
