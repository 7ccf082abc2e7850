import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Module, nn, np, random, tree, type Tensor } from "@connex/core";
import { CycleError } from "../../src/errors.js";
import { NeuralNetwork } from "../../src/network.js";
import type { NeuronId } from "../../src/neuron_id.js";
import { planEdit } from "../plasticity/testing/random_edit.js";
import { randomDag, rng } from "../testing/random_dag.js";
import { registerActivation } from "../../src/persistence/activation_registry.js";
import { NetworkFileError, UnregisteredActivationError } from "../../src/persistence/errors.js";
import { load } from "../../src/persistence/load.js";
import { save } from "../../src/persistence/save.js";

/** The README network, with every feature on and a per-neuron dropout map. */
function readmeNetwork(extra: Partial<ConstructorParameters<typeof NeuralNetwork>[0]> = {}): NeuralNetwork {
  return new NeuralNetwork({
    graph: { 0: [1, 2, 3], 1: [4], 2: [4, 5], 4: [6], 5: [7], 6: [8, 9], 7: [10], 8: [11], 9: [11], 10: [11] },
    inputNeurons: [0],
    outputNeurons: [3, 11],
    hiddenActivation: nn.relu,
    outputTransformation: nn.softmax,
    dropoutP: { 4: 0.25, 7: 0.5 },
    useTopoNorm: true,
    useTopoSelfAttention: true,
    useNeuronSelfAttention: true,
    useAdaptiveActivations: true,
    key: random.key(3),
    ...extra,
  });
}

/** Bytes of every parameter leaf, for bit-exact comparison (NaN payloads and -0 included). */
function parameterBits(net: NeuralNetwork): number[][] {
  return (tree.leaves(net) as Tensor[]).map((t) => {
    const a = t.toTypedArray();
    return [t.dtype.length, ...t.shape, ...new Uint8Array(a.buffer, a.byteOffset, a.byteLength)];
  });
}

const entries = <K, V>(m: ReadonlyMap<K, V>) => [...m.entries()];

/** Everything `cnx.save` promises to keep, compared field by field. */
function expectSameNetwork(a: NeuralNetwork, b: NeuralNetwork): void {
  const [sa, sb] = [a.structure, b.structure];
  expect(sb.graph.neurons).toEqual(sa.graph.neurons);
  expect(entries(sb.graph.successors)).toEqual(entries(sa.graph.successors));
  expect(entries(sb.graph.predecessors)).toEqual(entries(sa.graph.predecessors));
  expect(sb.graph.numEdges).toBe(sa.graph.numEdges);
  expect(sb.topology.order).toEqual(sa.topology.order);
  expect(sb.topology.batches).toEqual(sa.topology.batches);
  expect(entries(sb.topology.position)).toEqual(entries(sa.topology.position));
  expect(entries(sb.dropout)).toEqual(entries(sa.dropout));
  expect(sb.features).toEqual(sa.features);
  expect(sb.dtype).toBe(sa.dtype);
  for (const role of ["hiddenActivation", "outputTransformation"] as const) {
    // Functions by identity; modules by structure (their parameters are among the leaves below).
    if (typeof a[role] === "function") expect(b[role] === a[role]).toBe(true);
    else expect(tree.structure(b[role]).equals(tree.structure(a[role]))).toBe(true);
  }
  expect(tree.structure(b.batchParameters).equals(tree.structure(a.batchParameters))).toBe(true);
  expect(parameterBits(b)).toEqual(parameterBits(a));
}

/** Rewrite the JSON description inside a saved file (to build corrupt files). */
function withDescription(bytes: Uint8Array, edit: (d: any) => void): Uint8Array {
  const { tensors, metadata } = tree.decodeSafetensors(bytes);
  const d = JSON.parse(metadata.network!);
  edit(d);
  const arrays = [...tensors].map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape, data: t.toTypedArray() }));
  return tree.encodeSafetensors(arrays, { ...metadata, network: JSON.stringify(d) });
}

/** Rewrite one tensor inside a saved file. */
function withTensor(bytes: Uint8Array, name: string, edit: (data: any) => void): Uint8Array {
  const { tensors, metadata } = tree.decodeSafetensors(bytes);
  const arrays = [...tensors].map(([n, t]) => {
    const data = t.toTypedArray();
    if (n === name) edit(data);
    return { name: n, dtype: t.dtype, shape: t.shape, data };
  });
  return tree.encodeSafetensors(arrays, metadata);
}

describe("cnx.save / cnx.load", () => {
  it("round-trips the README network with every option bit for bit", () => {
    const net = readmeNetwork();
    const bytes = save(net);
    const back = load(bytes);
    expect(back).toBeInstanceOf(NeuralNetwork);
    expectSameNetwork(net, back);
    expect(back.dropoutP.get(7)).toBe(0.5);
    const x = np.array([0.7]);
    expect(back.forward(x, { key: random.key(1) }).toArray()).toEqual(net.forward(x, { key: random.key(1) }).toArray());
    expect(save(back)).toEqual(bytes);
  });

  it("keeps trained parameters exactly, and never mutates its inputs", () => {
    const net = readmeNetwork({ dtype: "float64" });
    const r = rng(5);
    const trained = tree.map((t: Tensor) => (t.dtype === "bool" ? t : np.add(t, np.array(Array.from({ length: t.size }, () => r() - 0.5), { dtype: t.dtype }).reshape(t.shape))), net);
    const before = parameterBits(trained);
    const bytes = save(trained);
    const copy = bytes.slice();
    const back = load(bytes);
    expect(parameterBits(trained)).toEqual(before);
    expect(bytes).toEqual(copy);
    expectSameNetwork(trained, back);
  });

  it("round-trips random networks with random options and parameters (property)", () => {
    const spec = fc.record({
      seed: fc.integer({ min: 1, max: 1_000_000 }),
      features: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
      dtype: fc.constantFrom("float32" as const, "float64" as const),
      dropout: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true }), fc.constant("map" as const)),
      activation: fc.constantFrom(nn.relu, nn.gelu, nn.tanh, nn.silu, nn.sigmoid, nn.softplus, nn.identity),
      output: fc.constantFrom(nn.identity, nn.softmax, nn.logSoftmax),
      greedyTopoSort: fc.boolean(),
      density: fc.double({ min: 0, max: 0.9, noNaN: true }),
    });
    fc.assert(
      fc.property(spec, (s) => {
        const dag = randomDag(s.seed, { maxInputs: 3, maxHidden: 7, maxOutputs: 3, density: s.density });
        const r = rng(s.seed + 17);
        const hidden = dag.neurons.filter((n) => !dag.inputNeurons.includes(n) && !dag.outputNeurons.includes(n));
        const dropoutP =
          s.dropout === "map" ? new Map<NeuronId, number>(hidden.filter(() => r() < 0.5).map((n) => [n, r()])) : s.dropout;
        const net = new NeuralNetwork({
          graph: dag.edges,
          inputNeurons: dag.inputNeurons,
          outputNeurons: dag.outputNeurons,
          neurons: dag.neurons,
          dtype: s.dtype,
          useTopoNorm: s.features[0],
          useTopoSelfAttention: s.features[1],
          useNeuronSelfAttention: s.features[2],
          useAdaptiveActivations: s.features[3],
          hiddenActivation: s.activation,
          outputTransformation: s.output,
          dropoutP,
          // The generator's own order (its neurons list is a topological order): batches follow it greedily.
          topoSort: s.greedyTopoSort ? dag.neurons : undefined,
          key: random.key(s.seed),
        });
        const bytes = save(net);
        const back = load(bytes);
        expectSameNetwork(net, back);
        expect(save(back)).toEqual(bytes);
      }),
      { numRuns: 150 },
    );
  });

  it("round-trips networks after random plasticity edits (property)", () => {
    const caseArb = fc.record({
      seed: fc.integer({ min: 1, max: 1_000_000 }),
      features: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
      edits: fc.array(fc.record({ op: fc.nat({ max: 6 }), picks: fc.array(fc.nat({ max: 10_000 }), { minLength: 1, maxLength: 6 }) }), { minLength: 1, maxLength: 4 }),
    });
    let edited = 0;
    fc.assert(
      fc.property(caseArb, (c) => {
        const dag = randomDag(c.seed, { maxInputs: 3, maxHidden: 6, maxOutputs: 3, density: 0.4 });
        let net = new NeuralNetwork({
          graph: dag.edges,
          inputNeurons: dag.inputNeurons,
          outputNeurons: dag.outputNeurons,
          neurons: dag.neurons,
          useTopoNorm: c.features[0],
          useTopoSelfAttention: c.features[1],
          useNeuronSelfAttention: c.features[2],
          useAdaptiveActivations: c.features[3],
          key: random.key(c.seed),
        });
        c.edits.forEach((plan, i) => {
          const edit = planEdit(net, plan, i);
          if (edit.expectedError !== null) return; // edits that must fail (cycles) change nothing
          net = edit.run();
          edited++;
          const back = load(save(net));
          expectSameNetwork(net, back);
          const x = np.array(Array.from({ length: net.inputNeurons.length }, (_, k) => Math.sin(k + i)));
          expect(Array.from(back.forward(x, { inference: true }).toTypedArray())).toEqual(Array.from(net.forward(x, { inference: true }).toTypedArray()));
        });
      }),
      { numRuns: 100 },
    );
    expect(edited).toBeGreaterThan(100);
  });

  it("stores the parameters as named safetensors tensors and the description as metadata", () => {
    const bytes = save(readmeNetwork());
    const { tensors, metadata } = tree.decodeSafetensors(bytes);
    expect(metadata.format).toBe("connex.network");
    expect(metadata.version).toBe("1");
    const d = JSON.parse(metadata.network!);
    expect(d.inputNeurons).toEqual([0]);
    expect(d.outputNeurons).toEqual([3, 11]);
    expect(d.hiddenActivation).toBe("relu");
    expect(d.outputTransformation).toBe("softmax");
    expect(tensors.get("batchParameters.0.weights")!.shape).toEqual([2, 1]);
    expect(tensors.get("batchParameters.0.mask")!.dtype).toBe("bool");
    expect([...tensors.keys()]).toContain("batchParameters.1.neuronSelfAttention.queryWeight");
  });
});

class ScaledTanh extends Module {
  declare readonly scale: Tensor;
  constructor(scale: Tensor) {
    super({ scale });
  }
  forward(x: Tensor): Tensor {
    return np.multiply(this.scale, np.tanh(x));
  }
}

describe("activations by name", () => {
  const spec = { graph: { 0: [1], 1: [2] }, inputNeurons: [0], outputNeurons: [2] };

  it("refuses to save an unregistered custom activation, and saves it once registered", () => {
    const leaky = (x: Tensor) => np.maximum(x, np.multiply(x, 0.01));
    const net = new NeuralNetwork({ ...spec, hiddenActivation: leaky });
    expect(() => save(net)).toThrow(UnregisteredActivationError);
    expect(() => save(net)).toThrow(/hiddenActivation is a custom function \(leaky\) with no registered name; call cnx.registerActivation/);
    registerActivation("persistence.test.leaky", leaky);
    registerActivation("persistence.test.leaky", leaky); // idempotent
    const back = load(save(net));
    expect(back.hiddenActivation).toBe(leaky);
  });

  it("says which name is missing when loading an unregistered activation", () => {
    const bytes = withDescription(save(new NeuralNetwork(spec)), (d) => (d.outputTransformation = "notRegisteredAnywhere"));
    expect(() => load(bytes)).toThrow(UnregisteredActivationError);
    expect(() => load(bytes)).toThrow(/outputTransformation is "notRegisteredAnywhere", which is not registered in this process/);
  });

  it("rejects bad registrations", () => {
    expect(() => registerActivation("relu", (x: Tensor) => x)).toThrow(/already taken by the built-in nn.relu/);
    expect(() => registerActivation("", nn.relu)).toThrow(/non-empty string/);
    expect(() => registerActivation("x", 3 as never)).toThrow(/must be a function or a Module/);
    expect(() => registerActivation("relu", nn.relu)).not.toThrow();
  });

  it("saves a trainable activation module by its registered template, parameters included", () => {
    const net = new NeuralNetwork({ ...spec, hiddenActivation: new ScaledTanh(np.array([1.5])) });
    expect(() => save(net)).toThrow(/ScaledTanh module whose structure matches no registered activation/);
    registerActivation("persistence.test.scaledTanh", new ScaledTanh(np.array([1], { dtype: "float32" })));
    const trained = tree.map((t: Tensor) => (t.dtype === "bool" ? t : np.add(t, 0.25)), net);
    const back = load(save(trained));
    expect(back.hiddenActivation).toBeInstanceOf(ScaledTanh);
    expect((back.hiddenActivation as ScaledTanh).scale.toArray()).toEqual([1.75]);
    expectSameNetwork(trained, back);
  });
});

describe("cnx.load: corrupt, truncated and inconsistent files", () => {
  const bytes = save(readmeNetwork());

  it("throws NetworkFileError for every truncation", () => {
    const step = 97; // every length would take long on a 2-core machine; a prime stride covers all regions
    for (let n = 0; n < bytes.length; n += n < 64 ? 1 : step) {
      expect(() => load(bytes.subarray(0, n)), `prefix of ${n} bytes`).toThrow(NetworkFileError);
    }
  });

  it("rejects files that are not connex networks", () => {
    expect(() => load(tree.serialiseLeaves({ w: np.zeros([2]) }))).toThrow(/not a connex network file \(its metadata "format" is missing/);
    expect(() => load(tree.serialiseLeaves({}, { metadata: { format: "connex.network", version: "2" } }))).toThrow(/format version "2"; this version of connex reads version 1/);
    expect(() => load("hello" as never)).toThrow(NetworkFileError);
    expect(() => save({} as never)).toThrow(/expected a NeuralNetwork/);
  });

  it("rejects an inconsistent description, naming the neurons", () => {
    const cases: [(d: any) => void, RegExp][] = [
      [(d) => (d.network = 1), /./], // an ignored extra field is fine: checked below to load
      [(d) => d.successors[0].push(0), /predecessors|cycle|twice|edge/],
      [(d) => (d.inputNeurons = [99]), /stored network is invalid: .*99/],
      [(d) => d.hiddenBatches.reverse(), /does not point to a later batch/],
      [(d) => d.hiddenBatches.pop(), /in no batch/],
      [(d) => (d.dropout[0][1] = 2), /dropout must list \[neuron index, probability in \[0, 1\]\] once for each of the 12 neurons/],
      [(d) => (d.dropout[1][0] = d.dropout[0][0]), /dropout must list/],
      [(d) => (d.dtype = "int32"), /dtype must be "float32" or "float64"/],
      [(d) => (d.parameterGroups[0] = []), /parameters do not fit the stored network: .*has tensors "batchParameters.0.adaptiveActivation.a", .*\(\d+ more\) that `like` has no leaf for/],
      [(d) => (d.neurons[1] = d.neurons[0]), /listed twice/],
      [(d) => (d.features = { topoNorm: "yes" }), /features must be/],
    ];
    expect(load(withDescription(bytes, cases[0]![0])).numEdges).toBe(14);
    for (const [edit, message] of cases.slice(1)) {
      const bad = withDescription(bytes, edit);
      expect(() => load(bad), String(message)).toThrow(NetworkFileError);
      expect(() => load(bad), String(message)).toThrow(message);
    }
  });

  it("reports a stored cycle with the cycle, as a NetworkFileError caused by CycleError", () => {
    // Add the edge 6 -> 1 (1 -> 4 -> 6 exist) in both adjacency directions.
    const bad = withDescription(bytes, (d) => {
      const i6 = d.neurons.indexOf(6);
      const i1 = d.neurons.indexOf(1);
      d.successors[i6].push(i1);
      d.predecessors[i1].push(i6);
    });
    let error: unknown;
    try {
      load(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NetworkFileError);
    expect((error as Error).message).toMatch(/cycle 1 -> 4 -> 6 -> 1/);
    expect((error as { cause?: unknown }).cause).toBeInstanceOf(CycleError);
  });

  it("rejects a tensor of the wrong shape and a mask that disagrees with the graph", () => {
    const { tensors } = tree.decodeSafetensors(bytes);
    const arrays = [...tensors].map(([name, t]) =>
      name === "batchParameters.0.biases" ? { name, dtype: t.dtype, shape: [1, 2], data: t.toTypedArray() } : { name, dtype: t.dtype, shape: t.shape, data: t.toTypedArray() },
    );
    const wrongShape = tree.encodeSafetensors(arrays, tree.decodeSafetensors(bytes).metadata);
    expect(() => load(wrongShape)).toThrow(/"batchParameters.0.biases" is stored as float32 \[1, 2\], but `like` has float32 \[2\]/);
    const maskName = [...tensors.keys()].find((n) => n.endsWith(".mask") && tensors.get(n)!.toTypedArray().includes(0))!;
    const flipped = withTensor(bytes, maskName, (data: Uint8Array) => (data[data.indexOf(0)] = 1));
    expect(() => load(flipped)).toThrow(/the mask of batch \d+ disagrees with the graph/);
  });
});
