/**
 * Where each neuron and edge of a network goes on the page: neurons in columns (layers), edges
 * flowing from column to column. For small and medium networks `@dagrejs/dagre` chooses the
 * columns and the order inside each (Sugiyama-style layering with crossing reduction). Dagre's
 * crossing reduction grows quickly with the number of edges, so large networks (a `DenseMLP`
 * has about 100,000 edges) use the topological batches as columns, in firing order.
 */
import dagre from "@dagrejs/dagre";
import type { NeuralNetwork } from "../network.js";
import type { NeuronId } from "../neuron_id.js";

/** The role a neuron plays, which decides its colour. */
export type NeuronRole = "input" | "hidden" | "output";

/** A placed neuron. */
export interface PlacedNeuron {
  readonly id: NeuronId;
  readonly role: NeuronRole;
  /** Its dropout probability. */
  readonly dropout: number;
  readonly x: number;
  readonly y: number;
}

/** A placed edge: its weight and its end points (neuron centres). */
export interface PlacedEdge {
  readonly from: NeuronId;
  readonly to: NeuronId;
  readonly weight: number;
  readonly points: readonly { readonly x: number; readonly y: number }[];
}

/** A laid-out network. */
export interface NetworkLayout {
  readonly neurons: readonly PlacedNeuron[];
  readonly edges: readonly PlacedEdge[];
  readonly width: number;
  readonly height: number;
  /** Which layout engine chose the columns. */
  readonly engine: "dagre" | "batches";
  /** Flow direction: edges point right (`"LR"`) or down (`"TB"`). */
  readonly direction: "LR" | "TB";
  /** Neuron radius used. */
  readonly radius: number;
}

/** Options of `layoutNetwork`. */
export interface LayoutOptions {
  /** `"dagre"`, `"batches"` (one column per topological batch) or `"auto"` (default): dagre up to `maxDagreEdges` edges. */
  engine?: "auto" | "dagre" | "batches";
  /** Largest edge count laid out by dagre under `"auto"` (default 1500). */
  maxDagreEdges?: number;
  /** Flow direction: left to right (default) or top to bottom. */
  direction?: "LR" | "TB";
  /** Neuron radius in pixels (default 14, smaller for layers of more than 24 neurons). */
  radius?: number;
  /** Gap between neurons of the same layer (default 18) and between layers (default 70; 160 for tall layers). */
  neuronGap?: number;
  layerGap?: number;
}

const MARGIN = 24;

function roleOf(network: NeuralNetwork): (n: NeuronId) => NeuronRole {
  const inputs = new Set(network.inputNeurons);
  const outputs = new Set(network.outputNeurons);
  return (n) => (inputs.has(n) ? "input" : outputs.has(n) ? "output" : "hidden");
}

type Resolved = Required<Omit<LayoutOptions, "engine" | "maxDagreEdges">>;

/**
 * Dagre's layering and in-layer order (its crossing reduction): the neurons in columns.
 * Dagre's own coordinates are not used: its coordinate assignment spreads dense layers (every
 * neuron feeding every neuron of the next layer) over many times the height they need, so
 * columns are placed evenly by `placeColumns` instead.
 */
function dagreColumns(network: NeuralNetwork, options: Resolved): NeuronId[][] {
  const neurons = network.neurons;
  const key = new Map<NeuronId, string>(neurons.map((n, i) => [n, `n${i}`]));
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: options.neuronGap, ranksep: options.layerGap });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of neurons) g.setNode(key.get(n)!, { width: 2 * options.radius, height: 2 * options.radius });
  for (const [from, to] of network.edges()) g.setEdge(key.get(from)!, key.get(to)!);
  dagre.layout(g);
  const placed = neurons.map((n) => ({ n, ...(g.node(key.get(n)!) as { x: number; y: number }) }));
  const ranks = [...new Set(placed.map((p) => Math.round(p.x)))].sort((a, b) => a - b);
  const column = new Map(ranks.map((x, i) => [x, i]));
  const columns: NeuronId[][] = ranks.map(() => []);
  placed.sort((a, b) => a.y - b.y).forEach((p) => columns[column.get(Math.round(p.x))!]!.push(p.n));
  return columns;
}

/** The input neurons, then one column per topological batch, in firing order. */
function batchColumns(network: NeuralNetwork): NeuronId[][] {
  return [network.inputNeurons.slice(), ...network.topoBatches.map((b) => b.slice())];
}

/** Evenly spaced columns, each centred across the drawing; edges join neuron centres. */
function placeColumns(network: NeuralNetwork, columns: readonly (readonly NeuronId[])[], options: Resolved, engine: NetworkLayout["engine"]): NetworkLayout {
  const { radius, neuronGap, layerGap, direction } = options;
  const tallest = Math.max(1, ...columns.map((c) => c.length));
  const step = 2 * radius + neuronGap;
  const across = (tallest - 1) * step;
  const role = roleOf(network);
  const dropout = network.structure.dropout;
  const at = new Map<NeuronId, { x: number; y: number }>();
  const neurons: PlacedNeuron[] = [];
  columns.forEach((col, l) => {
    const offset = (across - (col.length - 1) * step) / 2;
    col.forEach((n, i) => {
      const along = MARGIN + radius + l * (2 * radius + layerGap);
      const side = MARGIN + radius + offset + i * step;
      const p = direction === "LR" ? { x: along, y: side } : { x: side, y: along };
      at.set(n, p);
      neurons.push({ id: n, role: role(n), dropout: dropout.get(n) ?? 0, ...p });
    });
  });
  const edges = network.toWeightedGraph().edges.map((e): PlacedEdge => ({ from: e.from, to: e.to, weight: e.weight, points: [at.get(e.from)!, at.get(e.to)!] }));
  const length = 2 * MARGIN + 2 * radius + (columns.length - 1) * (2 * radius + layerGap);
  const breadth = 2 * MARGIN + 2 * radius + across;
  return direction === "LR"
    ? { neurons, edges, width: length, height: breadth, engine, direction, radius }
    : { neurons, edges, width: breadth, height: length, engine, direction, radius };
}

/**
 * Positions of every neuron and edge of `network` (see the module comment for the engines).
 *
 * @example
 * layoutNetwork(net).neurons[0]; // { id: 0, role: "input", dropout: 0, x: 38, y: 80 }
 */
export function layoutNetwork(network: NeuralNetwork, options: LayoutOptions = {}): NetworkLayout {
  // Tall layers get smaller neurons (and longer edges), so a 128-neuron layer stays on screen.
  const tallest = Math.max(network.inputNeurons.length, ...network.topoBatches.map((b) => b.length));
  const radius = options.radius ?? (tallest <= 24 ? 14 : Math.max(3, Math.round((14 * 24) / tallest)));
  const resolved: Resolved = {
    direction: options.direction ?? "LR",
    radius,
    neuronGap: options.neuronGap ?? (radius >= 14 ? 18 : Math.ceil(radius * 1.4)),
    layerGap: options.layerGap ?? (tallest <= 24 ? 70 : 160),
  };
  const engine = options.engine ?? "auto";
  const useDagre = engine === "dagre" || (engine === "auto" && network.numEdges <= (options.maxDagreEdges ?? 1500));
  return useDagre ? placeColumns(network, dagreColumns(network, resolved), resolved, "dagre") : placeColumns(network, batchColumns(network), resolved, "batches");
}
