/**
 * `cnx.save(network)`: a network as bytes (see `format.ts`): the parameters as safetensors
 * tensors, the graph, order, options and dropout map as JSON metadata.
 */
import { tree } from "@connex/core";
import { InvalidOptionError } from "../errors.js";
import { NeuralNetwork } from "../network.js";
import type { NeuronId } from "../neuron_id.js";
import { activationName } from "./activation_registry.js";
import { NETWORK_FORMAT, NETWORK_FORMAT_VERSION, type NetworkDescription, PARAMETER_GROUPS } from "./format.js";

/**
 * The description of everything in `network` that is not a parameter.
 *
 * @example
 * describeNetwork(net).hiddenBatches; // [[1, 2], [4, 5]]
 */
export function describeNetwork(network: NeuralNetwork): NetworkDescription {
  const { graph, topology, dropout, features, dtype } = network.structure;
  const index = new Map<NeuronId, number>(graph.neurons.map((n, i) => [n, i]));
  const indices = (ns: readonly NeuronId[]) => ns.map((n) => index.get(n)!);
  return {
    neurons: graph.neurons.slice(),
    successors: graph.neurons.map((n) => indices(graph.successors.get(n)!)),
    predecessors: graph.neurons.map((n) => indices(graph.predecessors.get(n)!)),
    inputNeurons: topology.inputNeurons.slice(),
    outputNeurons: topology.outputNeurons.slice(),
    hiddenBatches: topology.batches.filter((b) => b.kind === "hidden").map((b) => b.neurons.slice()),
    dropout: [...dropout].map(([n, p]): [number, number] => [index.get(n)!, p]),
    features: { ...features },
    dtype: dtype as "float32" | "float64",
    weightLayout: network.structure.weightLayout.option,
    hiddenActivation: activationName(network.hiddenActivation, "hiddenActivation"),
    outputTransformation: activationName(network.outputTransformation, "outputTransformation"),
    parameterGroups: network.batchParameters.map((record) => PARAMETER_GROUPS.filter((g) => record[g] !== null)),
  };
}

/**
 * A network as bytes: a safetensors file with every parameter (bit-exact) and, in its
 * metadata, the graph, neuron order, topological batches, options, dropout map and activation
 * names. Custom activations must be registered (`cnx.registerActivation`) first. Read it back
 * with `cnx.load`; Python reads the parameters with `safetensors` or NumPy.
 *
 * @example
 * fs.writeFileSync("net.safetensors", cnx.save(network));
 */
export function save(network: NeuralNetwork): Uint8Array {
  // A path (or anything else) after the network would otherwise be ignored and nothing written.
  if (arguments.length > 1) {
    throw new InvalidOptionError(
      `cnx.save: takes only the network and returns the file's bytes (write them with fs.writeFileSync(path, cnx.save(net))); got ${arguments.length - 1} more argument(s)`,
    );
  }
  if (!(network instanceof NeuralNetwork)) {
    throw new InvalidOptionError(`cnx.save: expected a NeuralNetwork, got ${network === null ? "null" : typeof network}`);
  }
  const description = describeNetwork(network);
  return tree.serialiseLeaves(withWeightBlocks(network), {
    metadata: { format: NETWORK_FORMAT, version: String(NETWORK_FORMAT_VERSION), network: JSON.stringify(description) },
  });
}

/**
 * The network with every batch's weights as a `[size, width]` block (files hold blocks, however
 * weights are stored, so a file reads the same whatever rule loads it).
 */
function withWeightBlocks(network: NeuralNetwork): NeuralNetwork {
  const { weightLayouts } = network.structure;
  if (weightLayouts.every((l) => l.storage === "block")) return network;
  const batchParameters = network.batchParameters.map((p, b) => {
    const weights = weightLayouts[b]!.toBlockTensor(p.weights);
    return weights === p.weights ? p : { ...p, weights };
  });
  return NeuralNetwork.fromParts({ ...network, batchParameters });
}
