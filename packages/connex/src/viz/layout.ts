/**
 * Where each neuron and edge of a network goes on the page. Small and medium networks are laid
 * out by `@dagrejs/dagre` (Sugiyama-style layering with crossing reduction). Dagre's crossing
 * reduction grows quickly with the number of edges, so large networks (a `DenseMLP` has about
 * 100,000 edges) use a direct layered layout instead: one column per topological batch, in
 * firing order, edges drawn straight.
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

/** A placed edge: its weight and the polyline it follows. */
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
  /** Which layout engine placed it. */
  readonly engine: "dagre" | "batches";
}

/** Options of `layoutNetwork`. */
export interface LayoutOptions {
  /** `"dagre"`, `"batches"` (one column per topological batch) or `"auto"` (default): dagre up to `maxDagreEdges` edges. */
  engine?: "auto" | "dagre" | "batches";
  /** Largest edge count laid out by dagre under `"auto"` (default 1500). */
  maxDagreEdges?: number;
  /** Flow direction: left to right (default) or top to bottom. */
  direction?: "LR" | "TB";
  /** Neuron radius in pixels (default 14). */
  radius?: number;
  /** Gap between neurons of the same layer (default 18) and between layers (default 70). */
  neuronGap?: number;
  layerGap?: number;
}

const MARGIN = 24;

function roleOf(network: NeuralNetwork): (n: NeuronId) => NeuronRole {
  const inputs = new Set(network.inputNeurons);
  const outputs = new Set(network.outputNeurons);
  return (n) => (inputs.has(n) ? "input" : outputs.has(n) ? "output" : "hidden");
}

function dagreLayout(network: NeuralNetwork, options: Required<Omit<LayoutOptions, "engine" | "maxDagreEdges">>): NetworkLayout {
  const { radius, neuronGap, layerGap, direction } = options;
  const weighted = network.toWeightedGraph();
  const key = new Map<NeuronId, string>(weighted.nodes.map((n, i) => [n, `n${i}`]));
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: direction, nodesep: neuronGap, ranksep: layerGap, marginx: MARGIN, marginy: MARGIN });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of weighted.nodes) g.setNode(key.get(n)!, { width: 2 * radius, height: 2 * radius });
  for (const e of weighted.edges) g.setEdge(key.get(e.from)!, key.get(e.to)!);
  dagre.layout(g);
  const role = roleOf(network);
  const dropout = network.structure.dropout;
  const neurons = weighted.nodes.map((n): PlacedNeuron => {
    const p = g.node(key.get(n)!);
    return { id: n, role: role(n), dropout: dropout.get(n) ?? 0, x: p.x, y: p.y };
  });
  const edges = weighted.edges.map((e): PlacedEdge => {
    const points = (g.edge(key.get(e.from)!, key.get(e.to)!).points ?? []).map((p: { x: number; y: number }) => ({ x: p.x, y: p.y }));
    return { from: e.from, to: e.to, weight: e.weight, points };
  });
  const graph = g.graph();
  return { neurons, edges, width: graph.width ?? 0, height: graph.height ?? 0, engine: "dagre" };
}

function batchLayout(network: NeuralNetwork, options: Required<Omit<LayoutOptions, "engine" | "maxDagreEdges">>): NetworkLayout {
  const { radius, neuronGap, layerGap, direction } = options;
  const layers: (readonly NeuronId[])[] = [network.inputNeurons, ...network.topoBatches];
  const tallest = Math.max(...layers.map((l) => l.length));
  const step = 2 * radius + neuronGap;
  const across = (tallest - 1) * step;
  const role = roleOf(network);
  const dropout = network.structure.dropout;
  const at = new Map<NeuronId, { x: number; y: number }>();
  const neurons: PlacedNeuron[] = [];
  layers.forEach((layer, l) => {
    const offset = (across - (layer.length - 1) * step) / 2; // centre each layer
    layer.forEach((n, i) => {
      const along = MARGIN + radius + l * (2 * radius + layerGap);
      const side = MARGIN + radius + offset + i * step;
      const p = direction === "LR" ? { x: along, y: side } : { x: side, y: along };
      at.set(n, p);
      neurons.push({ id: n, role: role(n), dropout: dropout.get(n) ?? 0, ...p });
    });
  });
  const edges = network.toWeightedGraph().edges.map((e): PlacedEdge => ({ from: e.from, to: e.to, weight: e.weight, points: [at.get(e.from)!, at.get(e.to)!] }));
  const length = 2 * MARGIN + 2 * radius + (layers.length - 1) * (2 * radius + layerGap);
  const breadth = 2 * MARGIN + 2 * radius + across;
  return direction === "LR"
    ? { neurons, edges, width: length, height: breadth, engine: "batches" }
    : { neurons, edges, width: breadth, height: length, engine: "batches" };
}

/**
 * Positions of every neuron and edge of `network` (see the module comment for the engines).
 *
 * @example
 * layoutNetwork(net).neurons[0]; // { id: 0, role: "input", dropout: 0, x: 38, y: 80 }
 */
export function layoutNetwork(network: NeuralNetwork, options: LayoutOptions = {}): NetworkLayout {
  const resolved = {
    direction: options.direction ?? "LR",
    radius: options.radius ?? 14,
    neuronGap: options.neuronGap ?? 18,
    layerGap: options.layerGap ?? 70,
  };
  const engine = options.engine ?? "auto";
  const useDagre = engine === "dagre" || (engine === "auto" && network.numEdges <= (options.maxDagreEdges ?? 1500));
  return useDagre ? dagreLayout(network, resolved) : batchLayout(network, resolved);
}
