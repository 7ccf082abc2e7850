/**
 * The connex network file: a safetensors file whose tensors are the network's parameters
 * (named by path, e.g. `batchParameters.0.weights`, `batchParameters.2.topoNorm.gamma`) and
 * whose `__metadata__` holds, as strings:
 *
 * - `format`: `"connex.network"`, `version`: `"1"`;
 * - `network`: the JSON `NetworkDescription` below: everything that is not a parameter.
 *
 * Neurons are listed once, in graph order; adjacency lists refer to them by index (in their
 * original order), so ids keep their type (`1` and `"1"` stay distinct) and the file stays
 * compact. Python reads it with `json.loads(metadata["network"])`.
 */
import type { NeuronId } from "../neuron_id.js";
import type { WeightLayoutOption } from "../weight_layout.js";

/** The `format` metadata value that marks a connex network file. */
export const NETWORK_FORMAT = "connex.network";
/** The version this code writes; it reads this version only. */
export const NETWORK_FORMAT_VERSION = 1;

/** The optional parameter groups of a batch record, as named in `TopoBatchParameters`. */
export const PARAMETER_GROUPS = ["topoNorm", "topoSelfAttention", "neuronSelfAttention", "adaptiveActivation"] as const;
/** One of `PARAMETER_GROUPS`. */
export type ParameterGroup = (typeof PARAMETER_GROUPS)[number];

/** Everything about a network that is not a parameter, as stored in the file. */
export interface NetworkDescription {
  /** Every neuron, in graph order (`structure.graph.neurons`). */
  neurons: NeuronId[];
  /** `successors[i]`: indices (into `neurons`) of neuron `i`'s successors, in order. */
  successors: number[][];
  /** `predecessors[i]`: indices of neuron `i`'s predecessors, in order. */
  predecessors: number[][];
  inputNeurons: NeuronId[];
  outputNeurons: NeuronId[];
  /** The hidden topological batches, in firing order (the output batch is `outputNeurons`). */
  hiddenBatches: NeuronId[][];
  /** `[neuron index, p]` for every neuron, in the order of the network's dropout map. */
  dropout: [number, number][];
  features: { topoNorm: boolean; topoSelfAttention: boolean; neuronSelfAttention: boolean; adaptiveActivations: boolean };
  dtype: "float32" | "float64";
  /**
   * The network's `weightLayout` option (a preset name or the thresholds). Files written before
   * the option existed have none and load with `"auto"`, the rule they were built with by default.
   * The tensors always hold weight blocks; loading stores them as the rule says.
   */
  weightLayout?: WeightLayoutOption;
  /** Registered names (see `registerActivation`). */
  hiddenActivation: string;
  outputTransformation: string;
  /** For each batch (hidden batches, then the output batch), its non-null optional groups. */
  parameterGroups: ParameterGroup[][];
}
