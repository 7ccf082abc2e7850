/**
 * `cnx.load(bytes)`: a network from `cnx.save`'s bytes. The description is validated in full
 * (graph, roles, acyclicity, batches, dropout, options, activation names) and every tensor is
 * checked against the shape the topology implies, before anything is returned: a corrupt or
 * mismatched file throws `NetworkFileError` and never yields a half-loaded network.
 */
import { np, SerialisationError, tree, type Tensor } from "@connex/core";
import { ConnexError } from "../errors.js";
import { assertAcyclic, type DirectedGraph } from "../graph.js";
import { batchMask } from "../init.js";
import { NeuralNetwork } from "../network.js";
import { formatNeuron, isNeuronId, type NeuronId } from "../neuron_id.js";
import type { NetworkFeatures } from "../options.js";
import type { AttentionParameters, TopoBatchParameters } from "../parameters.js";
import { validateRoles } from "../roles.js";
import { NetworkStructure } from "../structure.js";
import { type BatchLayout, type NetworkTopology, topologyFromBatches } from "../topology.js";
import { activationByName } from "./activation_registry.js";
import { NetworkFileError, UnregisteredActivationError } from "./errors.js";
import { NETWORK_FORMAT, NETWORK_FORMAT_VERSION, type NetworkDescription, PARAMETER_GROUPS, type ParameterGroup } from "./format.js";
import { WeightLayoutRule } from "../weight_layout.js";

const OP = "cnx.load";

function fail(why: string, neurons: readonly NeuronId[] = []): never {
  throw new NetworkFileError(`${OP}: ${why}`, { neurons });
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

function neuronList(x: unknown, what: string): NeuronId[] {
  if (!Array.isArray(x) || !x.every(isNeuronId)) fail(`${what} must be a list of neuron ids (numbers or strings)`);
  return x.slice();
}

/** The description stored in the file's metadata, with every field's type checked. */
function readDescription(bytes: Uint8Array): NetworkDescription {
  let metadata: Readonly<Record<string, string>>;
  try {
    metadata = tree.serialisedMetadata(bytes);
  } catch (e) {
    if (e instanceof SerialisationError) throw new NetworkFileError(`${OP}: not a readable network file: ${e.message}`, { cause: e });
    throw e;
  }
  if (metadata.format !== NETWORK_FORMAT) {
    fail(`not a connex network file (its metadata "format" is ${metadata.format === undefined ? "missing" : JSON.stringify(metadata.format)}, expected ${JSON.stringify(NETWORK_FORMAT)})`);
  }
  if (metadata.version !== String(NETWORK_FORMAT_VERSION)) {
    fail(`the file has format version ${JSON.stringify(metadata.version)}; this version of connex reads version ${NETWORK_FORMAT_VERSION}`);
  }
  let d: unknown;
  try {
    d = JSON.parse(metadata.network ?? "");
  } catch (e) {
    throw new NetworkFileError(`${OP}: the network description is not valid JSON (${(e as Error).message})`, { cause: e });
  }
  if (!isRecord(d)) fail("the network description must be a JSON object");
  const neurons = neuronList(d.neurons, "neurons");
  const n = neurons.length;
  const adjacency = (x: unknown, what: string): number[][] => {
    if (!Array.isArray(x) || x.length !== n) fail(`${what} must have one list per neuron (${n})`);
    return x.map((list, i) => {
      if (!Array.isArray(list) || !list.every((j) => Number.isInteger(j) && j >= 0 && j < n)) {
        fail(`${what} of neuron ${isNeuronId(neurons[i]) ? formatNeuron(neurons[i]!) : i} must list neuron indices in [0, ${n})`);
      }
      return list.slice() as number[];
    });
  };
  const features = d.features;
  if (!isRecord(features) || !["topoNorm", "topoSelfAttention", "neuronSelfAttention", "adaptiveActivations"].every((k) => typeof features[k] === "boolean")) {
    fail("features must be { topoNorm, topoSelfAttention, neuronSelfAttention, adaptiveActivations } booleans");
  }
  if (d.dtype !== "float32" && d.dtype !== "float64") fail(`dtype must be "float32" or "float64", got ${JSON.stringify(d.dtype)}`);
  const dropoutSeen = new Set<number>();
  const validDropout = (e: unknown) =>
    Array.isArray(e) && e.length === 2 && Number.isInteger(e[0]) && e[0] >= 0 && e[0] < n && !dropoutSeen.has(e[0]) && dropoutSeen.add(e[0]) && typeof e[1] === "number" && e[1] >= 0 && e[1] <= 1;
  if (!Array.isArray(d.dropout) || d.dropout.length !== n || !d.dropout.every(validDropout)) {
    fail(`dropout must list [neuron index, probability in [0, 1]] once for each of the ${n} neurons`);
  }
  if (!Array.isArray(d.hiddenBatches)) fail("hiddenBatches must be a list of neuron lists");
  const groups = d.parameterGroups;
  if (!Array.isArray(groups) || !groups.every((g) => Array.isArray(g) && g.every((x) => (PARAMETER_GROUPS as readonly unknown[]).includes(x)))) {
    fail(`parameterGroups must list, per batch, some of ${PARAMETER_GROUPS.join(", ")}`);
  }
  if (typeof d.hiddenActivation !== "string" || typeof d.outputTransformation !== "string") fail("hiddenActivation and outputTransformation must be names");
  let weightLayout: WeightLayoutRule;
  try {
    weightLayout = WeightLayoutRule.resolve(d.weightLayout);
  } catch (e) {
    if (e instanceof ConnexError) throw new NetworkFileError(`${OP}: ${e.message}`, { cause: e });
    throw e;
  }
  return {
    neurons,
    successors: adjacency(d.successors, "successors"),
    predecessors: adjacency(d.predecessors, "predecessors"),
    inputNeurons: neuronList(d.inputNeurons, "inputNeurons"),
    outputNeurons: neuronList(d.outputNeurons, "outputNeurons"),
    hiddenBatches: d.hiddenBatches.map((b, i) => neuronList(b, `hiddenBatches[${i}]`)),
    dropout: d.dropout.map((e) => [e[0], e[1]] as [number, number]),
    features: { ...(features as NetworkDescription["features"]) },
    dtype: d.dtype,
    hiddenActivation: d.hiddenActivation,
    outputTransformation: d.outputTransformation,
    parameterGroups: (groups as ParameterGroup[][]).map((g) => g.slice()),
    weightLayout: weightLayout.option,
  };
}

/** The graph of the description; the two adjacency directions must describe the same edges. */
function graphOf(d: NetworkDescription): DirectedGraph {
  const seen = new Set<NeuronId>();
  for (const id of d.neurons) {
    if (seen.has(id)) fail(`neuron ${formatNeuron(id)} is listed twice`, [id]);
    seen.add(id);
  }
  const successors = new Map<NeuronId, NeuronId[]>();
  const predecessors = new Map<NeuronId, NeuronId[]>();
  const edgeKeys = new Set<string>();
  let numEdges = 0;
  d.neurons.forEach((id, i) => {
    successors.set(id, d.successors[i]!.map((j) => d.neurons[j]!));
    predecessors.set(id, d.predecessors[i]!.map((j) => d.neurons[j]!));
    for (const j of d.successors[i]!) {
      const key = `${i}>${j}`;
      if (edgeKeys.has(key)) fail(`the edge ${formatNeuron(id)} -> ${formatNeuron(d.neurons[j]!)} is listed twice`, [id, d.neurons[j]!]);
      edgeKeys.add(key);
      numEdges++;
    }
  });
  let mirrored = 0;
  d.predecessors.forEach((preds, j) => {
    for (const i of preds) {
      if (!edgeKeys.has(`${i}>${j}`)) fail(`predecessors list the edge ${formatNeuron(d.neurons[i]!)} -> ${formatNeuron(d.neurons[j]!)}, which successors do not`, [d.neurons[i]!, d.neurons[j]!]);
      mirrored++;
    }
  });
  if (mirrored !== numEdges) fail(`successors list ${numEdges} edges but predecessors list ${mirrored}`);
  return { neurons: d.neurons, successors, predecessors, numEdges };
}

/** The topology of the stored batches, after checking they are a valid firing order. */
function topologyOf(d: NetworkDescription, graph: DirectedGraph): NetworkTopology {
  const inputs = new Set(d.inputNeurons);
  const outputs = new Set(d.outputNeurons);
  const batchOf = new Map<NeuronId, number>();
  for (const n of d.inputNeurons) batchOf.set(n, -1);
  d.hiddenBatches.forEach((batch, b) => {
    if (batch.length === 0) fail(`hidden batch ${b} is empty`);
    for (const n of batch) {
      if (!graph.successors.has(n)) fail(`hidden batch ${b} lists neuron ${formatNeuron(n)}, which is not in the graph`, [n]);
      if (inputs.has(n) || outputs.has(n) || batchOf.has(n)) fail(`neuron ${formatNeuron(n)} is placed twice (in hidden batch ${b} and elsewhere)`, [n]);
      batchOf.set(n, b);
    }
  });
  const unplaced = graph.neurons.filter((n) => !batchOf.has(n) && !outputs.has(n));
  if (unplaced.length > 0) fail(`hidden ${unplaced.length === 1 ? "neuron" : "neurons"} ${unplaced.map(formatNeuron).join(", ")} ${unplaced.length === 1 ? "is" : "are"} in no batch`, unplaced);
  for (const [n, b] of batchOf) {
    for (const p of graph.predecessors.get(n)!) {
      const pb = batchOf.get(p);
      if (pb === undefined || pb >= b) fail(`the edge ${formatNeuron(p)} -> ${formatNeuron(n)} does not point to a later batch`, [p, n]);
    }
  }
  return topologyFromBatches(graph, d.inputNeurons, d.outputNeurons, d.hiddenBatches);
}

/** A record of zeros with the shapes the layout implies: the `like` tree for loading. */
function skeletonRecord(layout: BatchLayout, groups: readonly ParameterGroup[], dtype: "float32" | "float64"): TopoBatchParameters {
  const size = layout.neurons.length;
  const width = layout.inputEnd - layout.inputStart;
  const zeros = (shape: number[]): Tensor => np.zeros(shape, { dtype });
  const attention = (lead: number[]): AttentionParameters => ({
    queryWeight: zeros([...lead, width, width]),
    queryBias: zeros([...lead, width]),
    keyWeight: zeros([...lead, width, width]),
    keyBias: zeros([...lead, width]),
    valueWeight: zeros([...lead, width, width]),
    valueBias: zeros([...lead, width]),
  });
  const has = (g: ParameterGroup) => groups.includes(g);
  return {
    weights: zeros([size, width]),
    biases: zeros([size]),
    mask: np.zeros([size, width], { dtype: "bool" }),
    topoNorm: has("topoNorm") ? { gamma: zeros([width]), beta: zeros([width]) } : null,
    topoSelfAttention: has("topoSelfAttention") ? attention([]) : null,
    neuronSelfAttention: has("neuronSelfAttention") ? attention([size]) : null,
    adaptiveActivation: has("adaptiveActivation") ? { a: zeros([size]), b: zeros([size]) } : null,
  };
}

function sameBits(a: Tensor, b: Tensor): boolean {
  const x = a.toTypedArray();
  const y = b.toTypedArray();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function build(bytes: Uint8Array): NeuralNetwork {
  const d = readDescription(bytes);
  const graph = graphOf(d);
  validateRoles(graph, d.inputNeurons, d.outputNeurons);
  assertAcyclic(graph);
  const topology = topologyOf(d, graph);
  const dropout = new Map<NeuronId, number>(d.dropout.map(([i, p]) => [d.neurons[i]!, p]));
  const features: NetworkFeatures = Object.freeze({ ...d.features });
  const structure = new NetworkStructure(graph, topology, dropout, features, d.dtype, d.weightLayout);
  if (d.parameterGroups.length !== topology.batches.length) {
    fail(`parameterGroups has ${d.parameterGroups.length} entries for ${topology.batches.length} batches`);
  }
  const like = NeuralNetwork.fromParts({
    structure,
    batchParameters: topology.batches.map((layout, b) => skeletonRecord(layout, d.parameterGroups[b]!, d.dtype)),
    hiddenActivation: activationByName(d.hiddenActivation, "hiddenActivation"),
    outputTransformation: activationByName(d.outputTransformation, "outputTransformation"),
  });
  let network: NeuralNetwork;
  try {
    network = tree.deserialiseLeaves(like, bytes);
  } catch (e) {
    if (e instanceof SerialisationError) throw new NetworkFileError(`${OP}: the parameters do not fit the stored network: ${e.message}`, { cause: e });
    throw e;
  }
  topology.batches.forEach((layout, b) => {
    if (!sameBits(network.batchParameters[b]!.mask, batchMask(layout))) {
      fail(`the mask of batch ${b} disagrees with the graph's edges into neurons ${layout.neurons.map(formatNeuron).join(", ")}`, layout.neurons);
    }
  });
  // Files hold weight blocks; each batch stores its weights as the network's rule says.
  const { weightLayouts } = structure;
  if (weightLayouts.every((l) => l.storage === "block")) return network;
  const batchParameters = network.batchParameters.map((p, b) => {
    const weights = weightLayouts[b]!.fromBlockTensor(p.weights);
    return weights === p.weights ? p : { ...p, weights };
  });
  return NeuralNetwork.fromParts({ ...network, batchParameters });
}

/**
 * The network saved in `bytes` by `cnx.save`: same graph, neuron order, topological batches,
 * options, dropout map, activations and bit-identical parameters. Activations are looked up by
 * name: custom ones must be registered (`cnx.registerActivation`) in this process first.
 * Throws `NetworkFileError` for corrupt, truncated or inconsistent files (nothing is built),
 * `UnregisteredActivationError` for unknown activation names.
 *
 * @example
 * const network = cnx.load(fs.readFileSync("net.safetensors"));
 */
export function load(bytes: Uint8Array): NeuralNetwork {
  try {
    return build(bytes);
  } catch (e) {
    if (e instanceof ConnexError && !(e instanceof NetworkFileError) && !(e instanceof UnregisteredActivationError)) {
      // A role, cycle or other graph error raised while validating the stored graph.
      throw new NetworkFileError(`${OP}: the stored network is invalid: ${e.message}`, { cause: e, neurons: e.neurons });
    }
    throw e;
  }
}
