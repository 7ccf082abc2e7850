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
import { forwardPairs, rolePairs, sampleAbsentEdges } from "./candidate_sampling.js";
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
   * included), or those of `within`. To regrow only between consecutive layers, as SET does,
   * pass that layer's absent edges.
   */
  readonly candidates?: GraphInput;
  /**
   * Which absent edges the default draws from (not with `candidates`): `"acyclic"` (default),
   * every one that keeps the graph a DAG with valid roles; `"forward"`, only those into a later
   * topological batch, which never close a cycle and leave every neuron in its batch, so the
   * network keeps its depth and layout (and its speed).
   */
  readonly within?: "acyclic" | "forward";
}

const OP = "regrowConnections";

function notEnough(requested: number, available: number, what: string): NotEnoughCandidatesError {
  return new NotEnoughCandidatesError(`${OP}: ${requested} edges requested but only ${available} ${what}`, requested, available);
}

/** The default: `count` absent edges among all those with valid roles that keep the graph a DAG, or only the forward ones. */
function sampleDefault(network: NeuralNetwork, count: number, key: Tensor, within: "acyclic" | "forward"): Edge[] {
  const { topology } = network.structure;
  const pairs = within === "forward" ? forwardPairs(topology, network.numEdges) : rolePairs(topology, network.numEdges);
  if (count > pairs.addable) {
    throw notEnough(
      count,
      pairs.addable,
      within === "forward"
        ? "absent edges lead into a later topological batch (within: \"forward\"; the default, within: \"acyclic\", also draws edges within and back across batches)"
        : "absent edges can be added without closing a cycle (an acyclic graph with these input and output neurons can have no more edges)",
    );
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
 * earlier batch whose head does not reach their tail. With `within: "forward"`, only the absent
 * edges into a later batch. With `candidates`, only the absent ones among those (present edges
 * are skipped; one into an input or out of an output throws).
 *
 * Distribution: the edges are drawn one after the other without replacement, and each draw is
 * uniform among the candidates still valid at that point: not drawn yet and not closing a cycle
 * with the network's edges plus those drawn before it (so `u -> v` and `v -> u` are never both
 * drawn). A set of `count` edges thus has the probability summed, over the orders that produce
 * it, of the product of `1 / (valid candidates left)` at each step: uniform over the sets of
 * `count` candidates when no candidate excludes another (as with `within: "forward"`), not when
 * some do. The default draws a pair among all role-valid pairs with a float64 uniform (uniform
 * up to its 2^-52 resolution) and rejects it when invalid; explicit `candidates` are taken in
 * `random.permutation` order, skipping those that would close a cycle, which gives the same
 * sequential distribution.
 *
 * Edges that do not point into a later batch move the neurons they reach into later batches,
 * so the network gets deeper (and its forward pass longer): regrowing 30 % of a 3.6 % sparse
 * LeNet-300-100 takes it from 3 batches to about 100. `within: "forward"` keeps the batches;
 * to keep the layers of an MLP (SET's regrowth), pass the layer's absent edges as `candidates`.
 * The default candidates are never listed unless most pairs are present: pairs are drawn and
 * rejected when present, already drawn or closing a cycle (found through a topological order
 * kept up to date, searching only between the two neurons' places in it), so the choice costs
 * in proportion to `count`. New weights are drawn as `addConnections` draws them (from a key
 * split from `key`); every other parameter keeps its value and untouched batches are shared.
 * Throws `NotEnoughCandidatesError` (with both counts) when `count` exceeds the edges that can
 * be added together (by default, the edges a DAG with these input and output neurons can have
 * beyond the present ones, whichever are chosen), `InvalidOptionError` for a bad `count`, a
 * missing key or a bad `within`, and `addConnections`'s errors for candidates with unknown
 * neurons or invalid roles.
 *
 * @example
 * const grown = cnx.regrowConnections(pruned, 1000, { key: random.key(epoch) });
 */
export function regrowConnections(network: NeuralNetwork, count: number, options: RegrowOptions): NeuralNetwork {
  checkNetwork(network, OP);
  if (typeof count !== "number" || !Number.isInteger(count) || count < 0) {
    throw new InvalidOptionError(`${OP}: count must be a non-negative integer, got ${typeof count === "number" ? String(count) : typeof count}`);
  }
  const opts = checkedOptions(options, ["key", "candidates", "within"], OP);
  if (!(opts.key instanceof Tensor)) {
    throw new InvalidOptionError(`${OP}: options.key must be a key tensor from random.key (regrowth is random; pass a new key each time), got ${opts.key === undefined ? "nothing" : typeof opts.key}`);
  }
  if (opts.within !== undefined && opts.within !== "acyclic" && opts.within !== "forward") {
    throw new InvalidOptionError(`${OP}: options.within must be "acyclic" or "forward", got ${typeof opts.within === "string" ? `"${opts.within}"` : typeof opts.within}`);
  }
  if (opts.within !== undefined && opts.candidates !== undefined) {
    throw new InvalidOptionError(`${OP}: options.within chooses among the default candidates; it cannot be combined with options.candidates`);
  }
  const [chooseKey, weightKey] = random.split(opts.key);
  const edges = opts.candidates === undefined ? sampleDefault(network, count, chooseKey!, opts.within ?? "acyclic") : sampleCandidates(network, count, opts.candidates, chooseKey!);
  if (edges.length === 0) return unchangedCopy(network);
  return addConnections(network, edges, { key: weightKey! });
}
