import { describe, expect, it } from "vitest";
import { Module, nn, np, random, tree, isInexactArray, type Tensor } from "@connex/core";
import { filterValueAndGrad } from "@connex/autodiff";
import {
  ActivationShapeError,
  ConnexError,
  CycleError,
  DropoutProbabilityError,
  DuplicateNeuronError,
  EmptyNeuronListError,
  InitializerShapeError,
  InputNeuronEdgeError,
  InputOutputOverlapError,
  InputShapeError,
  InvalidGraphError,
  InvalidOptionError,
  InvalidTopoSortError,
  MissingDropoutKeyError,
  OutputNeuronEdgeError,
  UnknownNeuronError,
} from "../src/errors.js";
import { NeuralNetwork } from "../src/network.js";
import type { NeuralNetworkSpec } from "../src/options.js";

const README = { 0: [1, 2, 3], 1: [4], 2: [4, 5], 4: [6], 5: [7], 6: [8, 9], 7: [10], 8: [11], 9: [11], 10: [11] };
const readme = (extra: Partial<NeuralNetworkSpec> = {}) => new NeuralNetwork({ graph: README, inputNeurons: [0], outputNeurons: [3, 11], hiddenActivation: nn.relu, ...extra });

function thrown(f: () => unknown): ConnexError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConnexError);
    return e as ConnexError;
  }
  throw new Error("expected a ConnexError");
}

describe("NeuralNetwork: introspection", () => {
  it("describes the README network", () => {
    const net = readme();
    expect(net.inputNeurons).toEqual([0]);
    expect(net.outputNeurons).toEqual([3, 11]);
    expect(net.hiddenNeurons).toEqual([1, 2, 4, 5, 6, 7, 8, 9, 10]);
    expect(net.neurons).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 3, 11]);
    expect(net.numNeurons).toBe(12);
    expect(net.numEdges).toBe(14);
    expect(net.topoBatches).toEqual([[1, 2], [4, 5], [6, 7], [8, 9, 10], [3, 11]]);
    expect(net.edges()).toHaveLength(14);
    expect(new Set(net.edges().map(([a, b]) => `${a}>${b}`))).toEqual(new Set(Object.entries(README).flatMap(([a, bs]) => bs.map((b) => `${a}>${b}`))));
    expect([...net.dropoutP.values()].every((p) => p === 0)).toBe(true);
    expect(net.forward(np.array([0.5])).shape).toEqual([2]);
  });

  it("reads every form of graph the same way", () => {
    const edges = Object.entries(README).flatMap(([a, bs]) => bs.map((b) => [Number(a), b] as const));
    const fromEdges = new NeuralNetwork({ graph: edges, inputNeurons: [0], outputNeurons: [3, 11], hiddenActivation: nn.relu });
    const fromMap = new NeuralNetwork({ graph: new Map(Object.entries(README).map(([a, b]) => [Number(a), b])), inputNeurons: [0], outputNeurons: [3, 11], hiddenActivation: nn.relu });
    const x = np.array([0.3]);
    expect(fromEdges.forward(x).toArray()).toEqual(readme().forward(x).toArray());
    expect(fromMap.forward(x).toArray()).toEqual(readme().forward(x).toArray());
  });

  it("toWeightedGraph gives each edge's weight as stored in its batch block", () => {
    const net = readme({ key: random.key(5) });
    const wg = net.toWeightedGraph();
    expect(wg.nodes).toEqual(net.neurons);
    expect(wg.edges).toHaveLength(14);
    const w11 = net.batchParameters[4]!.weights.toArray() as number[][];
    // 11 is row 1 of the output batch; its inputs 8, 9, 10 sit at positions 7, 8, 9 (inputStart 0).
    expect(wg.edges.filter((e) => e.to === 11).map((e) => e.weight)).toEqual([w11[1]![7], w11[1]![8], w11[1]![9]]);
    expect(wg.edges.every((e) => e.weight !== 0)).toBe(true);
  });

  it("is a deeply frozen Module that never mutates its inputs", () => {
    const graph = { 0: [1, 2], 1: [2] };
    const inputs = [0];
    const dropoutP = new Map([[1, 0.5]]);
    const net = new NeuralNetwork({ graph, inputNeurons: inputs, outputNeurons: [2], dropoutP });
    expect(graph).toEqual({ 0: [1, 2], 1: [2] });
    expect(inputs).toEqual([0]);
    expect([...dropoutP]).toEqual([[1, 0.5]]);
    expect(Object.isFrozen(net)).toBe(true);
    expect(Object.isFrozen(net.batchParameters)).toBe(true);
    expect(Object.isFrozen(net.batchParameters[0])).toBe(true);
    expect(() => ((net as unknown as { structure: unknown }).structure = null)).toThrow();
    net.dropoutP.set(1, 0.9);
    expect(net.dropoutP.get(1)).toBe(0.5);
  });

  it("flattens to float parameter leaves plus bool masks; tree.map round-trips", () => {
    const net = readme({ useAdaptiveActivations: true });
    const leaves = tree.leaves(net) as Tensor[];
    expect(leaves.filter((l) => l.dtype === "bool")).toHaveLength(5);
    expect(leaves.filter(isInexactArray)).toHaveLength(5 * 2 + 4 * 2);
    const doubled = tree.map((l: Tensor) => (isInexactArray(l) ? np.multiply(l, 2) : l), net);
    expect(doubled).toBeInstanceOf(NeuralNetwork);
    expect(doubled.structure).toBe(net.structure);
    expect(doubled.batchParameters[0]!.weights.toArray()).toEqual(np.multiply(net.batchParameters[0]!.weights, 2).toArray());
  });
});

describe("NeuralNetwork: initialisation", () => {
  it("draws batch i's [size, width + 1] block from split(key, B + 1)[i] as N(0, 0.1^2), zero off the mask", () => {
    const key = random.key(42);
    const net = readme({ key });
    const B = net.topoBatches.length;
    const keys = random.split(key, B + 1);
    net.structure.topology.batches.forEach((layout, i) => {
      const width = layout.inputEnd - layout.inputStart;
      const drawn = np.multiply(random.normal(np.take(keys, i, 0), [layout.neurons.length, width + 1]), 0.1).toArray() as number[][];
      const weights = net.batchParameters[i]!.weights.toArray() as number[][];
      const mask = net.batchParameters[i]!.mask.toArray() as number[][];
      layout.neurons.forEach((_, j) => {
        for (let c = 0; c < width; c++) expect(weights[j]![c]).toBe(mask[j]![c] ? drawn[j]![c] : 0);
      });
      expect(net.batchParameters[i]!.biases.toArray()).toEqual(drawn.map((row) => row[width]));
    });
  });

  it("is deterministic in the key and defaults to random.key(0)", () => {
    expect(readme().batchParameters[2]!.weights.toArray()).toEqual(readme({ key: random.key(0) }).batchParameters[2]!.weights.toArray());
    expect(readme({ key: random.key(1) }).batchParameters[2]!.weights.toArray()).not.toEqual(readme().batchParameters[2]!.weights.toArray());
  });

  it("takes a custom init, and rejects one of the wrong shape", () => {
    const seen: number[][] = [];
    const net = readme({
      init: (_key, shape, ctx) => {
        seen.push([...shape, ...ctx.fanIn]);
        return np.ones(shape, { dtype: ctx.dtype });
      },
    });
    expect(seen[1]).toEqual([2, 3, 2, 1]); // batch [4, 5]: width 2 (+ bias); 4 has 2 inputs, 5 has 1
    expect(net.batchParameters[1]!.weights.toArray()).toEqual([[1, 1], [0, 1]]);
    expect(net.batchParameters[1]!.biases.toArray()).toEqual([1, 1]);
    const e = thrown(() => readme({ init: () => np.zeros([1]) }));
    expect(e).toBeInstanceOf(InitializerShapeError);
    expect(e.message).toMatch(/batch 0 \(neurons \[1,2\]\) needs a block of shape \[2, 2\], got \[1\]/);
  });
});

describe("NeuralNetwork: dropout", () => {
  it("needs a key (or inference) when any probability is nonzero", () => {
    const net = readme({ dropoutP: 0.5 });
    const e = thrown(() => net.forward(np.array([1])));
    expect(e).toBeInstanceOf(MissingDropoutKeyError);
    expect(e.neurons).toEqual(net.hiddenNeurons);
    expect(net.forward(np.array([1]), { inference: true }).toArray()).toEqual(readme().forward(np.array([1])).toArray());
    expect(readme().forward(np.array([1]), { key: random.key(3) }).toArray()).toEqual(readme().forward(np.array([1])).toArray());
  });

  it("a number applies to hidden neurons only; a map to the listed neurons", () => {
    const all = readme({ dropoutP: 0.25 }).dropoutP;
    expect([...all].filter(([, p]) => p > 0).map(([n]) => n)).toEqual([1, 2, 4, 5, 6, 7, 8, 9, 10]);
    const some = readme({ dropoutP: { 0: 0.5, 11: 0.1 } }).dropoutP;
    expect([...some].filter(([, p]) => p > 0)).toEqual([[0, 0.5], [11, 0.1]]);
  });

  it("with p = 1 everywhere hidden, only biases reach the outputs", () => {
    const net = readme({ dropoutP: 1, key: random.key(2) });
    const y = net.forward(np.array([3]), { key: random.key(8) }).toArray() as number[];
    const out = net.batchParameters[4]!;
    const w = out.weights.toArray() as number[][];
    expect(y[1]).toBeCloseTo((out.biases.toArray() as number[])[1]!, 6); // 11 reads only dropped neurons
    expect(y[0]).toBeCloseTo(w[0]![0]! * 3 + (out.biases.toArray() as number[])[0]!, 6); // 3 reads input 0
  });

  it("different keys drop different neurons; the same key the same ones", () => {
    const net = readme({ dropoutP: 0.5 });
    const x = np.array([1]);
    const a = net.forward(x, { key: random.key(1) }).toArray();
    expect(net.forward(x, { key: random.key(1) }).toArray()).toEqual(a);
    const outs = new Set([1, 2, 3, 4, 5, 6].map((s) => JSON.stringify(net.forward(x, { key: random.key(s) }).toArray())));
    expect(outs.size).toBeGreaterThan(1);
  });
});

describe("NeuralNetwork: trainable activations", () => {
  class PReLU extends Module {
    declare readonly slope: Tensor;
    constructor(slope: number) {
      super({ slope: np.array([slope]) });
    }
    forward(x: Tensor): Tensor {
      return np.where(np.greater(x, 0), x, np.multiply(this.slope, x));
    }
  }

  it("a Module activation is a pytree child, so it gets gradients", () => {
    const net = readme({ hiddenActivation: new PReLU(0.2) });
    expect(net.hiddenActivation).toBeInstanceOf(PReLU);
    const [, grads] = filterValueAndGrad((m: NeuralNetwork) => np.sum(np.square(m.forward(np.array([-2])))))(net);
    expect((grads.hiddenActivation as PReLU).slope.shape).toEqual([1]);
    expect(Math.abs((grads.hiddenActivation as PReLU).slope.item())).toBeGreaterThan(0);
  });
});

describe("NeuralNetwork: validation errors name the culprits", () => {
  const base = { graph: { 0: [1], 1: [2] } as Record<string, number[]>, inputNeurons: [0], outputNeurons: [2] };
  const cases: [string, () => unknown, new (...a: never[]) => ConnexError, RegExp, unknown[]][] = [
    ["cycle", () => new NeuralNetwork({ ...base, graph: { 0: [1], 1: [2, 3], 3: [4], 4: [1] } }), CycleError, /cycle 1 -> 3 -> 4 -> 1/, [1, 3, 4]],
    ["self-loop", () => new NeuralNetwork({ ...base, graph: { 0: [1], 1: [1, 2] } }), CycleError, /cycle 1 -> 1/, [1]],
    ["input with incoming edges", () => new NeuralNetwork({ ...base, inputNeurons: [0, 1] }), InputNeuronEdgeError, /input neuron 1 has incoming edges from \[0\]/, [1, 0]],
    ["output with outgoing edges", () => new NeuralNetwork({ ...base, outputNeurons: [1, 2] }), OutputNeuronEdgeError, /output neuron 1 has outgoing edges to \[2\]/, [1, 2]],
    ["input and output overlap", () => new NeuralNetwork({ ...base, graph: { 0: [1] }, neurons: [2], inputNeurons: [0, 2], outputNeurons: [1, 2] }), InputOutputOverlapError, /neurons \[2\] are both input and output/, [2]],
    ["unknown input", () => new NeuralNetwork({ ...base, inputNeurons: [0, "x"] }), UnknownNeuronError, /inputNeurons: neuron \["x"\] is not in the graph/, ["x"]],
    ["unknown outputs", () => new NeuralNetwork({ ...base, outputNeurons: [2, 7, 8] }), UnknownNeuronError, /outputNeurons: neurons \[7, 8\] are not in the graph/, [7, 8]],
    ["duplicate input", () => new NeuralNetwork({ ...base, inputNeurons: [0, 0] }), DuplicateNeuronError, /inputNeurons: neuron 0 is listed twice/, [0]],
    ["duplicate edge", () => new NeuralNetwork({ ...base, graph: [[0, 1], [1, 2], [0, 1]] }), DuplicateNeuronError, /edge 0 -> 1 is given twice/, [0, 1]],
    ["empty inputs", () => new NeuralNetwork({ ...base, inputNeurons: [] }), EmptyNeuronListError, /at least one input neuron/, []],
    ["empty outputs", () => new NeuralNetwork({ ...base, outputNeurons: [] }), EmptyNeuronListError, /at least one output neuron/, []],
    ["topoSort edge backwards", () => new NeuralNetwork({ ...base, topoSort: [0, 2, 1] }), InvalidTopoSortError, /edge 1 -> 2 points backwards/, [1, 2]],
    ["topoSort missing neuron", () => new NeuralNetwork({ ...base, topoSort: [0, 1] }), InvalidTopoSortError, /neurons \[2\] of the graph are missing/, [2]],
    ["topoSort unknown neuron", () => new NeuralNetwork({ ...base, topoSort: [0, 1, 2, 9] }), InvalidTopoSortError, /neuron 9 is not in the graph/, [9]],
    ["topoSort repeat", () => new NeuralNetwork({ ...base, topoSort: [0, 1, 1, 2] }), InvalidTopoSortError, /neuron 1 is listed twice/, [1]],
    ["dropout above 1", () => new NeuralNetwork({ ...base, dropoutP: 1.5 }), DropoutProbabilityError, /must be a number in \[0, 1\], got 1.5/, []],
    ["dropout NaN for a neuron", () => new NeuralNetwork({ ...base, dropoutP: { 1: NaN } }), DropoutProbabilityError, /of neuron 1 must be a number in \[0, 1\], got NaN/, [1]],
    ["negative dropout", () => new NeuralNetwork({ ...base, dropoutP: new Map([[1, -0.1]]) }), DropoutProbabilityError, /of neuron 1 .* got -0.1/, [1]],
    ["dropout for an unknown neuron", () => new NeuralNetwork({ ...base, dropoutP: { 5: 0.1 } }), UnknownNeuronError, /dropoutP: neuron \[5\] is not in the network/, [5]],
    ["hidden activation changes shape", () => new NeuralNetwork({ ...base, hiddenActivation: (x) => np.concatenate([x, x]) }), ActivationShapeError, /hiddenActivation: must keep the shape of its input, but maps shape \[1\] to \[2\]/, []],
    ["output transformation reduces", () => new NeuralNetwork({ ...base, outputTransformation: (x) => np.sum(x) }), ActivationShapeError, /outputTransformation: .*maps shape \[1\] to \[\]/, []],
    ["activation that throws", () => new NeuralNetwork({ ...base, hiddenActivation: () => { throw new Error("boom"); } }), ActivationShapeError, /hiddenActivation: calling it .* threw: boom/, []],
    ["activation not a function", () => new NeuralNetwork({ ...base, hiddenActivation: 3 as never }), ActivationShapeError, /expected a function or a Module/, []],
    ["malformed graph", () => new NeuralNetwork({ ...base, graph: "0->1" as never }), InvalidGraphError, /expected an edge list/, []],
    ["non-boolean feature flag", () => new NeuralNetwork({ ...base, useTopoNorm: 1 as never }), InvalidOptionError, /useTopoNorm: expected a boolean/, []],
    ["unsupported dtype", () => new NeuralNetwork({ ...base, dtype: "int32" as never }), InvalidOptionError, /dtype: expected "float32" or "float64"/, []],
    ["key not a tensor", () => new NeuralNetwork({ ...base, key: 0 as never }), InvalidOptionError, /key: expected a key tensor/, []],
    ["spec not an object", () => new NeuralNetwork(null as never), InvalidOptionError, /expected an options object/, []],
  ];
  for (const [name, f, cls, message, neurons] of cases) {
    it(name, () => {
      const e = thrown(f);
      expect(e).toBeInstanceOf(cls);
      expect(e.name).toBe(cls.name);
      expect(e.message).toMatch(message);
      expect(e.neurons).toEqual(neurons);
    });
  }

  it("forward rejects inputs of the wrong shape, naming the input neurons", () => {
    const net = readme();
    const e = thrown(() => net.forward(np.array([1, 2])));
    expect(e).toBeInstanceOf(InputShapeError);
    expect(e.message).toMatch(/x must have shape \[1\] \(one value per input neuron \[0\]\), got \[2\]; use vmap/);
    expect(() => net.forward(np.array([[1]]))).toThrow(InputShapeError);
  });
});
