/**
 * Errors of saving and loading networks. Both are `ConnexError`s, so one `catch` covers every
 * invalid input to `connex`.
 */
import { ConnexError } from "../errors.js";
import type { NeuronId } from "../neuron_id.js";

/**
 * Bytes that `cnx.load` cannot turn into a network: not a safetensors file, truncated, not a
 * connex network file, a newer format version, or a description or parameter that is
 * inconsistent (unknown neurons, a cycle, a tensor of the wrong shape, a mask that disagrees
 * with the graph). Nothing is built when it is thrown. `cause` holds the underlying error.
 *
 * @example
 * try { cnx.load(bytes.subarray(0, 100)); } catch (e) { e instanceof NetworkFileError; } // true
 */
export class NetworkFileError extends ConnexError {
  constructor(message: string, options: { cause?: unknown; neurons?: readonly NeuronId[] } = {}) {
    super(message, options.neurons ?? []);
    if (options.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

/**
 * An activation without a registered name: `cnx.save` met a custom activation that was never
 * passed to `cnx.registerActivation`, or `cnx.load` read a name nobody registered (in this
 * process). Also thrown for invalid registrations (a name taken by another activation).
 *
 * @example
 * cnx.save(new NeuralNetwork({ ...spec, hiddenActivation: (x) => np.tanh(x) })); // throws UnregisteredActivationError
 */
export class UnregisteredActivationError extends ConnexError {}
