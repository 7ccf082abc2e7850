/**
 * `cnx.safe`: the plasticity functions as total functions returning fp-ts
 * `Either<ConnexError, NeuralNetwork>`: an invalid edit (unknown neuron, cycle, ...) is a
 * `Left` with the typed error; anything that is not a `ConnexError` (a bug) is still thrown.
 *
 * ```ts
 * const result = cnx.safe.addConnections(net, [[5, 2]]);
 * if (E.isLeft(result)) console.log(result.left.message); // "... the cycle 2 -> 5 -> 2"
 * ```
 */
import * as E from "fp-ts/lib/Either.js";
import { ConnexError } from "./errors.js";
import type { GraphInput } from "./graph.js";
import type { NeuralNetwork } from "./network.js";
import type { NeuronId } from "./neuron_id.js";
import type { DropoutSpec } from "./options.js";
import * as plasticity from "./plasticity/index.js";
import type { EditOptions } from "./plasticity/edit_options.js";

/** The result of a safe edit. */
export type EditResult = E.Either<ConnexError, NeuralNetwork>;

/**
 * `Right` of `edit()`, or `Left` of the `ConnexError` it throws (other errors propagate).
 *
 * @example
 * attempt(() => plasticity.removeNeurons(net, [99])); // Left(UnknownNeuronError)
 */
export function attempt(edit: () => NeuralNetwork): EditResult {
  try {
    return E.right(edit());
  } catch (e) {
    if (e instanceof ConnexError) return E.left(e);
    throw e;
  }
}

/**
 * `addConnections` returning `Either`.
 *
 * @example
 * addConnections(net, [[0, 3]]); // Right(network)
 */
export const addConnections = (network: NeuralNetwork, connections: GraphInput, options?: EditOptions): EditResult =>
  attempt(() => plasticity.addConnections(network, connections, options));

/**
 * `removeConnections` returning `Either`.
 *
 * @example
 * removeConnections(net, [[0, 99]]); // Left(UnknownNeuronError)
 */
export const removeConnections = (network: NeuralNetwork, connections: GraphInput): EditResult =>
  attempt(() => plasticity.removeConnections(network, connections));

/**
 * `addInputNeurons` returning `Either`.
 *
 * @example
 * addInputNeurons(net, [0]); // Left(DuplicateNeuronError) when 0 exists
 */
export const addInputNeurons = (network: NeuralNetwork, ids: readonly NeuronId[], options?: EditOptions): EditResult =>
  attempt(() => plasticity.addInputNeurons(network, ids, options));

/**
 * `addHiddenNeurons` returning `Either`.
 *
 * @example
 * addHiddenNeurons(net, [100]); // Right(network)
 */
export const addHiddenNeurons = (network: NeuralNetwork, ids: readonly NeuronId[], options?: EditOptions): EditResult =>
  attempt(() => plasticity.addHiddenNeurons(network, ids, options));

/**
 * `addOutputNeurons` returning `Either`.
 *
 * @example
 * addOutputNeurons(net, ["y2"]); // Right(network)
 */
export const addOutputNeurons = (network: NeuralNetwork, ids: readonly NeuronId[], options?: EditOptions): EditResult =>
  attempt(() => plasticity.addOutputNeurons(network, ids, options));

/**
 * `removeNeurons` returning `Either`.
 *
 * @example
 * removeNeurons(net, net.inputNeurons); // Left(EmptyNeuronListError)
 */
export const removeNeurons = (network: NeuralNetwork, ids: readonly NeuronId[]): EditResult => attempt(() => plasticity.removeNeurons(network, ids));

/**
 * `setDropoutP` returning `Either`.
 *
 * @example
 * setDropoutP(net, 2); // Left(DropoutProbabilityError)
 */
export const setDropoutP = (network: NeuralNetwork, p: DropoutSpec): EditResult => attempt(() => plasticity.setDropoutP(network, p));
