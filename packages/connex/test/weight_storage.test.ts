import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { filter, isInexactArray, np, random, tree, type Tensor } from "@connex/core";
import { filterJit, filterValueAndGrad, vmap } from "@connex/autodiff";
import * as optim from "@connex/optim";
import { DenseMLP } from "../src/mlp.js";
import type { NeuralNetwork } from "../src/network.js";
import { load } from "../src/persistence/load.js";
import { save } from "../src/persistence/save.js";
import { removeConnections } from "../src/plasticity/index.js";
import { rebuildFromScratch, snapshot } from "./plasticity/testing/identity.js";
import { planEdit } from "./plasticity/testing/random_edit.js";
import { changedSurvivors } from "./plasticity/testing/survival.js";
import { DEFAULT_SPARSE_THRESHOLD, setSparseThreshold, sparseEdges } from "../src/sparse_edges.js";
import { EDGE_STORAGE_MIN_BLOCK, isEdgeWeights, storesEdgeWeights, weightBlock } from "../src/weight_storage.js";

afterEach(() => {
  setSparseThreshold(DEFAULT_SPARSE_THRESHOLD);
});

/** DenseMLP(1 -> 2, width 64, depth 2) in float64 with every edge below `cut` in magnitude removed. */
function prunedDenseMLP(seed: number, cut = 0.1): NeuralNetwork {
  const net = DenseMLP({ inputSize: 1, outputSize: 2, width: 64, depth: 2, dtype: "float64", key: random.key(seed) });
  const weak = net
    .toWeightedGraph()
    .edges.filter((e) => Math.abs(e.weight) < cut)
    .map((e) => [e.from, e.to] as [number, number]);
  return removeConnections(net, weak);
}

const inputs = np.reshape(np.linspace(-1, 3, 17, { dtype: "float64" }), [17, 1]);
const loss = (m: NeuralNetwork, x: Tensor) => np.mean(np.square(np.subtract(vmap((xi: Tensor) => m.forward(xi))(x), 0.5)));

/** Each edge's weight by "from>to". */
function edgeWeights(net: NeuralNetwork): Map<string, number> {
  return new Map(net.toWeightedGraph().edges.map((e) => [`${e.from}>${e.to}`, e.weight]));
}

describe("weight storage: blocks for dense or small batches, edges for large sparse ones", () => {
  it("a pruned DenseMLP stores its large sparse batches per edge, in the sparse tables' order", () => {
    const net = prunedDenseMLP(1);
    const { batches } = net.structure.topology;
    const kinds = batches.map((layout, b) => {
      const w = net.batchParameters[b]!.weights;
      const entries = layout.neurons.length * (layout.inputEnd - layout.inputStart);
      expect(isEdgeWeights(w)).toBe(entries >= EDGE_STORAGE_MIN_BLOCK && sparseEdges(layout).density <= DEFAULT_SPARSE_THRESHOLD);
      expect(isEdgeWeights(w)).toBe(storesEdgeWeights(layout, net.structure.features));
      if (isEdgeWeights(w)) {
        // The block reading puts edge e at flatIndex[e] and zeros everywhere off the mask.
        const block = weightBlock(layout, w);
        const mask = net.batchParameters[b]!.mask.toTypedArray();
        const flat = sparseEdges(layout).flatIndex.toTypedArray();
        expect(w.shape).toEqual([flat.length]);
        const values = w.toTypedArray();
        flat.forEach((at, e) => expect(block[at]).toBe(values[e]));
        block.forEach((v, i) => mask[i] || expect(v).toBe(0));
      }
      return isEdgeWeights(w);
    });
    expect(kinds).toContain(true);
    expect(kinds).toContain(false); // the 2 x 129 output batch is small: a block
  });

  it("an unpruned DenseMLP keeps blocks everywhere", () => {
    const net = DenseMLP({ inputSize: 1, outputSize: 2, width: 64, depth: 2, key: random.key(0) });
    expect(net.batchParameters.every((p) => !isEdgeWeights(p.weights))).toBe(true);
  });

  it("both paths give the same outputs, loss and gradients; edge gradients match finite differences", () => {
    const net = prunedDenseMLP(2);
    const run = (threshold: number) => {
      const previous = setSparseThreshold(threshold);
      try {
        const [l, g] = filterValueAndGrad(loss)(net, inputs);
        return { out: vmap((x: Tensor) => net.forward(x))(inputs).toTypedArray(), loss: (l as Tensor).item(), grads: tree.leaves(filter(g, isInexactArray)) as Tensor[] };
      } finally {
        setSparseThreshold(previous);
      }
    };
    const sparse = run(1);
    const dense = run(0); // edge weights scattered into the block for the masked product
    sparse.out.forEach((v, i) => expect(Math.abs(v - dense.out[i]!)).toBeLessThanOrEqual(1e-13));
    expect(Math.abs(sparse.loss - dense.loss)).toBeLessThanOrEqual(1e-14);
    sparse.grads.forEach((g, i) => {
      expect(g.shape).toEqual(dense.grads[i]!.shape);
      const a = g.toTypedArray();
      const b = dense.grads[i]!.toTypedArray();
      a.forEach((v, k) => expect(Math.abs(v - b[k]!)).toBeLessThanOrEqual(1e-13));
    });
    // Finite differences on a few edges of the first edge-stored batch.
    const b = net.batchParameters.findIndex((p) => isEdgeWeights(p.weights));
    const grad = (filterValueAndGrad(loss)(net, inputs)[1] as NeuralNetwork).batchParameters[b]!.weights.toTypedArray();
    const w = net.batchParameters[b]!.weights;
    for (const e of [0, 7, Math.floor(w.shape[0]! / 2), w.shape[0]! - 1]) {
      const at = (d: number) => {
        const moved = np.at(w, e).add(d);
        const perturbed = tree.map((leaf: unknown) => (leaf === w ? moved : leaf), net) as NeuralNetwork;
        return (loss(perturbed, inputs) as Tensor).item();
      };
      const h = 1e-6;
      expect(Math.abs((at(h) - at(-h)) / (2 * h) - grad[e]!)).toBeLessThanOrEqual(1e-8);
    }
  });

  it("gradients and Adam states of an edge-stored batch are as long as its edges; jit equals eager", () => {
    const net = prunedDenseMLP(3);
    const params = filter(net, isInexactArray);
    const optimizer = optim.adam(1e-3);
    const state = optimizer.init(params);
    const stateLeaves = tree.leaves(state) as Tensor[];
    for (const p of net.batchParameters) if (isEdgeWeights(p.weights)) expect(stateLeaves.filter((t) => t.ndim === 1 && t.shape[0] === p.weights.shape[0]).length).toBeGreaterThanOrEqual(2);
    const step = (m: NeuralNetwork, s: unknown) => {
      const [l, g] = filterValueAndGrad(loss)(m, inputs);
      const [updates, s2] = optimizer.update(g, s as never, m);
      return [optim.applyUpdates(m, updates), s2, l] as const;
    };
    const [e1, , le] = step(net, state);
    const [j1, , lj] = filterJit(step)(net, state);
    expect(Math.abs((lj as Tensor).item() - (le as Tensor).item())).toBeLessThanOrEqual(1e-14);
    (e1 as NeuralNetwork).batchParameters.forEach((p, b) => {
      const q = (j1 as NeuralNetwork).batchParameters[b]!;
      expect(q.weights.shape).toEqual(p.weights.shape);
      const x = p.weights.toTypedArray();
      const y = q.weights.toTypedArray();
      x.forEach((v, k) => expect(Math.abs(v - y[k]!)).toBeLessThanOrEqual(1e-14));
    });
  });

  it("save writes blocks and load restores the storage the current threshold asks for, bit for bit", () => {
    const net = prunedDenseMLP(4);
    const bytes = save(net);
    const back = load(bytes);
    expect(back.batchParameters.map((p) => isEdgeWeights(p.weights))).toEqual(net.batchParameters.map((p) => isEdgeWeights(p.weights)));
    expect([...edgeWeights(back)]).toEqual([...edgeWeights(net)]);
    setSparseThreshold(0); // every batch dense: the same file loads as blocks
    const blocks = load(bytes);
    expect(blocks.batchParameters.every((p) => !isEdgeWeights(p.weights))).toBe(true);
    expect([...edgeWeights(blocks)]).toEqual([...edgeWeights(net)]);
    setSparseThreshold(DEFAULT_SPARSE_THRESHOLD);
    expect(save(blocks)).toEqual(bytes);
  });

  it("plasticity on edge-stored networks keeps every survivor, never mutates its input, and equals a from-scratch build (property)", () => {
    const base = prunedDenseMLP(5, 0.12);
    fc.assert(
      fc.property(fc.array(fc.record({ op: fc.nat({ max: 6 }), picks: fc.array(fc.nat({ max: 10_000 }), { minLength: 1, maxLength: 6 }) }), { minLength: 1, maxLength: 3 }), (plans) => {
        let net = base;
        plans.forEach((plan, i) => {
          const edit = planEdit(net, plan, i);
          const before = snapshot(net);
          let next: NeuralNetwork;
          try {
            next = edit.run();
          } catch {
            expect(snapshot(net)).toEqual(before);
            return;
          }
          expect(snapshot(net)).toEqual(before);
          expect(changedSurvivors(net, next).changed, edit.describe).toEqual([]);
          next.structure.topology.batches.forEach((layout, b) => expect(isEdgeWeights(next.batchParameters[b]!.weights)).toBe(storesEdgeWeights(layout, next.structure.features)));
          const scratch = rebuildFromScratch(next);
          expect((snapshot(next) as { records: unknown }).records).toEqual((snapshot(scratch) as { records: unknown }).records);
          const x = np.array(next.inputNeurons.map((_, k) => 0.3 + 0.1 * k), { dtype: "float64" });
          const got = next.forward(x, { inference: true }).toTypedArray();
          const want = scratch.forward(x, { inference: true }).toTypedArray();
          got.forEach((v, k) => expect(Math.abs(v - want[k]!)).toBeLessThanOrEqual(1e-12));
          net = next;
        });
      }),
      { numRuns: 15 },
    );
  });
});
