/**
 * `cnx.pipeable`: the plasticity functions in data-last, curried form, for fp-ts `pipe` / `flow`:
 *
 * ```ts
 * import { pipe } from "fp-ts/function";
 * const edited = pipe(net, cnx.pipeable.addConnections([[0, 9]]), cnx.pipeable.removeNeurons([4]));
 * ```
 *
 * Each throws exactly as its data-first counterpart (see `cnx.safe` for `Either` results).
 */
import type { GraphInput } from "./graph.js";
import type { NeuralNetwork } from "./network.js";
import type { NeuronId } from "./neuron_id.js";
import type { DropoutSpec } from "./options.js";
import * as plasticity from "./plasticity/index.js";
import type { EditOptions } from "./plasticity/edit_options.js";

/** A network edit, ready to apply: what `pipe` chains. */
export type NetworkEndo = (network: NeuralNetwork) => NeuralNetwork;

/**
 * Data-last `addConnections`.
 *
 * @example
 * pipe(net, addConnections([[0, 3]], { key: random.key(1) }));
 */
export const addConnections =
  (connections: GraphInput, options?: EditOptions): NetworkEndo =>
  (network) =>
    plasticity.addConnections(network, connections, options);

/**
 * Data-last `removeConnections`.
 *
 * @example
 * pipe(net, removeConnections({ 0: [3] }));
 */
export const removeConnections =
  (connections: GraphInput): NetworkEndo =>
  (network) =>
    plasticity.removeConnections(network, connections);

/**
 * Data-last `addInputNeurons`.
 *
 * @example
 * pipe(net, addInputNeurons(["x2"]));
 */
export const addInputNeurons =
  (ids: readonly NeuronId[], options?: EditOptions): NetworkEndo =>
  (network) =>
    plasticity.addInputNeurons(network, ids, options);

/**
 * Data-last `addHiddenNeurons`.
 *
 * @example
 * pipe(net, addHiddenNeurons([100]), addConnections([[0, 100], [100, 3]]));
 */
export const addHiddenNeurons =
  (ids: readonly NeuronId[], options?: EditOptions): NetworkEndo =>
  (network) =>
    plasticity.addHiddenNeurons(network, ids, options);

/**
 * Data-last `addOutputNeurons`.
 *
 * @example
 * pipe(net, addOutputNeurons(["y2"]));
 */
export const addOutputNeurons =
  (ids: readonly NeuronId[], options?: EditOptions): NetworkEndo =>
  (network) =>
    plasticity.addOutputNeurons(network, ids, options);

/**
 * Data-last `removeNeurons`.
 *
 * @example
 * pipe(net, removeNeurons([9]));
 */
export const removeNeurons =
  (ids: readonly NeuronId[]): NetworkEndo =>
  (network) =>
    plasticity.removeNeurons(network, ids);

/**
 * Data-last `setDropoutP`.
 *
 * @example
 * pipe(net, setDropoutP(0.1));
 */
export const setDropoutP =
  (p: DropoutSpec): NetworkEndo =>
  (network) =>
    plasticity.setDropoutP(network, p);
