/**
 * `NeuralNetwork`: any DAG as a trainable network, as Python Connex's `NeuralNetwork`, as a
 * frozen `Module`. See docs/NETWORK.md for the data layout.
 */
import { Module, nn, np, random, Tensor, type ArrayLike } from "@connex/core";
import { isActivationModule, validateActivation, type Activation } from "./activation.js";
import { InputShapeError, InvalidOptionError, MissingDropoutKeyError } from "./errors.js";
import { dropoutMultipliers } from "./features/dropout.js";
import { forwardPass } from "./forward.js";
import { assertAcyclic, graphEdges, parseGraph, type Edge } from "./graph.js";
import { initialiseBatches } from "./init.js";
import { formatNeurons, type NeuronId } from "./neuron_id.js";
import { NETWORK_SPEC_NAMES, resolveDType, resolveDropout, resolveFeatures, type NeuralNetworkSpec } from "./options.js";
import { checkOptions } from "./arguments.js";
import type { TopoBatchParameters } from "./parameters.js";
import { validateRoles, validateTopoSort } from "./roles.js";
import { NetworkStructure } from "./structure.js";
import { computeTopology, hiddenByLevel } from "./topology.js";
import { readWeightBlock, WeightLayoutRule } from "./weight_layout.js";

/** Options of `forward`. */
export interface ForwardOptions {
  /** Key for dropout; required when the network has nonzero dropout, unless `inference`. */
  key?: Tensor;
  /** Turn dropout off (evaluation). */
  inference?: boolean;
}

/** A network as a weighted graph: every edge with its current weight. */
export interface WeightedGraph {
  /** Every neuron, in topological (position) order. */
  nodes: NeuronId[];
  edges: { from: NeuronId; to: NeuronId; weight: number }[];
  inputNeurons: NeuronId[];
  outputNeurons: NeuronId[];
  /** The bias of every non-input neuron (so `fromWeightedGraph` can rebuild the network). */
  biases: { neuron: NeuronId; bias: number }[];
}

/** The fields of a `NeuralNetwork`, for code that rebuilds networks (e.g. plasticity). */
export interface NetworkParts {
  readonly structure: NetworkStructure;
  readonly batchParameters: readonly TopoBatchParameters[];
  readonly hiddenActivation: Activation;
  readonly outputTransformation: Activation;
}

const PARTS: unique symbol = Symbol("connex.networkParts");
type PartsToken = { readonly [PARTS]: NetworkParts };

function isPartsToken(x: unknown): x is PartsToken {
  return typeof x === "object" && x !== null && PARTS in x;
}

function buildParts(spec: NeuralNetworkSpec): NetworkParts {
  if (typeof spec !== "object" || spec === null) {
    throw new InvalidOptionError(`NeuralNetwork: expected an options object { graph, inputNeurons, outputNeurons, ... }, got ${spec === null ? "null" : typeof spec}`);
  }
  checkOptions("NeuralNetwork", spec, NETWORK_SPEC_NAMES);
  const graph = parseGraph(spec.graph, spec.neurons ?? []);
  validateRoles(graph, spec.inputNeurons, spec.outputNeurons);
  assertAcyclic(graph);
  const inputs = new Set(spec.inputNeurons);
  const outputs = new Set(spec.outputNeurons);
  const isHidden = (n: NeuronId) => !inputs.has(n) && !outputs.has(n);
  let hiddenOrder: NeuronId[];
  if (spec.topoSort !== undefined) {
    validateTopoSort(graph, spec.topoSort);
    hiddenOrder = spec.topoSort.filter(isHidden);
  } else {
    hiddenOrder = hiddenByLevel(graph, inputs, outputs);
  }
  const topology = computeTopology(graph, spec.inputNeurons, spec.outputNeurons, hiddenOrder);
  const features = resolveFeatures(spec);
  const dtype = resolveDType(spec);
  const weightLayout = WeightLayoutRule.resolve(spec.weightLayout);
  const dropout = resolveDropout(spec.dropoutP, topology.order, topology.hiddenNeurons);
  const hiddenActivation = spec.hiddenActivation ?? nn.gelu;
  const outputTransformation = spec.outputTransformation ?? nn.identity;
  validateActivation(hiddenActivation, "hiddenActivation", [1], dtype);
  validateActivation(outputTransformation, "outputTransformation", [topology.outputNeurons.length], dtype);
  if (spec.init !== undefined && typeof spec.init !== "function") {
    throw new InvalidOptionError(`init: expected a function (key, shape, context) => Tensor, got ${typeof spec.init}`);
  }
  if (spec.key !== undefined && !(spec.key instanceof Tensor)) {
    throw new InvalidOptionError(`key: expected a key tensor from random.key, got ${typeof spec.key}`);
  }
  const key = spec.key ?? random.key(0);
  const structure = new NetworkStructure(graph, topology, dropout, features, dtype, weightLayout);
  const batchParameters = initialiseBatches(structure, key, spec.init);
  return { structure, batchParameters, hiddenActivation, outputTransformation };
}

/**
 * A neural network whose structure is any directed acyclic graph. Neurons fire in topological
 * batches; each batch computes `activation(W_masked @ inputs + b)` over the contiguous range of
 * earlier neurons it reads. A `Module`: `tree`, `filterValueAndGrad`, `vmap`, optimisers and
 * `jit` take it; its trainable leaves are the per-batch parameter records (`batchParameters`)
 * and any `Module` activation.
 *
 * @example
 * const net = new NeuralNetwork({ graph: { 0: [1, 2], 1: [2] }, inputNeurons: [0], outputNeurons: [2] });
 * net.forward(np.array([0.5])); // shape [1]
 */
export class NeuralNetwork extends Module {
  /** Static: graph, topology, dropout, feature switches, dtype, weight layout. */
  declare readonly structure: NetworkStructure;
  /** One parameter record per topological batch, in firing order. */
  declare readonly batchParameters: readonly TopoBatchParameters[];
  declare readonly hiddenActivation: Activation;
  declare readonly outputTransformation: Activation;

  constructor(spec: NeuralNetworkSpec) {
    const parts = isPartsToken(spec) ? spec[PARTS] : buildParts(spec);
    const statics = ["structure"];
    if (!isActivationModule(parts.hiddenActivation)) statics.push("hiddenActivation");
    if (!isActivationModule(parts.outputTransformation)) statics.push("outputTransformation");
    super(
      {
        structure: parts.structure,
        batchParameters: parts.batchParameters,
        hiddenActivation: parts.hiddenActivation,
        outputTransformation: parts.outputTransformation,
      },
      { static: statics },
    );
  }

  /**
   * A network from already-built parts (no validation of the graph, no initialisation): for
   * code that edits networks and keeps parameter records by reference.
   *
   * @example
   * const copy = NeuralNetwork.fromParts({ ...net, batchParameters: net.batchParameters });
   */
  static fromParts(parts: NetworkParts): NeuralNetwork {
    if (parts.batchParameters.length !== parts.structure.topology.batches.length) {
      throw new InvalidOptionError(
        `NeuralNetwork.fromParts: ${parts.batchParameters.length} parameter records for ${parts.structure.topology.batches.length} topological batches`,
      );
    }
    return new NeuralNetwork({ [PARTS]: parts } as unknown as NeuralNetworkSpec);
  }

  /**
   * The forward pass on one input vector `x` of shape `[numInputs]`, giving `[numOutputs]`.
   * Dropout applies when `key` is given and `inference` is not set; a network with nonzero
   * dropout called with neither throws `MissingDropoutKeyError`. Use `vmap` for data batches.
   *
   * @example
   * const ys = vmap((xi: Tensor) => net.forward(xi))(xs);
   */
  forward(x: Tensor | ArrayLike | readonly number[], options: ForwardOptions = {}): Tensor {
    checkOptions("NeuralNetwork.forward", options, ["key", "inference"]);
    const input = np.asTensor(x as Tensor, "NeuralNetwork.forward");
    const numInputs = this.structure.topology.inputNeurons.length;
    if (input.ndim !== 1 || input.shape[0] !== numInputs) {
      throw new InputShapeError(
        `NeuralNetwork.forward: x must have shape [${numInputs}] (one value per input neuron ${formatNeurons(this.inputNeurons)}), got [${input.shape.join(", ")}]; use vmap for a batch of inputs`,
        this.inputNeurons,
      );
    }
    const useDropout = this.structure.hasDropout && options.inference !== true;
    if (useDropout && options.key === undefined) {
      throw new MissingDropoutKeyError(
        "NeuralNetwork.forward: this network has nonzero dropout; pass { key } to apply it, or { inference: true } to turn it off",
        [...this.structure.dropout].filter(([, p]) => p > 0).map(([n]) => n),
      );
    }
    const multipliers = useDropout ? dropoutMultipliers(this.structure, options.key!) : null;
    return forwardPass(this, input, multipliers);
  }

  /** Input neurons, in the order `x` is read. */
  get inputNeurons(): readonly NeuronId[] {
    return this.structure.topology.inputNeurons;
  }
  /** Output neurons, in the order results are returned. */
  get outputNeurons(): readonly NeuronId[] {
    return this.structure.topology.outputNeurons;
  }
  /** Hidden neurons, in topological order. */
  get hiddenNeurons(): readonly NeuronId[] {
    return this.structure.topology.hiddenNeurons;
  }
  /** Every neuron, in topological order: inputs, hidden, outputs. */
  get neurons(): readonly NeuronId[] {
    return this.structure.topology.order;
  }
  /** The number of neurons (input, hidden and output). */
  get numNeurons(): number {
    return this.structure.topology.order.length;
  }
  /** The number of edges (connections) of the graph. */
  get numEdges(): number {
    return this.structure.graph.numEdges;
  }
  /** Dropout probability of every neuron (a fresh `Map`). */
  get dropoutP(): Map<NeuronId, number> {
    return new Map(this.structure.dropout);
  }
  /** The non-input neurons grouped by topological batch, in firing order. */
  get topoBatches(): readonly (readonly NeuronId[])[] {
    return this.structure.topology.batches.map((b) => b.neurons);
  }

  /**
   * Every edge `[from, to]`, grouped by source in topological order.
   *
   * @example
   * net.edges(); // [[0, 1], [0, 2], [1, 2]]
   */
  edges(): Edge[] {
    return graphEdges(this.structure.graph, this.structure.topology.order);
  }

  /**
   * The network as a weighted graph: nodes in topological order and each edge's weight.
   *
   * @example
   * net.toWeightedGraph().edges[0]; // { from: 0, to: 1, weight: 0.0123 }
   */
  toWeightedGraph(): WeightedGraph {
    const { topology, graph } = this.structure;
    const weightRows = this.batchParameters.map((_, b) => readWeightBlock(this, b));
    const where = new Map<NeuronId, { batch: number; row: number }>();
    topology.batches.forEach((layout, b) => layout.neurons.forEach((n, row) => where.set(n, { batch: b, row })));
    const edges = graphEdges(graph, topology.order).map(([from, to]) => {
      const { batch, row } = where.get(to)!;
      const layout = topology.batches[batch]!;
      const width = layout.inputEnd - layout.inputStart;
      const col = topology.position.get(from)! - layout.inputStart;
      return { from, to, weight: weightRows[batch]![row * width + col]! };
    });
    const biases = topology.batches.flatMap((layout, b) => {
      const values = this.batchParameters[b]!.biases.toTypedArray();
      return layout.neurons.map((neuron, row) => ({ neuron, bias: values[row]! }));
    });
    return { nodes: topology.order.slice(), edges, inputNeurons: topology.inputNeurons.slice(), outputNeurons: topology.outputNeurons.slice(), biases };
  }
}
