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
import { batchByPosition } from "../plasticity/batch_order.js";
import { connectionList } from "../plasticity/connections.js";
import { assertKnown } from "../plasticity/neuron_list.js";
import type { NetworkTopology } from "../topology.js";
import { forwardPairs, samplePairs } from "./candidate_sampling.js";
import { checkedOptions } from "./options.js";

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
   * `addConnections`. Default: every absent edge from a neuron into a later topological batch.
   */
  readonly candidates?: GraphInput;
}

const OP = "regrowConnections";

/** Whether the topology has an edge from position `p` into position `q` (binary search of the row's columns). */
function presentIn(topology: NetworkTopology, batchAt: Int32Array): (p: number, q: number) => boolean {
  return (p, q) => {
    const layout = topology.batches[batchAt[q]!]!;
    const c = p - layout.inputStart;
    if (c < 0 || c >= layout.inputEnd - layout.inputStart) return false;
    const cols = layout.inputColumns[q - layout.start]!;
    let lo = 0;
    let hi = cols.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = cols[mid]!;
      if (v === c) return true;
      if (v < c) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  };
}

function notEnough(requested: number, available: number, what: string): NotEnoughCandidatesError {
  return new NotEnoughCandidatesError(`${OP}: ${requested} edges requested but only ${available} ${what}`, requested, available);
}

/** The default: `count` absent edges into later batches, uniformly among all of them. */
function sampleDefault(network: NeuralNetwork, count: number, key: Tensor): Edge[] {
  const { topology } = network.structure;
  const pairs = forwardPairs(topology);
  const absent = pairs.total - network.numEdges;
  if (count > absent) throw notEnough(count, absent, "absent edges lead into a later topological batch (pass candidates to choose among others)");
  const batchAt = batchByPosition(topology);
  const chosen = samplePairs(pairs, count, absent, presentIn(topology, batchAt), key);
  return chosen.map(([p, q]) => [topology.order[p]!, topology.order[q]!]);
}

/** Whether `to` reaches `from` through the graph's edges plus `extra` (successor lists). */
function reaches(network: NeuralNetwork, extra: Map<NeuronId, NeuronId[]>, start: NeuronId, goal: NeuronId): boolean {
  const seen = new Set<NeuronId>([start]);
  const stack = [start];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n === goal) return true;
    for (const list of [network.structure.graph.successors.get(n)!, extra.get(n) ?? []]) {
      for (const s of list) {
        if (!seen.has(s)) {
          seen.add(s);
          stack.push(s);
        }
      }
    }
  }
  return false;
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
  const batchAt = batchByPosition(topology);
  const batchOf = (n: NeuronId) => batchAt[topology.position.get(n)!]!;
  // While every accepted edge points into a later batch, the batches still certify acyclicity,
  // so such a candidate needs no search; once an edge goes elsewhere, each one is searched.
  let certified = true;
  const accepted: Edge[] = [];
  const extra = new Map<NeuronId, NeuronId[]>();
  for (let i = 0; i < order.length && accepted.length < count; i++) {
    const [from, to] = absent[order[i]!]!;
    const forward = batchOf(from) < batchOf(to);
    if (!(certified && forward)) {
      if (reaches(network, extra, to, from)) continue;
      if (!forward) certified = false;
    }
    accepted.push([from, to]);
    if (!extra.has(from)) extra.set(from, []);
    extra.get(from)!.push(to);
  }
  if (accepted.length < count) throw notEnough(count, accepted.length, `of the ${absent.length} absent candidates can be added together without closing a cycle`);
  return accepted;
}

/**
 * A new network with `count` new edges chosen at random (deterministic per `key`) among
 * `candidates`, or by default uniformly among every absent edge from a neuron into a later
 * topological batch (inputs count as the first batch, outputs are the last). Those edges keep
 * the graph acyclic with valid roles whatever the choice, and keep every neuron in its batch,
 * so the network's layout and speed stay as they are; edges between neurons of one batch or
 * back to an earlier batch are grown only from explicit `candidates`, which are taken in a random
 * order, skipping any that would close a cycle. The default candidates are never listed: pairs
 * are sampled and checked against the present edges, so regrowing LeNet-300-100 costs in
 * proportion to `count`. New weights are drawn as `addConnections` draws them (from a key split
 * from `key`); every other parameter keeps its value and untouched batches are shared. Throws
 * `NotEnoughCandidatesError` (with both counts) when `count` exceeds the candidates,
 * `InvalidOptionError` for a bad `count` or a missing key, and `addConnections`'s errors for
 * candidates with unknown neurons or invalid roles.
 *
 * @example
 * const grown = cnx.regrowConnections(pruned, 1000, { key: random.key(epoch) });
 */
export function regrowConnections(network: NeuralNetwork, count: number, options: RegrowOptions): NeuralNetwork {
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
