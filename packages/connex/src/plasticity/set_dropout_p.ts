/**
 * `setDropoutP`: change dropout probabilities.
 */
import { ConnexError } from "../errors.js";
import { NeuralNetwork } from "../network.js";
import { resolveDropout, type DropoutSpec } from "../options.js";

const OP = "setDropoutP";

/**
 * A new network with new dropout probabilities. A number sets every hidden neuron (inputs and
 * outputs get 0); a map (or adjacency-style object) sets the listed neurons, of any kind, and
 * keeps the others. Values outside [0, 1] throw `DropoutProbabilityError`, unknown neurons
 * `UnknownNeuronError`. Graph, layout and every parameter record are shared (`===`).
 *
 * @example
 * setDropoutP(net, new Map([[4, 0.5]])).dropoutP.get(4); // 0.5
 */
export function setDropoutP(network: NeuralNetwork, p: DropoutSpec): NeuralNetwork {
  const { topology, dropout } = network.structure;
  let resolved: Map<number | string, number>;
  try {
    resolved = resolveDropout(p, topology.order, topology.hiddenNeurons, dropout);
  } catch (e) {
    if (e instanceof ConnexError) {
      const Kind = e.constructor as new (message: string, neurons: readonly (number | string)[]) => ConnexError;
      throw new Kind(`${OP}: ${e.message}`, e.neurons);
    }
    throw e;
  }
  return NeuralNetwork.fromParts({
    structure: network.structure.withDropout(resolved),
    batchParameters: network.batchParameters,
    hiddenActivation: network.hiddenActivation,
    outputTransformation: network.outputTransformation,
  });
}
