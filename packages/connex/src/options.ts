/**
 * The options of `NeuralNetwork` (and of `nn.MLP`/`nn.DenseMLP`), and their normalisation:
 * feature switches, parameter dtype, and per-neuron dropout probabilities.
 */
import type { DType, Tensor } from "@connex/core";
import type { CoversAll } from "./arguments.js";
import type { Activation } from "./activation.js";
import { DropoutProbabilityError, InvalidOptionError, UnknownNeuronError } from "./errors.js";
import type { GraphInput } from "./graph.js";
import type { WeightInitializer } from "./init.js";
import { formatNeuron, formatNeurons, neuronIdFromKey, type NeuronId } from "./neuron_id.js";
import type { WeightLayoutOption } from "./weight_layout.js";

/** Dropout probabilities: one number for every hidden neuron, or per neuron (others 0). */
export type DropoutSpec = number | ReadonlyMap<NeuronId, number> | Readonly<Record<string, number>>;

/** Options shared by `NeuralNetwork`, `nn.MLP` and `nn.DenseMLP`. */
export interface NetworkOptions {
  /** Elementwise activation of hidden neurons (default `nn.gelu`); may be a trainable Module. */
  hiddenActivation?: Activation;
  /** Applied to the whole output vector (e.g. `nn.softmax`; default identity); may be a Module. */
  outputTransformation?: Activation;
  /** Dropout probability of every hidden neuron, or a map neuron -> p (unlisted neurons: 0). */
  dropoutP?: DropoutSpec;
  /** Layer norm over each topological batch's collective inputs, with learnable gamma/beta. */
  useTopoNorm?: boolean;
  /** Single-head self-attention over each batch's collective inputs, plus a skip connection. */
  useTopoSelfAttention?: boolean;
  /** Per-neuron single-head self-attention over the neuron's own inputs, plus a skip connection. */
  useNeuronSelfAttention?: boolean;
  /** Hidden activations become `a * sigma(b * x)` with trainable per-neuron `a`, `b`. */
  useAdaptiveActivations?: boolean;
  /** A topological order of all neurons; the hidden neurons are batched greedily along it. */
  topoSort?: readonly NeuronId[];
  /** Key for parameter initialisation (default `random.key(0)`). */
  key?: Tensor;
  /** Parameter dtype: `"float32"` (default) or `"float64"`. */
  dtype?: "float32" | "float64";
  /** Draws each batch's `[size, width + 1]` weight-and-bias block (default N(0, 0.1²)). */
  init?: WeightInitializer;
  /**
   * How each topological batch stores and multiplies its weights, chosen per batch from its
   * density (edges / block entries): `"auto"` (default: batches at most 50 % dense take the
   * sparse product, and those of them with at least 512 block entries store one weight per
   * edge), `"dense"` (masked blocks everywhere), `"sparse"` (sparse product and per-edge
   * weights everywhere) or `{ maxSparseDensity, minEdgeStorageEntries? }`. Part of the
   * network's structure: kept by plasticity and by `save`/`load`.
   */
  weightLayout?: WeightLayoutOption;
}

/** Everything `new NeuralNetwork(...)` takes. */
/** The names of {@link NetworkOptions} (an options object with any other name is rejected). */
export const NETWORK_OPTION_NAMES = [
  "hiddenActivation",
  "outputTransformation",
  "dropoutP",
  "useTopoNorm",
  "useTopoSelfAttention",
  "useNeuronSelfAttention",
  "useAdaptiveActivations",
  "topoSort",
  "key",
  "dtype",
  "init",
  "weightLayout",
] as const;
const networkOptionsCovered: CoversAll<NetworkOptions, typeof NETWORK_OPTION_NAMES> = true;
void networkOptionsCovered;

export interface NeuralNetworkSpec extends NetworkOptions {
  /** Edge list, adjacency object (keys spelling integers mean numbers) or `Map`. */
  graph: GraphInput;
  /** Input neurons, in the order the entries of `x` are written to them. */
  inputNeurons: readonly NeuronId[];
  /** Output neurons, in the order `forward` returns their values. */
  outputNeurons: readonly NeuronId[];
  /** Extra neurons, e.g. isolated ones that appear in no edge. */
  neurons?: readonly NeuronId[];
}

/** The names of {@link NeuralNetworkSpec}. */
export const NETWORK_SPEC_NAMES = ["graph", "inputNeurons", "outputNeurons", "neurons", ...NETWORK_OPTION_NAMES] as const;
const networkSpecCovered: CoversAll<NeuralNetworkSpec, typeof NETWORK_SPEC_NAMES> = true;
void networkSpecCovered;

/** The feature switches, normalised to booleans. */
export interface NetworkFeatures {
  readonly topoNorm: boolean;
  readonly topoSelfAttention: boolean;
  readonly neuronSelfAttention: boolean;
  readonly adaptiveActivations: boolean;
}

function flag(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean") throw new InvalidOptionError(`${name}: expected a boolean, got ${typeof value}`);
  return value;
}

/**
 * The feature switches of `options`, checked to be booleans when given.
 *
 * @example
 * resolveFeatures({ useTopoNorm: true }).topoNorm; // true
 */
export function resolveFeatures(options: NetworkOptions): NetworkFeatures {
  return Object.freeze({
    topoNorm: flag(options.useTopoNorm, "useTopoNorm"),
    topoSelfAttention: flag(options.useTopoSelfAttention, "useTopoSelfAttention"),
    neuronSelfAttention: flag(options.useNeuronSelfAttention, "useNeuronSelfAttention"),
    adaptiveActivations: flag(options.useAdaptiveActivations, "useAdaptiveActivations"),
  });
}

/**
 * The parameter dtype of `options` (default float32).
 *
 * @example
 * resolveDType({ dtype: "float64" }); // "float64"
 */
export function resolveDType(options: NetworkOptions): DType {
  const d = options.dtype ?? "float32";
  if (d !== "float32" && d !== "float64") throw new InvalidOptionError(`dtype: expected "float32" or "float64", got ${JSON.stringify(d)}`);
  return d;
}

function checkProbability(p: unknown, where: string, neuron?: NeuronId): number {
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
    const who = neuron === undefined ? "" : ` of neuron ${formatNeuron(neuron)}`;
    throw new DropoutProbabilityError(`${where}: the dropout probability${who} must be a number in [0, 1], got ${typeof p === "number" ? p : typeof p}`, neuron === undefined ? [] : [neuron]);
  }
  return p;
}

/**
 * The entries of a per-neuron dropout map (adjacency-object key rules for plain objects).
 *
 * @example
 * dropoutEntries({ 3: 0.5 }); // [[3, 0.5]]
 */
export function dropoutEntries(spec: ReadonlyMap<NeuronId, number> | Readonly<Record<string, number>>): [NeuronId, unknown][] {
  if (spec instanceof Map) return [...spec.entries()];
  return Object.keys(spec).map((k) => [neuronIdFromKey(k), (spec as Record<string, unknown>)[k]]);
}

/**
 * Per-neuron dropout probabilities for every neuron. A number applies to every hidden neuron
 * (inputs and outputs get 0); a map sets the listed neurons (any kind) and leaves the rest at
 * `base` (0 for a new network). Throws `DropoutProbabilityError` for values outside [0, 1] and
 * `UnknownNeuronError` for neurons not in the network.
 *
 * @example
 * resolveDropout(0.1, [0, 1, 2], [1]).get(1); // 0.1
 */
export function resolveDropout(
  spec: DropoutSpec | undefined,
  neurons: readonly NeuronId[],
  hiddenNeurons: readonly NeuronId[],
  base?: ReadonlyMap<NeuronId, number>,
): Map<NeuronId, number> {
  const out = new Map<NeuronId, number>();
  for (const n of neurons) out.set(n, base?.get(n) ?? 0);
  if (spec === undefined) return out;
  if (typeof spec === "number") {
    const p = checkProbability(spec, "dropoutP");
    for (const n of neurons) out.set(n, 0);
    for (const n of hiddenNeurons) out.set(n, p);
    return out;
  }
  if (typeof spec !== "object" || spec === null) {
    throw new DropoutProbabilityError(`dropoutP: expected a number or a map neuron -> probability, got ${spec === null ? "null" : typeof spec}`);
  }
  const entries = dropoutEntries(spec);
  const unknown = entries.map(([n]) => n).filter((n) => !out.has(n));
  if (unknown.length > 0) {
    throw new UnknownNeuronError(`dropoutP: ${unknown.length === 1 ? "neuron" : "neurons"} ${formatNeurons(unknown)} ${unknown.length === 1 ? "is" : "are"} not in the network`, unknown);
  }
  for (const [n, p] of entries) out.set(n, checkProbability(p, "dropoutP", n));
  return out;
}
