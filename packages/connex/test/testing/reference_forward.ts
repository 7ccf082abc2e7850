/**
 * An independent, deliberately plain evaluation of a network for tests: a loop over neurons in
 * topological order, in float64 JavaScript numbers, reading each neuron's inputs from the graph
 * (not from the masks) and each weight from the parameter records. Only the activation and the
 * output transformation are called through tensors (they are user functions).
 */
import { np, type Tensor } from "@connex/core";
import { applyActivation } from "../../src/activation.js";
import type { NeuralNetwork } from "../../src/network.js";
import type { NeuronId } from "../../src/neuron_id.js";
import type { AttentionParameters } from "../../src/parameters.js";
import { readWeightBlock } from "../../src/weight_layout.js";

type Matrix = number[][];

const values = (t: Tensor): number[] => Array.from(t.toTypedArray() as Float64Array, Number);

function matrix(t: Tensor): Matrix {
  const [rows, cols] = t.shape as [number, number];
  const flat = values(t);
  return Array.from({ length: rows }, (_, r) => flat.slice(r * cols, (r + 1) * cols));
}

function softmax(xs: number[]): number[] {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

function affineRows(w: Matrix, b: number[], v: number[]): number[] {
  return w.map((row, r) => row.reduce((s, wc, c) => s + wc * v[c]!, 0) + b[r]!);
}

/** Attention of one neuron (or of the whole batch when `allowed` covers every column). */
function attend(p: { qw: Matrix; qb: number[]; kw: Matrix; kb: number[]; vw: Matrix; vb: number[] }, v: number[], allowed: number[], scale: number): number[] {
  const q = affineRows(p.qw, p.qb, v);
  const k = affineRows(p.kw, p.kb, v);
  const val = affineRows(p.vw, p.vb, v);
  const out = v.slice();
  for (const r of allowed) {
    const weights = softmax(allowed.map((c) => q[r]! * k[c]! * scale));
    out[r] = allowed.reduce((s, c, i) => s + weights[i]! * val[c]!, 0) + v[r]!;
  }
  return out;
}

function unpackAttention(p: AttentionParameters, row: number | null) {
  const pick = (t: Tensor) => (row === null ? t : np.take(t, row, 0));
  return {
    qw: matrix(pick(p.queryWeight)),
    qb: values(pick(p.queryBias)),
    kw: matrix(pick(p.keyWeight)),
    kb: values(pick(p.keyBias)),
    vw: matrix(pick(p.valueWeight)),
    vb: values(pick(p.valueBias)),
  };
}

/**
 * The network's output for input `x`, with dropout multipliers by position (`keep/(1-p)`) or
 * none. Returns plain numbers.
 *
 * @example
 * referenceForward(net, [0.5]); // [y0, y1]
 */
export function referenceForward(net: NeuralNetwork, x: readonly number[], multipliers?: readonly number[]): number[] {
  const { topology, graph } = net.structure;
  const value = new Map<NeuronId, number>();
  const mult = (n: NeuronId) => (multipliers ? multipliers[topology.position.get(n)!]! : 1);
  topology.inputNeurons.forEach((n, i) => value.set(n, x[i]! * mult(n)));

  // Where each neuron sits: its batch and row.
  const place = new Map<NeuronId, { b: number; j: number }>();
  topology.batches.forEach((layout, b) => layout.neurons.forEach((n, j) => place.set(n, { b, j })));
  // A batch's collective inputs after topo norm / topo attention, computed when its first neuron fires.
  const batchInputs = new Map<number, number[]>();

  const act = (v: number) => (applyActivation(net.hiddenActivation, np.array([v], { dtype: "float64" })).toTypedArray()[0]! as number);

  for (const n of topology.order) {
    if (value.has(n)) continue;
    const { b, j } = place.get(n)!;
    const layout = topology.batches[b]!;
    const params = net.batchParameters[b]!;
    const width = layout.inputEnd - layout.inputStart;
    if (!batchInputs.has(b)) {
      let v = Array.from({ length: width }, (_, c) => value.get(topology.order[layout.inputStart + c]!)!);
      if (params.topoNorm && width > 1) {
        const mean = v.reduce((s, a) => s + a, 0) / width;
        const variance = v.reduce((s, a) => s + a * a, 0) / width - mean * mean;
        const g = values(params.topoNorm.gamma);
        const be = values(params.topoNorm.beta);
        v = v.map((a, c) => ((a - mean) / Math.sqrt(variance + 1e-5)) * g[c]! + be[c]!);
      }
      if (params.topoSelfAttention) {
        v = attend(unpackAttention(params.topoSelfAttention, null), v, v.map((_, c) => c), 1 / Math.sqrt(width));
      }
      batchInputs.set(b, v);
    }
    let inputs = batchInputs.get(b)!;
    const preds = graph.predecessors.get(n)!;
    const cols = preds.map((p) => topology.position.get(p)! - layout.inputStart);
    if (params.neuronSelfAttention && width > 0) {
      const sorted = cols.slice().sort((a, c) => a - c);
      inputs = attend(unpackAttention(params.neuronSelfAttention, j), inputs, sorted, 1 / Math.sqrt(Math.max(sorted.length, 1)));
    }
    const w = width > 0 ? Array.from(readWeightBlock(net, b).subarray(j * width, (j + 1) * width)) : [];
    let pre = values(params.biases)[j]!;
    preds.forEach((_, i) => (pre += w[cols[i]!]! * inputs[cols[i]!]!));
    let out = pre;
    if (layout.kind === "hidden") {
      if (params.adaptiveActivation) {
        const a = values(params.adaptiveActivation.a)[j]!;
        const bb = values(params.adaptiveActivation.b)[j]!;
        out = a * act(bb * pre);
      } else {
        out = act(pre);
      }
    }
    value.set(n, out * mult(n));
  }
  const y = np.array(topology.outputNeurons.map((n) => value.get(n)!), { dtype: "float64" });
  return values(applyActivation(net.outputTransformation, y));
}
