/**
 * Random network descriptions for tests: a DAG over `numInputs + numHidden + numOutputs`
 * neurons whose edges all point forward in a hidden order, with ids shuffled (and some of them
 * strings) and edges listed in shuffled order, so nothing is accidentally sorted.
 */
import type { Edge } from "../../src/graph.js";
import type { NeuronId } from "../../src/neuron_id.js";

/** A small deterministic generator (xorshift32); tests need reproducibility, not quality. */
export function rng(seed: number): () => number {
  let s = (seed * 2654435761) >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

export interface RandomDag {
  edges: Edge[];
  inputNeurons: NeuronId[];
  outputNeurons: NeuronId[];
  /** Every neuron, so that isolated ones are declared. */
  neurons: NeuronId[];
}

/**
 * A random network description.
 *
 * @example
 * randomDag(7, { maxInputs: 3, maxHidden: 6, maxOutputs: 3, density: 0.4 });
 */
export function randomDag(seed: number, opts: { maxInputs?: number; maxHidden?: number; maxOutputs?: number; density?: number } = {}): RandomDag {
  const r = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const k = int(1, opts.maxInputs ?? 3);
  const h = int(0, opts.maxHidden ?? 6);
  const m = int(1, opts.maxOutputs ?? 3);
  const n = k + h + m;
  const density = opts.density ?? 0.45;
  // Hidden order: 0..k-1 inputs, k..k+h-1 hidden, the rest outputs.
  const labels: NeuronId[] = Array.from({ length: n }, (_, i) => (r() < 0.25 ? `n${i}` : i * 3 + 1));
  for (let i = n - 1; i > 0; i--) {
    const j = int(0, i);
    [labels[i], labels[j]] = [labels[j]!, labels[i]!];
  }
  const edges: Edge[] = [];
  for (let i = 0; i < n; i++) {
    if (i >= k + h) continue; // outputs feed nothing
    for (let j = Math.max(i + 1, k); j < n; j++) if (r() < density) edges.push([labels[i]!, labels[j]!]);
  }
  for (let i = edges.length - 1; i > 0; i--) {
    const j = int(0, i);
    [edges[i], edges[j]] = [edges[j]!, edges[i]!];
  }
  return { edges, inputNeurons: labels.slice(0, k), outputNeurons: labels.slice(k + h), neurons: labels.slice() };
}
