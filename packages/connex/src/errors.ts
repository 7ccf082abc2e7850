/**
 * Typed errors of `connex`. Every invalid network description throws a subclass of
 * `ConnexError` whose message names the offending neurons, and whose `neurons` field lists
 * them for programs that want to react (e.g. drop a bad edge and retry).
 */
import type { NeuronId } from "./neuron_id.js";

/**
 * Base class of every error raised by `connex`.
 *
 * @example
 * try { new NeuralNetwork({ graph: [[0, 1], [1, 0]], inputNeurons: [0], outputNeurons: [1] }); } catch (e) { e instanceof ConnexError; } // true
 */
export class ConnexError extends Error {
  /** The neurons the message is about (empty when the error is not about particular neurons). */
  readonly neurons: readonly NeuronId[];

  constructor(message: string, neurons: readonly NeuronId[] = []) {
    super(message);
    this.name = new.target.name;
    this.neurons = Object.freeze(neurons.slice());
  }
}

/**
 * The graph data is malformed: not an edge list, adjacency object or `Map`; an entry that is
 * not a `[from, to]` pair; a neuron id that is neither a number nor a string.
 *
 * @example
 * new NeuralNetwork({ graph: [[0]] as never, inputNeurons: [0], outputNeurons: [1] }); // throws InvalidGraphError
 */
export class InvalidGraphError extends ConnexError {}

/**
 * A neuron named in `inputNeurons`, `outputNeurons`, `topoSort` or `dropoutP` is not in the graph.
 *
 * @example
 * new NeuralNetwork({ graph: { 0: [1] }, inputNeurons: [0], outputNeurons: [7] }); // throws UnknownNeuronError naming 7
 */
export class UnknownNeuronError extends ConnexError {}

/**
 * A neuron listed twice where each neuron may appear once, or an edge given twice.
 *
 * @example
 * new NeuralNetwork({ graph: { 0: [1] }, inputNeurons: [0, 0], outputNeurons: [1] }); // throws DuplicateNeuronError naming 0
 */
export class DuplicateNeuronError extends ConnexError {}

/**
 * `inputNeurons` or `outputNeurons` is empty.
 *
 * @example
 * new NeuralNetwork({ graph: { 0: [1] }, inputNeurons: [], outputNeurons: [1] }); // throws EmptyNeuronListError
 */
export class EmptyNeuronListError extends ConnexError {}

/**
 * A neuron is both an input and an output neuron.
 *
 * @example
 * new NeuralNetwork({ graph: { 0: [1] }, inputNeurons: [0], outputNeurons: [0, 1] }); // throws InputOutputOverlapError naming 0
 */
export class InputOutputOverlapError extends ConnexError {}

/**
 * An input neuron has incoming edges (inputs only receive data from `x`).
 *
 * @example
 * new NeuralNetwork({ graph: { 0: [1], 1: [2] }, inputNeurons: [0, 1], outputNeurons: [2] }); // throws InputNeuronEdgeError naming 1
 */
export class InputNeuronEdgeError extends ConnexError {}

/**
 * An output neuron has outgoing edges (outputs feed nothing; their values are the result).
 *
 * @example
 * new NeuralNetwork({ graph: { 0: [1], 1: [2] }, inputNeurons: [0], outputNeurons: [1, 2] }); // throws OutputNeuronEdgeError naming 1
 */
export class OutputNeuronEdgeError extends ConnexError {}

/**
 * The graph has a directed cycle; `cycle` is one of them, first neuron repeated at the end.
 *
 * @example
 * new NeuralNetwork({ graph: { 0: [1], 1: [2], 2: [1, 3] }, inputNeurons: [0], outputNeurons: [3] }); // throws CycleError: 1 -> 2 -> 1
 */
export class CycleError extends ConnexError {
  /** One cycle of the graph, e.g. `[1, 2, 1]`. */
  readonly cycle: readonly NeuronId[];

  constructor(message: string, cycle: readonly NeuronId[]) {
    super(message, cycle.slice(0, -1));
    this.cycle = Object.freeze(cycle.slice());
  }
}

/**
 * `topoSort` is not a topological order of the graph's neurons (an edge points backwards,
 * or a neuron is missing, repeated or unknown).
 *
 * @example
 * new NeuralNetwork({ graph: { 0: [1], 1: [2] }, inputNeurons: [0], outputNeurons: [2], topoSort: [0, 2, 1] }); // throws InvalidTopoSortError
 */
export class InvalidTopoSortError extends ConnexError {}

/**
 * A dropout probability outside `[0, 1]` (or not a number).
 *
 * @example
 * new NeuralNetwork({ graph: { 0: [1], 1: [2] }, inputNeurons: [0], outputNeurons: [2], dropoutP: 1.5 }); // throws DropoutProbabilityError
 */
export class DropoutProbabilityError extends ConnexError {}

/**
 * An activation or output transformation whose output shape differs from its input shape,
 * or that throws when called.
 *
 * @example
 * new NeuralNetwork({ ...spec, outputTransformation: (y) => np.sum(y) }); // throws ActivationShapeError
 */
export class ActivationShapeError extends ConnexError {}

/**
 * A custom `init` returned a tensor of the wrong shape.
 *
 * @example
 * new NeuralNetwork({ ...spec, init: () => np.zeros([1]) }); // throws InitializerShapeError
 */
export class InitializerShapeError extends ConnexError {}

/**
 * An option of the wrong type or out of range (other than dropout probabilities), e.g. a
 * non-boolean `useTopoNorm`, an unsupported `dtype`, or a negative MLP width.
 *
 * @example
 * nn.MLP({ inputSize: 1, outputSize: 1, width: -2, depth: 1 }); // throws InvalidOptionError
 */
export class InvalidOptionError extends ConnexError {}

/**
 * `forward` was given an input of the wrong shape.
 *
 * @example
 * network.forward(np.zeros([3])); // throws InputShapeError when the network has 1 input neuron
 */
export class InputShapeError extends ConnexError {}

/**
 * A network with nonzero dropout was called with neither a `key` nor `inference: true`
 * (as Equinox's `Dropout`: silently skipping dropout while training would be a bug).
 *
 * @example
 * networkWithDropout.forward(x); // throws MissingDropoutKeyError
 */
export class MissingDropoutKeyError extends ConnexError {}
