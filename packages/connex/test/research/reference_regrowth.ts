/**
 * Test support: the default candidates of `regrowConnections` and their distribution, computed
 * the slow way from the contract (no edge into an input, none out of an output, no self-loop,
 * absent, not closing a cycle), independently of the sampler.
 */
import type { Edge } from "../../src/graph.js";
import type { NeuralNetwork } from "../../src/network.js";
import type { NeuronId } from "../../src/neuron_id.js";

/** `"u>v"`: an edge as a string key. */
export const edgeKey = ([f, t]: Edge): string => `${String(f)}>${String(t)}`;

/** Successor lists of `net`'s graph plus `extra`. */
function successors(net: NeuralNetwork, extra: readonly Edge[]): Map<NeuronId, NeuronId[]> {
  const out = new Map<NeuronId, NeuronId[]>(net.neurons.map((n) => [n, []]));
  for (const [f, t] of [...net.edges(), ...extra]) out.get(f)!.push(t);
  return out;
}

/** Whether `from` reaches `to` (a neuron reaches itself). */
function reaches(succ: Map<NeuronId, NeuronId[]>, from: NeuronId, to: NeuronId): boolean {
  const seen = new Set([from]);
  const stack = [from];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n === to) return true;
    for (const s of succ.get(n)!) if (!seen.has(s)) seen.add(s), stack.push(s);
  }
  return false;
}

/**
 * Every edge `regrowConnections` may draw next by default, after `extra` was drawn: valid roles,
 * absent from `net` and `extra`, and not closing a cycle with them.
 *
 * @example
 * validCandidates(net).length; // how many edges a first draw chooses among
 */
export function validCandidates(net: NeuralNetwork, extra: readonly Edge[] = []): Edge[] {
  const succ = successors(net, extra);
  const inputs = new Set(net.inputNeurons);
  const outputs = new Set(net.outputNeurons);
  const out: Edge[] = [];
  for (const u of net.neurons) {
    if (outputs.has(u)) continue;
    for (const v of net.neurons) {
      if (u === v || inputs.has(v) || succ.get(u)!.includes(v)) continue;
      if (!reaches(succ, v, u)) out.push([u, v]);
    }
  }
  return out;
}

/**
 * How many edges can be added to `net` before no candidate is left, found by adding valid
 * candidates greedily in list order (any order gives the same count in a DAG with roles).
 *
 * @example
 * greedyCapacity(net); // the `available` of NotEnoughCandidatesError for the default
 */
export function greedyCapacity(net: NeuralNetwork): number {
  const added: Edge[] = [];
  for (;;) {
    const next = validCandidates(net, added)[0];
    if (next === undefined) return added.length;
    added.push(next);
  }
}

/**
 * The exact distribution of the default's result for `count` edges: sequential draws, each
 * uniform among the valid candidates left. Keys: the sorted edge keys joined by spaces.
 *
 * @example
 * sequentialDistribution(net, 2).get("0>2 1>2"); // P(the two new edges are 0 -> 2 and 1 -> 2)
 */
export function sequentialDistribution(net: NeuralNetwork, count: number): Map<string, number> {
  const out = new Map<string, number>();
  const visit = (drawn: Edge[], p: number) => {
    if (drawn.length === count) {
      const k = drawn.map(edgeKey).sort().join(" ");
      out.set(k, (out.get(k) ?? 0) + p);
      return;
    }
    const options = validCandidates(net, drawn);
    for (const e of options) visit([...drawn, e], p / options.length);
  };
  visit([], 1);
  return out;
}

/**
 * Pearson's chi-square statistic of `observed` counts against the probabilities `expected`
 * (cells missing from `observed` count 0; an observed cell of probability 0 gives Infinity).
 *
 * @example
 * chiSquare(new Map([["a", 48], ["b", 52]]), new Map([["a", 0.5], ["b", 0.5]])); // 0.16
 */
export function chiSquare(observed: ReadonlyMap<string, number>, expected: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const c of observed.values()) total += c;
  let x2 = 0;
  for (const [k, p] of expected) x2 += ((observed.get(k) ?? 0) - total * p) ** 2 / (total * p);
  for (const k of observed.keys()) if (!expected.has(k) || expected.get(k) === 0) return Infinity;
  return x2;
}

/**
 * The upper `1e-4` quantile of the chi-square distribution with `df` degrees of freedom
 * (Wilson–Hilferty; within a few percent for df >= 3).
 *
 * @example
 * chiSquareCritical(10); // ~ 33.7
 */
export function chiSquareCritical(df: number): number {
  const z = 3.719; // standard normal upper 1e-4 quantile
  const a = 2 / (9 * df);
  return df * (1 - a + z * Math.sqrt(a)) ** 3;
}
