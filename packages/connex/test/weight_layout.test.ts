import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { filter, isInexactArray, np, random, tree, type Tensor } from "@connex/core";
import { filterJit, filterValueAndGrad, vmap } from "@connex/autodiff";
import * as optim from "@connex/optim";
import { ConnexError, InvalidOptionError } from "../src/errors.js";
import { DenseMLP, MLP } from "../src/mlp.js";
import { NeuralNetwork } from "../src/network.js";
import { load } from "../src/persistence/load.js";
import { NetworkFileError } from "../src/persistence/errors.js";
import { save } from "../src/persistence/save.js";
import { NetworkStructure } from "../src/structure.js";
import { addConnections, addHiddenNeurons, addInputNeurons, addOutputNeurons, removeConnections, removeNeurons, setDropoutP } from "../src/plasticity/index.js";
import { rebuildFromScratch, snapshot } from "./plasticity/testing/identity.js";
import { planEdit } from "./plasticity/testing/random_edit.js";
import { changedSurvivors } from "./plasticity/testing/survival.js";
import { layoutDensity, sparseEdges } from "../src/sparse_edges.js";
import {
  AUTO_MAX_SPARSE_DENSITY,
  AUTO_MIN_EDGE_STORAGE_ENTRIES,
  readEdgeWeights,
  readWeightBlock,
  WeightLayoutRule,
  type WeightLayoutOption,
} from "../src/weight_layout.js";

/** DenseMLP(1 -> 2, width 64, depth 2) in float64 with every edge below `cut` in magnitude removed. */
function prunedDenseMLP(seed: number, cut = 0.1, weightLayout?: WeightLayoutOption): NeuralNetwork {
  const net = DenseMLP({ inputSize: 1, outputSize: 2, width: 64, depth: 2, dtype: "float64", key: random.key(seed), weightLayout });
  return removeConnections(net, weakEdges(net, cut));
}

function weakEdges(net: NeuralNetwork, cut: number): [number, number][] {
  return net
    .toWeightedGraph()
    .edges.filter((e) => Math.abs(e.weight) < cut)
    .map((e) => [e.from, e.to] as [number, number]);
}

const inputs = np.reshape(np.linspace(-1, 3, 17, { dtype: "float64" }), [17, 1]);
const loss = (m: NeuralNetwork, x: Tensor) => np.mean(np.square(np.subtract(vmap((xi: Tensor) => m.forward(xi))(x), 0.5)));

/** Each edge's weight by "from>to". */
function edgeWeights(net: NeuralNetwork): Map<string, number> {
  return new Map(net.toWeightedGraph().edges.map((e) => [`${e.from}>${e.to}`, e.weight]));
}

/** The storage each batch must have under thresholds `(maxDensity, minEntries)`, from its layout alone. */
function expectedStorage(net: NeuralNetwork, maxDensity: number, minEntries: number): ("block" | "edges")[] {
  return net.structure.topology.batches.map((layout) => {
    const entries = layout.neurons.length * (layout.inputEnd - layout.inputStart);
    const sparse = entries > 0 && !net.structure.features.neuronSelfAttention && layoutDensity(layout) <= maxDensity;
    return sparse && entries >= minEntries ? "edges" : "block";
  });
}

/** Every batch's weights have the shape its weight layout says, and the layouts follow the network's rule. */
function expectStoredByRule(net: NeuralNetwork): void {
  const { structure } = net;
  structure.weightLayouts.forEach((weightLayout, b) => {
    expect(weightLayout).toEqual(structure.weightLayout.forBatch(structure.topology.batches[b]!, structure.features));
    expect(net.batchParameters[b]!.weights.shape).toEqual(weightLayout.storedShape);
  });
}

function leafShapes(net: NeuralNetwork): number[][] {
  return (tree.leaves(net) as Tensor[]).map((t) => [...t.shape]);
}

describe("weight storage: blocks for dense or small batches, edges for large sparse ones", () => {
  it("a pruned DenseMLP stores its large sparse batches per edge, in the sparse tables' order", () => {
    const net = prunedDenseMLP(1);
    const { batches } = net.structure.topology;
    const kinds = batches.map((layout, b) => {
      const w = net.batchParameters[b]!.weights;
      const weightLayout = net.structure.weightLayouts[b]!;
      const entries = layout.neurons.length * (layout.inputEnd - layout.inputStart);
      const perEdge = weightLayout.storage === "edges";
      expect(perEdge).toBe(entries >= AUTO_MIN_EDGE_STORAGE_ENTRIES && sparseEdges(layout).density <= AUTO_MAX_SPARSE_DENSITY);
      expect(w.shape).toEqual(weightLayout.storedShape);
      // The block reading puts edge e at flatIndex[e] and zeros everywhere off the mask; the
      // edge reading is the edges in table order, whatever the storage.
      const block = readWeightBlock(net, b);
      const mask = net.batchParameters[b]!.mask.toTypedArray();
      const flat = sparseEdges(layout).flatIndex.toTypedArray();
      const edges = readEdgeWeights(net, b);
      expect(edges.length).toBe(flat.length);
      flat.forEach((at, e) => expect(block[at]).toBe(edges[e]));
      block.forEach((v, i) => mask[i] || expect(v).toBe(0));
      if (perEdge) {
        expect(w.shape).toEqual([flat.length]);
        expect(Array.from(w.toTypedArray())).toEqual(Array.from(edges));
      } else {
        expect(w.shape).toEqual([layout.neurons.length, layout.inputEnd - layout.inputStart]);
      }
      return perEdge;
    });
    expect(kinds).toContain(true);
    expect(kinds).toContain(false); // the 2 x 129 output batch is small: a block
  });

  it("an unpruned DenseMLP keeps blocks everywhere", () => {
    const net = DenseMLP({ inputSize: 1, outputSize: 2, width: 64, depth: 2, key: random.key(0) });
    expect(net.structure.weightLayouts.every((l) => l.storage === "block")).toBe(true);
    expect(net.batchParameters.every((p) => p.weights.ndim === 2)).toBe(true);
  });

  it("a complete block (every neuron reads every column) is used as it is; a block with missing edges is masked", () => {
    const dense = DenseMLP({ inputSize: 1, outputSize: 2, width: 8, depth: 1, dtype: "float64", key: random.key(3), weightLayout: "dense" });
    const pruned = removeConnections(dense, [weakEdges(dense, 10)[0]!]);
    const full = dense.structure.weightLayouts.map((l, b) => ({ l, p: dense.batchParameters[b]! }));
    for (const { l, p } of full) {
      expect(l.isComplete()).toBe(layoutDensity(l.layout) === 1);
      if (l.isComplete()) expect(l.maskedBlock(p.weights, p.mask) === p.weights).toBe(true);
    }
    expect(full.some(({ l }) => l.isComplete())).toBe(true);
    const cut = pruned.structure.weightLayouts.findIndex((l) => !l.isComplete());
    expect(cut).toBeGreaterThanOrEqual(0);
    const l = pruned.structure.weightLayouts[cut]!;
    const p = pruned.batchParameters[cut]!;
    const masked = l.maskedBlock(p.weights, p.mask);
    expect(masked === p.weights).toBe(false);
    const m = (p.mask as Tensor).toArray() as boolean[][] | number[][];
    const w = (masked as Tensor).toArray() as number[][];
    w.forEach((row, j) => row.forEach((v, c) => expect(m[j]![c] ? true : v === 0).toBe(true)));
    // The outputs still agree with a from-scratch build (masking changed nothing observable).
    const run = (net: NeuralNetwork) => vmap((x: Tensor) => net.forward(x))(inputs);
    expect(run(pruned).toTypedArray()).toEqual(run(rebuildFromScratch(pruned)).toTypedArray());
  });

  it("per-edge storage on the sparse product and blocks on the dense product give the same outputs, loss and gradients; edge gradients match finite differences", () => {
    const sparseNet = prunedDenseMLP(2); // "auto": large batches per edge, sparse product
    const denseNet = prunedDenseMLP(2, 0.1, "dense"); // the same weights as masked blocks
    expect(sparseNet.structure.weightLayouts.some((l) => l.storage === "edges")).toBe(true);
    const run = (net: NeuralNetwork) => {
      const [l, g] = filterValueAndGrad(loss)(net, inputs);
      return { out: vmap((x: Tensor) => net.forward(x))(inputs).toTypedArray(), loss: (l as Tensor).item(), grads: g as NeuralNetwork };
    };
    const sparse = run(sparseNet);
    const dense = run(denseNet);
    sparse.out.forEach((v, i) => expect(Math.abs(v - dense.out[i]!)).toBeLessThanOrEqual(1e-13));
    expect(Math.abs(sparse.loss - dense.loss)).toBeLessThanOrEqual(1e-14);
    sparseNet.batchParameters.forEach((p, b) => {
      // Weight gradients compared edge by edge through each network's own layout; every other leaf directly.
      const gs = readWeightBlock(sparse.grads, b);
      const gd = readWeightBlock(dense.grads, b);
      const mask = p.mask.toTypedArray();
      gs.forEach((v, k) => mask[k] && expect(Math.abs(v - gd[k]!)).toBeLessThanOrEqual(1e-13));
      const others = (g: NeuralNetwork) => tree.leaves(filter({ ...g.batchParameters[b]!, weights: null }, isInexactArray)) as Tensor[];
      others(sparse.grads).forEach((t, i) => {
        const a = t.toTypedArray();
        const c = others(dense.grads)[i]!.toTypedArray();
        a.forEach((v, k) => expect(Math.abs(v - c[k]!)).toBeLessThanOrEqual(1e-13));
      });
    });
    // Finite differences on a few edges of the first edge-stored batch.
    const b = sparseNet.structure.weightLayouts.findIndex((l) => l.storage === "edges");
    const grad = sparse.grads.batchParameters[b]!.weights.toTypedArray();
    const w = sparseNet.batchParameters[b]!.weights;
    for (const e of [0, 7, Math.floor(w.shape[0]! / 2), w.shape[0]! - 1]) {
      const at = (d: number) => {
        const moved = np.at(w, e).add(d);
        const perturbed = tree.map((leaf: unknown) => (leaf === w ? moved : leaf), sparseNet) as NeuralNetwork;
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
    net.batchParameters.forEach((p, b) => {
      if (net.structure.weightLayouts[b]!.storage === "edges") expect(stateLeaves.filter((t) => t.ndim === 1 && t.shape[0] === p.weights.shape[0]).length).toBeGreaterThanOrEqual(2);
    });
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

  it("save writes blocks and load restores the storage the saved rule asks for, bit for bit", () => {
    const net = prunedDenseMLP(4);
    const bytes = save(net);
    const back = load(bytes);
    expect(back.structure.weightLayout).toBe(WeightLayoutRule.auto);
    expect(back.structure.weightLayouts.map((l) => l.storage)).toEqual(net.structure.weightLayouts.map((l) => l.storage));
    expect(leafShapes(back)).toEqual(leafShapes(net));
    expect([...edgeWeights(back)]).toEqual([...edgeWeights(net)]);
    expect(save(back)).toEqual(bytes);
    // The file's tensors are blocks: the same as those of the same network under the dense rule.
    const { tensors } = tree.decodeSafetensors(bytes);
    const blocks = tree.decodeSafetensors(save(prunedDenseMLP(4, 0.1, "dense"))).tensors;
    expect([...tensors.keys()]).toEqual([...blocks.keys()]);
    for (const [name, t] of tensors) expect(Array.from(t.toTypedArray()), name).toEqual(Array.from(blocks.get(name)!.toTypedArray()));
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
          expect(next.structure.weightLayout).toBe(base.structure.weightLayout);
          expectStoredByRule(next);
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

describe("the weight layout is a rule of each network", () => {
  const RULES: WeightLayoutOption[] = ["auto", "dense", "sparse", { maxSparseDensity: 0.5, minEdgeStorageEntries: 100 }];
  const THRESHOLDS: [number, number][] = [
    [AUTO_MAX_SPARSE_DENSITY, AUTO_MIN_EDGE_STORAGE_ENTRIES],
    [0, 0],
    [1, 0],
    [0.5, 100],
  ];

  it("resolves presets to shared rules and thresholds to a frozen copy", () => {
    expect(WeightLayoutRule.resolve(undefined)).toBe(WeightLayoutRule.auto);
    expect(WeightLayoutRule.resolve("auto")).toBe(WeightLayoutRule.auto);
    expect(WeightLayoutRule.resolve("dense")).toBe(WeightLayoutRule.dense);
    expect(WeightLayoutRule.resolve("sparse")).toBe(WeightLayoutRule.sparse);
    const thresholds = { maxSparseDensity: 0.3 };
    const rule = WeightLayoutRule.resolve(thresholds);
    expect(rule.maxSparseDensity).toBe(0.3);
    expect(rule.minEdgeStorageEntries).toBe(AUTO_MIN_EDGE_STORAGE_ENTRIES);
    expect(rule.option).toEqual({ maxSparseDensity: 0.3 });
    expect(Object.isFrozen(rule.option)).toBe(true);
    thresholds.maxSparseDensity = 0.9; // the caller's object is not kept
    expect(rule.maxSparseDensity).toBe(0.3);
    expect(WeightLayoutRule.resolve(rule)).toBe(rule);
  });

  it("networks with different rules coexist, each laid out by its own rule, all computing the same function", () => {
    const nets = RULES.map((weightLayout) => prunedDenseMLP(6, 0.1, weightLayout));
    const reference = vmap((x: Tensor) => nets[0]!.forward(x))(inputs).toTypedArray();
    nets.forEach((net, i) => {
      const [maxDensity, minEntries] = THRESHOLDS[i]!;
      expect(net.structure.weightLayout.option).toEqual(RULES[i]);
      expect(net.structure.weightLayouts.map((l) => l.storage)).toEqual(expectedStorage(net, maxDensity, minEntries));
      net.structure.weightLayouts.forEach((l) => {
        const width = l.layout.inputEnd - l.layout.inputStart;
        expect(l.product).toBe(width > 0 && layoutDensity(l.layout) <= maxDensity ? "sparse" : "dense");
      });
      expectStoredByRule(net);
      const out = vmap((x: Tensor) => net.forward(x))(inputs).toTypedArray();
      out.forEach((v, k) => expect(Math.abs(v - reference[k]!)).toBeLessThanOrEqual(1e-12));
      expect([...edgeWeights(net)]).toEqual([...edgeWeights(nets[0]!)]);
    });
    // The four rules really give four different pytrees here.
    expect(new Set(nets.map((n) => JSON.stringify(leafShapes(n)))).size).toBe(4);
    expect(nets[1]!.batchParameters.every((p) => p.weights.ndim === 2)).toBe(true);
    expect(nets[2]!.structure.weightLayouts.every((l) => l.storage === "edges" && l.product === "sparse")).toBe(true);
  });

  it("the same call always gives the same pytree structure, whatever other code ran", () => {
    const build = () => prunedDenseMLP(7);
    const first = leafShapes(build());
    // Other networks, other rules, traced and jitted, in between.
    for (const weightLayout of RULES) {
      const other = prunedDenseMLP(8, 0.1, weightLayout);
      filterJit(loss)(other, inputs);
      filterValueAndGrad(loss)(other, inputs);
    }
    expect(leafShapes(build())).toEqual(first);
    expect(tree.structure(build()).toString()).toBe(tree.structure(build()).toString());
  });

  it("neuron self-attention keeps dense blocks under every rule", () => {
    for (const weightLayout of RULES) {
      const net = MLP({ inputSize: 1, outputSize: 1, width: 4, depth: 2, useNeuronSelfAttention: true, weightLayout });
      expect(net.structure.weightLayouts.every((l) => l.storage === "block" && l.product === "dense")).toBe(true);
    }
  });

  it("every plasticity edit keeps the rule and stores each rebuilt batch by it", () => {
    for (const weightLayout of RULES) {
      const net = prunedDenseMLP(9, 0.1, weightLayout);
      const rule = net.structure.weightLayout;
      const key = random.key(3);
      const hidden = net.hiddenNeurons;
      const edited = [
        removeConnections(net, [[0, hidden[0]!]]),
        addConnections(net, weakEdges(DenseMLP({ inputSize: 1, outputSize: 2, width: 64, depth: 2, dtype: "float64", key: random.key(9) }), 0.1).slice(0, 40), { key }),
        addHiddenNeurons(net, [1000], { key }),
        addInputNeurons(net, [1001], { key }),
        addOutputNeurons(net, [1002], { key }),
        removeNeurons(net, [hidden[70]!]),
        setDropoutP(net, 0.1),
      ];
      for (const next of edited) {
        expect(next.structure.weightLayout).toBe(rule);
        expectStoredByRule(next);
      }
      // setDropoutP changes nothing the layouts depend on: they are shared.
      expect(edited[6]!.structure.weightLayouts).toBe(net.structure.weightLayouts);
      expect(edited[6]!.structure).toBeInstanceOf(NetworkStructure);
      expect(Object.isFrozen(edited[6]!.structure)).toBe(true);
    }
  });

  it("a batch an edit makes sparse (or dense again) switches its storage by the rule", () => {
    const net = DenseMLP({ inputSize: 1, outputSize: 2, width: 64, depth: 2, dtype: "float64", key: random.key(10) });
    expect(net.structure.weightLayouts[1]!.storage).toBe("block"); // [64, 65], density 1
    // Remove 60 % of the edges into the second hidden layer: density 0.4 <= 0.5, 4160 entries.
    const into = net.edges().filter(([, to]) => (to as number) >= 65 && (to as number) < 129);
    const cut = into.filter((_, i) => i % 10 < 6);
    const sparse = removeConnections(net, cut);
    expect(sparse.structure.weightLayouts[1]!.storage).toBe("edges");
    expect(sparse.batchParameters[1]!.weights.shape).toEqual([into.length - cut.length]);
    const dense = addConnections(sparse, cut, { key: random.key(1) });
    expect(dense.structure.weightLayouts[1]!.storage).toBe("block");
    expect(dense.batchParameters[1]!.weights.shape).toEqual([64, 65]);
    // The survivors kept their weights through both switches.
    const before = edgeWeights(net);
    for (const [edge, w] of edgeWeights(sparse)) expect(w).toBe(before.get(edge));
    const removed = new Set(cut.map(([a, b]) => `${a}>${b}`));
    for (const [edge, w] of edgeWeights(dense)) if (!removed.has(edge)) expect(w).toBe(before.get(edge));
  });

  it("save and load keep the rule (every form), the storage and every bit", () => {
    for (const weightLayout of RULES) {
      const net = prunedDenseMLP(11, 0.1, weightLayout);
      const back = load(save(net));
      expect(back.structure.weightLayout.option).toEqual(net.structure.weightLayout.option);
      expect(back.structure.weightLayouts.map((l) => [l.storage, l.product])).toEqual(net.structure.weightLayouts.map((l) => [l.storage, l.product]));
      expect(leafShapes(back)).toEqual(leafShapes(net));
      (tree.leaves(back) as Tensor[]).forEach((t, i) => expect(Array.from(t.toTypedArray())).toEqual(Array.from((tree.leaves(net) as Tensor[])[i]!.toTypedArray())));
    }
  });

  it("a file written before the option existed loads with the default rule", () => {
    const net = prunedDenseMLP(12);
    const { metadata } = tree.decodeSafetensors(save(net));
    const description = JSON.parse(metadata.network!) as Record<string, unknown>;
    expect(description.weightLayout).toBe("auto");
    delete description.weightLayout;
    // An older file: the same tensors (blocks), a description without `weightLayout`.
    const blocks = prunedDenseMLP(12, 0.1, "dense");
    const old = tree.serialiseLeaves(blocks, { metadata: { ...metadata, network: JSON.stringify(description) } });
    const back = load(old);
    expect(back.structure.weightLayout).toBe(WeightLayoutRule.auto);
    expect(leafShapes(back)).toEqual(leafShapes(net));
    expect([...edgeWeights(back)]).toEqual([...edgeWeights(net)]);
  });

  it("a bad rule throws a typed error naming the option, and leaves its input untouched", () => {
    const spec = { graph: { 0: [1], 1: [2] }, inputNeurons: [0], outputNeurons: [2] };
    const cases: [unknown, RegExp][] = [
      ["fast", /^weightLayout: expected "auto", "dense", "sparse" or \{ maxSparseDensity, minEdgeStorageEntries\? \}, got "fast"$/],
      [0.5, /^weightLayout: expected .*, got number$/],
      [null, /^weightLayout: expected .*, got null$/],
      [["sparse"], /^weightLayout: expected .*, got an array$/],
      [{}, /^weightLayout\.maxSparseDensity: expected a density in \[0, 1\], got undefined$/],
      [{ maxSparseDensity: 1.5 }, /^weightLayout\.maxSparseDensity: expected a density in \[0, 1\], got 1\.5$/],
      [{ maxSparseDensity: Number.NaN }, /^weightLayout\.maxSparseDensity: .*got NaN$/],
      [{ maxSparseDensity: "0.5" }, /^weightLayout\.maxSparseDensity: .*got "0\.5"$/],
      [{ maxSparseDensity: 0.5, minEdgeStorageEntries: -1 }, /^weightLayout\.minEdgeStorageEntries: expected a non-negative integer, got -1$/],
      [{ maxSparseDensity: 0.5, minEdgeStorageEntries: 2.5 }, /^weightLayout\.minEdgeStorageEntries: .*got 2\.5$/],
      [{ maxSparseDensity: 0.5, minEdgeStorageEntries: Infinity }, /^weightLayout\.minEdgeStorageEntries: .*got Infinity$/],
      [{ maxSparseDensity: 0.5, threshold: 0.2 }, /^weightLayout: unknown option "threshold"/],
    ];
    for (const [bad, message] of cases) {
      const option = typeof bad === "object" && bad !== null ? Object.freeze(bad) : bad;
      const snapshotBefore = JSON.stringify(option);
      for (const build of [() => new NeuralNetwork({ ...spec, weightLayout: option as never }), () => MLP({ inputSize: 1, outputSize: 1, width: 2, depth: 1, weightLayout: option as never })]) {
        let caught: unknown;
        try {
          build();
        } catch (e) {
          caught = e;
        }
        expect(caught, String(bad)).toBeInstanceOf(InvalidOptionError);
        expect(caught).toBeInstanceOf(ConnexError);
        expect((caught as Error).message).toMatch(message);
      }
      expect(JSON.stringify(option)).toBe(snapshotBefore);
    }
  });

  it("a file with a bad rule is a NetworkFileError naming it", () => {
    const bytes = save(new NeuralNetwork({ graph: { 0: [1] }, inputNeurons: [0], outputNeurons: [1] }));
    const { metadata } = tree.decodeSafetensors(bytes);
    const description = JSON.parse(metadata.network!) as Record<string, unknown>;
    description.weightLayout = { maxSparseDensity: 2 };
    const net = new NeuralNetwork({ graph: { 0: [1] }, inputNeurons: [0], outputNeurons: [1] });
    const corrupt = tree.serialiseLeaves(net, { metadata: { ...metadata, network: JSON.stringify(description) } });
    expect(() => load(corrupt)).toThrow(NetworkFileError);
    expect(() => load(corrupt)).toThrow(/^cnx\.load: weightLayout\.maxSparseDensity: expected a density in \[0, 1\], got 2$/);
  });
});
