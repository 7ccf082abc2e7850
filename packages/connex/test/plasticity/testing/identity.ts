/**
 * Test support: a network's parameters keyed by what they belong to (edges, neurons, input-range
 * neurons) rather than by where they are stored, and networks rebuilt from scratch with those
 * parameters copied in. Deliberately plain (loops over `toArray` values), independent of the
 * plasticity engine it checks.
 */
import { np, type Tensor } from "@connex/core";
import { parseGraph } from "../../../src/graph.js";
import { NeuralNetwork } from "../../../src/network.js";
import type { NeuronId } from "../../../src/neuron_id.js";
import type { AttentionParameters, TopoBatchParameters } from "../../../src/parameters.js";
import { NetworkStructure } from "../../../src/structure.js";
import { topologyFromBatches, type NetworkTopology } from "../../../src/topology.js";
import { readWeightBlock, type BatchWeightLayout } from "../../../src/weight_layout.js";

const id = (n: NeuronId) => JSON.stringify(n);
const flat = (t: Tensor) => Array.from(t.toTypedArray() as Float64Array, Number);
const FIELDS = ["queryWeight", "queryBias", "keyWeight", "keyBias", "valueWeight", "valueBias"] as const;

/** Every parameter value of a network, keyed by identity. */
export interface IdentityTable {
  /** `"from>to"` -> weight of the edge. */
  readonly weights: Map<string, number>;
  /** neuron -> bias. */
  readonly biases: Map<string, number>;
  /** neuron -> [a, b]. */
  readonly adaptive: Map<string, [number, number]>;
  /** `"neuron|field|row|col"` (row/col: input-range neurons; col "" for biases) -> value. */
  readonly neuronAttention: Map<string, number>;
  /** Per batch: `"gamma|n"` / `"beta|n"` and `"field|row|col"` -> value (topo norm and attention). */
  readonly perBatch: Map<string, number>[];
}

function rangeNeurons(topology: NetworkTopology, b: number): NeuronId[] {
  const l = topology.batches[b]!;
  return topology.order.slice(l.inputStart, l.inputEnd) as NeuronId[];
}

function attentionEntries(p: AttentionParameters, lead: number | null, cols: readonly NeuronId[], put: (key: string, v: number) => void): void {
  const w = cols.length;
  FIELDS.forEach((f, fi) => {
    const data = flat(p[f]);
    const base = lead === null ? 0 : lead * (fi % 2 === 0 ? w * w : w);
    for (let r = 0; r < w; r++) {
      if (fi % 2 === 0) for (let c = 0; c < w; c++) put(`${f}|${id(cols[r]!)}|${id(cols[c]!)}`, data[base + r * w + c]!);
      else put(`${f}|${id(cols[r]!)}|`, data[base + r]!);
    }
  });
}

/**
 * The identity table of `net`.
 *
 * @example
 * identityTable(net).weights.get('0>3'); // weight of the edge 0 -> 3
 */
export function identityTable(net: NeuralNetwork): IdentityTable {
  const { topology, graph } = net.structure;
  const table: IdentityTable = { weights: new Map(), biases: new Map(), adaptive: new Map(), neuronAttention: new Map(), perBatch: [] };
  topology.batches.forEach((layout, b) => {
    const p = net.batchParameters[b]!;
    const cols = rangeNeurons(topology, b);
    const width = cols.length;
    const weights = Array.from(readWeightBlock(net, b));
    const biases = flat(p.biases);
    const perBatch = new Map<string, number>();
    table.perBatch.push(perBatch);
    layout.neurons.forEach((n, j) => {
      for (const from of graph.predecessors.get(n)!) table.weights.set(`${id(from)}>${id(n)}`, weights[j * width + cols.indexOf(from)]!);
      table.biases.set(id(n), biases[j]!);
      if (p.adaptiveActivation) table.adaptive.set(id(n), [flat(p.adaptiveActivation.a)[j]!, flat(p.adaptiveActivation.b)[j]!]);
      if (p.neuronSelfAttention) attentionEntries(p.neuronSelfAttention, j, cols, (k, v) => table.neuronAttention.set(`${id(n)}|${k}`, v));
    });
    if (p.topoNorm) {
      const g = flat(p.topoNorm.gamma);
      const be = flat(p.topoNorm.beta);
      cols.forEach((c, k) => {
        perBatch.set(`gamma|${id(c)}`, g[k]!);
        perBatch.set(`beta|${id(c)}`, be[k]!);
      });
    }
    if (p.topoSelfAttention) attentionEntries(p.topoSelfAttention, null, cols, (k, v) => perBatch.set(k, v));
  });
  return table;
}

function fromValues(values: number[], shape: readonly number[]): Tensor {
  return np.reshape(np.array(values, { dtype: "float64" }), shape);
}

function attentionFromTable(cols: readonly NeuronId[], rows: number, read: (row: number, key: string) => number): AttentionParameters {
  const w = cols.length;
  const out: Record<string, Tensor> = {};
  FIELDS.forEach((f, fi) => {
    const values: number[] = [];
    for (let j = 0; j < rows; j++) {
      for (let r = 0; r < w; r++) {
        if (fi % 2 === 0) for (let c = 0; c < w; c++) values.push(read(j, `${f}|${id(cols[r]!)}|${id(cols[c]!)}`));
        else values.push(read(j, `${f}|${id(cols[r]!)}|`));
      }
    }
    out[f] = fromValues(values, fi % 2 === 0 ? [rows, w, w] : [rows, w]);
  });
  return out as unknown as AttentionParameters;
}

const must = (v: number | undefined, what: string): number => {
  if (v === undefined) throw new Error(`identity table: no value for ${what}`);
  return v;
};

/**
 * Records for the structure's topology (a float64 network) filled from `table`: weights by
 * edge (stored as the structure's weight layouts say), biases and adaptive parameters by
 * neuron, attention by neuron and range neurons, topo norm / topo attention from
 * `table.perBatch[b]` (the same batch index; only meaningful when the batches are the same).
 *
 * @example
 * recordsFromTable(structure, identityTable(net));
 */
export function recordsFromTable(structure: NetworkStructure, table: IdentityTable): TopoBatchParameters[] {
  const { topology, graph, features } = structure;
  return topology.batches.map((layout, b) => {
    const weightLayout: BatchWeightLayout = structure.weightLayouts[b]!;
    const cols = rangeNeurons(topology, b);
    const w = cols.length;
    const size = layout.neurons.length;
    const weights = new Array<number>(size * w).fill(0);
    const mask = new Uint8Array(size * w);
    layout.neurons.forEach((n, j) => {
      for (const from of graph.predecessors.get(n)!) {
        const k = cols.indexOf(from);
        weights[j * w + k] = must(table.weights.get(`${id(from)}>${id(n)}`), `edge ${id(from)} -> ${id(n)}`);
        mask[j * w + k] = 1;
      }
    });
    const biases = layout.neurons.map((n) => must(table.biases.get(id(n)), `bias of ${id(n)}`));
    const hidden = layout.kind === "hidden";
    const ada = features.adaptiveActivations && hidden ? layout.neurons.map((n) => table.adaptive.get(id(n))!) : null;
    const perBatch = table.perBatch[b] ?? new Map<string, number>();
    return {
      weights: weightLayout.fromBlock(Float64Array.from(weights), "float64"),
      biases: fromValues(biases, [size]),
      mask: np.reshape(np.array(mask, { dtype: "bool" }), [size, w]),
      topoNorm:
        features.topoNorm && w >= 2
          ? {
              gamma: fromValues(cols.map((c) => must(perBatch.get(`gamma|${id(c)}`), `gamma ${id(c)}`)), [w]),
              beta: fromValues(cols.map((c) => must(perBatch.get(`beta|${id(c)}`), `beta ${id(c)}`)), [w]),
            }
          : null,
      topoSelfAttention: features.topoSelfAttention && w >= 1 ? reshapeTopo(attentionFromTable(cols, 1, (_, k) => must(perBatch.get(k), k)), w) : null,
      neuronSelfAttention:
        features.neuronSelfAttention && w >= 1
          ? attentionFromTable(cols, size, (j, k) => must(table.neuronAttention.get(`${id(layout.neurons[j]!)}|${k}`), k))
          : null,
      adaptiveActivation: ada ? { a: fromValues(ada.map((x) => x[0]), [size]), b: fromValues(ada.map((x) => x[1]), [size]) } : null,
    };
  });
}

function reshapeTopo(p: AttentionParameters, w: number): AttentionParameters {
  return {
    queryWeight: np.reshape(p.queryWeight, [w, w]),
    queryBias: np.reshape(p.queryBias, [w]),
    keyWeight: np.reshape(p.keyWeight, [w, w]),
    keyBias: np.reshape(p.keyBias, [w]),
    valueWeight: np.reshape(p.valueWeight, [w, w]),
    valueBias: np.reshape(p.valueBias, [w]),
  };
}

/**
 * `net` rebuilt from scratch: its graph re-parsed from its edge list, laid out from its batch
 * partition by `topologyFromBatches`, parameters copied in by identity.
 *
 * @example
 * rebuildFromScratch(edited).forward(x); // equals edited.forward(x)
 */
export function rebuildFromScratch(net: NeuralNetwork): NeuralNetwork {
  const graph = parseGraph(net.edges(), net.neurons);
  const hiddenBatches = net.topoBatches.slice(0, -1);
  const topology = topologyFromBatches(graph, net.inputNeurons, net.outputNeurons, hiddenBatches);
  const { features, dtype, dropout } = net.structure;
  const structure = new NetworkStructure(graph, topology, new Map(dropout), features, dtype, net.structure.weightLayout.option);
  return NeuralNetwork.fromParts({
    structure,
    batchParameters: recordsFromTable(structure, identityTable(net)),
    hiddenActivation: net.hiddenActivation,
    outputTransformation: net.outputTransformation,
  });
}

/**
 * A network built by the public constructor (default Kahn-level layout) on `net`'s graph, with
 * weights, biases and adaptive parameters copied by identity. Equal in function to `net` when
 * no layout-dependent feature (topo norm, topo or neuron attention) is on.
 *
 * @example
 * constructedLike(edited).forward(x); // equals edited.forward(x)
 */
export function constructedLike(net: NeuralNetwork): NeuralNetwork {
  const { features } = net.structure;
  const fresh = new NeuralNetwork({
    graph: net.edges(),
    neurons: net.neurons,
    inputNeurons: net.inputNeurons,
    outputNeurons: net.outputNeurons,
    hiddenActivation: net.hiddenActivation,
    outputTransformation: net.outputTransformation,
    useAdaptiveActivations: features.adaptiveActivations,
    dtype: net.structure.dtype as "float64",
    weightLayout: net.structure.weightLayout.option,
  });
  return NeuralNetwork.fromParts({
    structure: fresh.structure,
    batchParameters: recordsFromTable(fresh.structure, identityTable(net)),
    hiddenActivation: fresh.hiddenActivation,
    outputTransformation: fresh.outputTransformation,
  });
}

/**
 * A deep, plain snapshot of everything a network holds (for "unchanged" checks).
 *
 * @example
 * expect(snapshot(net)).toEqual(before);
 */
export function snapshot(net: NeuralNetwork): unknown {
  const { topology, graph } = net.structure;
  return {
    neurons: [...graph.neurons],
    successors: [...graph.successors].map(([n, s]) => [n, [...s]]),
    predecessors: [...graph.predecessors].map(([n, s]) => [n, [...s]]),
    numEdges: graph.numEdges,
    order: [...topology.order],
    position: [...topology.position],
    inputs: [...topology.inputNeurons],
    outputs: [...topology.outputNeurons],
    batches: topology.batches.map((l) => JSON.parse(JSON.stringify(l)) as unknown),
    dropout: [...net.structure.dropout],
    records: net.batchParameters.map((p) => ({
      weights: p.weights.toArray(),
      biases: p.biases.toArray(),
      mask: p.mask.toArray(),
      topoNorm: p.topoNorm && { gamma: p.topoNorm.gamma.toArray(), beta: p.topoNorm.beta.toArray() },
      topoSelfAttention: p.topoSelfAttention && FIELDS.map((f) => p.topoSelfAttention![f].toArray()),
      neuronSelfAttention: p.neuronSelfAttention && FIELDS.map((f) => p.neuronSelfAttention![f].toArray()),
      adaptive: p.adaptiveActivation && [p.adaptiveActivation.a.toArray(), p.adaptiveActivation.b.toArray()],
    })),
  };
}
