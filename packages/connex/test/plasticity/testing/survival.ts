/**
 * Test support: the survival and sharing properties of an edit, checked from the networks
 * before and after (independently of how the engine decided them).
 */
import type { NeuralNetwork } from "../../../src/network.js";
import type { NeuronId } from "../../../src/neuron_id.js";
import { identityTable } from "./identity.js";

function compareCommon<V>(a: Map<string, V>, b: Map<string, V>, what: string, out: string[]): number {
  let n = 0;
  for (const [k, v] of b) {
    if (!a.has(k)) continue;
    n++;
    if (JSON.stringify(a.get(k)) !== JSON.stringify(v)) out.push(`${what} ${k}: ${JSON.stringify(a.get(k))} became ${JSON.stringify(v)}`);
  }
  return n;
}

/**
 * Every parameter present before and after `edit` with the same identity, whose value changed
 * (an empty list means every survivor kept its exact value), and how many were compared.
 * Topo-level parameters are compared with the batch's origin: the old batch of its first
 * neuron that existed before.
 *
 * @example
 * expect(changedSurvivors(net, edited).changed).toEqual([]);
 */
export function changedSurvivors(before: NeuralNetwork, after: NeuralNetwork): { changed: string[]; compared: number } {
  const a = identityTable(before);
  const b = identityTable(after);
  const changed: string[] = [];
  let compared = compareCommon(a.weights, b.weights, "weight", changed);
  compared += compareCommon(a.biases, b.biases, "bias", changed);
  compared += compareCommon(a.adaptive, b.adaptive, "adaptive", changed);
  compared += compareCommon(a.neuronAttention, b.neuronAttention, "neuron attention", changed);
  const oldBatchOf = new Map<NeuronId, number>();
  before.topoBatches.forEach((ns, i) => ns.forEach((n) => oldBatchOf.set(n, i)));
  after.topoBatches.forEach((ns, i) => {
    const first = ns.find((n) => oldBatchOf.has(n));
    if (first !== undefined) compared += compareCommon(a.perBatch[oldBatchOf.get(first)!]!, b.perBatch[i]!, `batch ${i}`, changed);
  });
  return { changed, compared };
}

const sameList = (x: readonly NeuronId[], y: readonly NeuronId[]) => x.length === y.length && x.every((n, i) => n === y[i]);
const sameSet = (x: readonly NeuronId[], y: readonly NeuronId[]) => x.length === y.length && x.every((n) => y.includes(n));

/**
 * The batches of `after` that are untouched copies of a batch of `before` (same neurons in the
 * same order, the same neurons in their input range, the same inputs per neuron), and those of
 * them whose parameter record is NOT shared by reference.
 *
 * @example
 * expect(untouchedBatches(net, edited).notShared).toEqual([]);
 */
export function untouchedBatches(before: NeuralNetwork, after: NeuralNetwork): { untouched: number; notShared: number[] } {
  const tb = before.structure.topology;
  const ta = after.structure.topology;
  const notShared: number[] = [];
  let untouched = 0;
  ta.batches.forEach((la, i) => {
    const j = tb.batches.findIndex((lb) => sameList(lb.neurons, la.neurons));
    if (j < 0) return;
    const lb = tb.batches[j]!;
    if (!sameList(tb.order.slice(lb.inputStart, lb.inputEnd), ta.order.slice(la.inputStart, la.inputEnd))) return;
    if (!la.neurons.every((n) => sameSet(before.structure.graph.predecessors.get(n)!, after.structure.graph.predecessors.get(n)!))) return;
    untouched++;
    if (after.batchParameters[i] !== before.batchParameters[j]) notShared.push(i);
  });
  return { untouched, notShared };
}
