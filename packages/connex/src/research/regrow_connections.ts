/**
 * `regrowConnections`: random growth of new edges (the regrowth step of sparse evolutionary
 * training, Mocanu et al. 2018), built on `addConnections`, so it is pure, shares every batch it
 * does not touch and draws new weights exactly as `addConnections` does.
 */
import { random, Tensor } from "@connex/core";
import { ConnexError, InputNeuronEdgeError, InvalidOptionError, OutputNeuronEdgeError } from "../errors.js";
import type { Edge, GraphInput } from "../graph.js";
import type { NeuralNetwork } from "../network.js";
import { formatNeuron, type NeuronId } from "../neuron_id.js";
import { unchangedCopy } from "../plasticity/apply_edit.js";
import { addConnections } from "../plasticity/add_connections.js";
import { connectionList } from "../plasticity/connections.js";
import { assertKnown } from "../plasticity/neuron_list.js";
import { rolePairs, sampleAbsentEdges } from "./candidate_sampling.js";
import { IncrementalTopologicalOrder } from "./incremental_order.js";
import { checkedOptions, checkNetwork } from "./options.js";

/**
 * More edges were asked for than there are candidates to grow (absent, with valid roles, and
 * not closing a cycle). `requested` and `available` give the counts.
 *
 * @example
 * cnx.regrowConnections(denseNet, 10, { key }); // throws NotEnoughCandidatesError: 10 requested, 0 available
 */
export class NotEnoughCandidatesError extends ConnexError {
  constructor(
    message: string,
    /** How many edges were asked for. */
    readonly requested: number,
    /** How many could be added. */
    readonly available: number,
  ) {
    super(message);
  }
}

/** Options of `regrowConnections`. */
export interface RegrowOptions {
  /** Key for the choice of edges and their new weights (required: regrowth is random). */
  readonly key: Tensor;
  /**
   * The edges to choose from (an edge list, adjacency object or `Map`). Edges already present
   * are not candidates; an edge into an input or out of an output neuron throws, as in
   * `addConnections`. Default: every absent edge, from any neuron but an output into any
   * neuron but an input, that keeps the graph acyclic (same-batch, skip and backward edges
   * included). To regrow only between consecutive layers, as SET does, pass that layer's
   * absent edges.
   */
  readonly candidates?: GraphInput;
}

const OP = "regrowConnections";

function notEnough(requested: number, available: number, what: string): NotEnoughCandidatesError {
  return new NotEnoughCandidatesError(`${OP}: ${requested} edges requested but only ${available} ${what}`, requested, available);
}

/** The default: `count` absent edges among all those with valid roles that keep the graph a DAG. */
function sampleDefault(network: NeuralNetwork, count: number, key: Tensor): Edge[] {
  const { topology } = network.structure;
  const pairs = rolePairs(topology, network.numEdges);
  if (count > pairs.addable) {
    throw notEnough(count, pairs.addable, "absent edges can be added without closing a cycle (an acyclic graph with valid roles can have no more edges)");
  }
  const chosen = sampleAbsentEdges(topology, pairs, count, new IncrementalTopologicalOrder(topology), key);
  if (chosen.length < count) throw new Error(`${OP}: internal error, ${chosen.length} of ${count} edges found among ${pairs.addable} addable`);
  return chosen.map(([p, q]) => [topology.order[p]!, topology.order[q]!]);
}

/** `count` of the given candidates, in a random order, skipping those that would close a cycle. */
function sampleCandidates(network: NeuralNetwork, count: number, candidates: GraphInput, key: Tensor): Edge[] {
  const edges = connectionList(candidates, OP);
  const { graph, topology } = network.structure;
  assertKnown(graph, edges.flat(), OP);
  const inputs = new Set(topology.inputNeurons);
  const outputs = new Set(topology.outputNeurons);
  for (const [from, to] of edges) {
    if (inputs.has(to)) throw new InputNeuronEdgeError(`${OP}: candidate ${formatNeuron(from)} -> ${formatNeuron(to)} leads into input neuron ${formatNeuron(to)}; input neurons only receive the network's input`, [to, from]);
    if (outputs.has(from)) throw new OutputNeuronEdgeError(`${OP}: candidate ${formatNeuron(from)} -> ${formatNeuron(to)} leaves output neuron ${formatNeuron(from)}; output neurons feed nothing`, [from, to]);
  }
  const successorSets = new Map<NeuronId, Set<NeuronId>>();
  const absent = edges.filter(([from, to]) => {
    let set = successorSets.get(from);
    if (!set) successorSets.set(from, (set = new Set(graph.successors.get(from)!)));
    return !set.has(to);
  });
  if (count > absent.length) throw notEnough(count, absent.length, `of the ${edges.length} candidates are absent from the network`);
  const order = random.permutation(key, absent.length).toTypedArray() as Int32Array;
  const dag = new IncrementalTopologicalOrder(topology);
  const accepted: Edge[] = [];
  for (let i = 0; i < order.length && accepted.length < count; i++) {
    const edge = absent[order[i]!]!;
    if (dag.tryAdd(topology.position.get(edge[0])!, topology.position.get(edge[1])!)) accepted.push(edge);
  }
  if (accepted.length < count) throw notEnough(count, accepted.length, `of the ${absent.length} absent candidates can be added together without closing a cycle`);
  return accepted;
}

/**
 * A new network with `count` new edges chosen at random, deterministically per `key`.
 *
 * Candidates: by default every absent edge `u -> v` (`u !== v`) whose roles are valid (`v` is
 * not an input neuron, `u` is not an output neuron) and that keeps the graph acyclic: edges into
 * a later topological batch, skip edges, edges between neurons of one batch and edges back to an
 * earlier batch whose head does not reach their tail. With `candidates`, only the absent ones
 * among those (present edges are skipped; one into an input or out of an output throws).
 *
 * Distribution: the edges are drawn one after the other without replacement, and each draw is
 * uniform among the candidates still valid at that point: not drawn yet and not closing a cycle
 * with the network's edges plus those drawn before it (so `u -> v` and `v -> u` can never both
 * be drawn). The result is a set of `count` edges whose probability is the sum, over the orders
 * that produce it, of the products of `1 / (valid candidates left)` at each step; it is not
 * uniform over the sets of `count` edges when some candidates exclude each other. By default
 * each draw picks a role-valid pair with a float64 uniform (so uniform up to its 2^-52
 * resolution) and rejects it when invalid; explicit `candidates` are taken in
 * `random.permutation` order, skipping those that would close a cycle, which gives the same
 * sequential distribution.
 *
 * Edges that do not point into a later batch move the neurons they reach into later batches,
 * so the network can get deeper; to keep the layers of an MLP (SET's regrowth), pass the
 * layer's absent edges as `candidates`. The default candidates are never listed unless most
 * pairs are present: pairs are drawn and rejected when present, already drawn or closing a
 * cycle (found through a topological order kept up to date, searching only between the two
 * neurons' places in it), so regrowing LeNet-300-100 costs in proportion to `count`. New
 * weights are drawn as `addConnections` draws them (from a key split from `key`); every other
 * parameter keeps its value and untouched batches are shared. Throws
 * `NotEnoughCandidatesError` (with both counts) when `count` exceeds the edges that can be added
 * together (by default, the edges a DAG with these roles can have beyond the present ones,
 * whatever the choice), `InvalidOptionError` for a bad `count` or a missing key, and
 * `addConnections`'s errors for candidates with unknown neurons or invalid roles.
 *
 * @example
 * const grown = cnx.regrowConnections(pruned, 1000, { key: random.key(epoch) });
 */
export function regrowConnections(network: NeuralNetwork, count: number, options: RegrowOptions): NeuralNetwork {
  checkNetwork(network, OP);
  if (typeof count !== "number" || !Number.isInteger(count) || count < 0) {
    throw new InvalidOptionError(`${OP}: count must be a non-negative integer, got ${typeof count === "number" ? String(count) : typeof count}`);
  }
  const opts = checkedOptions(options, ["key", "candidates"], OP);
  if (!(opts.key instanceof Tensor)) {
    throw new InvalidOptionError(`${OP}: options.key must be a key tensor from random.key (regrowth is random; pass a new key each time), got ${opts.key === undefined ? "nothing" : typeof opts.key}`);
  }
  const [chooseKey, weightKey] = random.split(opts.key);
  const edges = opts.candidates === undefined ? sampleDefault(network, count, chooseKey!) : sampleCandidates(network, count, opts.candidates, chooseKey!);
  if (edges.length === 0) return unchangedCopy(network);
  return addConnections(network, edges, { key: weightKey! });
}
