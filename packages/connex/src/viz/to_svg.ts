/**
 * `cnx.viz.toSVG(network)`: a network as a standalone SVG drawing. Neurons are circles coloured
 * by role (input, hidden, output); neurons with dropout have a dashed outline and a paler fill
 * (the paler, the higher `p`). Edges are coloured by the sign of their weight and drawn thicker
 * and more opaque the larger its magnitude (relative to the largest in the network). A
 * highlight set (e.g. what an edit changed) is drawn in gold on top, with the rest faded.
 */
import { InvalidOptionError } from "../errors.js";
import type { Edge } from "../graph.js";
import { NeuralNetwork } from "../network.js";
import { formatNeuron, type NeuronId } from "../neuron_id.js";
import { type LayoutOptions, layoutNetwork, type NeuronRole, type PlacedEdge, type PlacedNeuron } from "./layout.js";

/** What to highlight: neurons, edges, or both. */
export interface Highlight {
  neurons?: readonly NeuronId[];
  edges?: readonly Edge[];
}

/** Options of `toSVG`. */
export interface ToSVGOptions extends LayoutOptions {
  /** Neurons and edges to draw in gold, on top, with everything else faded. */
  highlight?: Highlight;
  /** Write neuron ids inside the circles (default: true up to 200 neurons). */
  labels?: boolean;
  /** A title above the drawing. */
  title?: string;
  /** Draw the colour legend (default true). */
  legend?: boolean;
  /**
   * Draw at most this many edges: the largest by |weight| (highlighted edges always). Default
   * 5000, which keeps a drawing of a 100,000-edge network a few hundred kilobytes; the legend
   * then says how many were left out.
   */
  maxEdges?: number;
}

/** The drawing's colours (colour-blind-safe Tableau hues). */
export const PALETTE = {
  input: "#4e79a7",
  hidden: "#bab0ac",
  output: "#f28e2b",
  positive: "#2b6cb0",
  negative: "#d1495b",
  highlight: "#e6a700",
  text: "#222222",
} as const;

const ROLE_NAMES: Readonly<Record<NeuronRole, string>> = { input: "input", hidden: "hidden", output: "output" };

/**
 * Text safe inside SVG elements and attribute values.
 *
 * @example
 * escapeXml('<a & "b">'); // "&lt;a &amp; &quot;b&quot;&gt;"
 */
export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

const num = (x: number) => (Math.round(x * 100) / 100).toString();

/** An edge key that keeps `1` and `"1"` apart. */
const edgeKey = (from: NeuronId, to: NeuronId) => `${typeof from}:${String(from)}>${typeof to}:${String(to)}`;

function checkOptions(network: unknown, options: ToSVGOptions): void {
  if (!(network instanceof NeuralNetwork)) throw new InvalidOptionError(`viz.toSVG: expected a NeuralNetwork, got ${network === null ? "null" : typeof network}`);
  if (options.engine !== undefined && !["auto", "dagre", "batches"].includes(options.engine)) {
    throw new InvalidOptionError(`viz.toSVG: engine must be "auto", "dagre" or "batches", got ${JSON.stringify(options.engine)}`);
  }
  if (options.direction !== undefined && options.direction !== "LR" && options.direction !== "TB") {
    throw new InvalidOptionError(`viz.toSVG: direction must be "LR" or "TB", got ${JSON.stringify(options.direction)}`);
  }
  for (const k of ["radius", "neuronGap", "layerGap", "maxDagreEdges", "maxEdges"] as const) {
    const v = options[k];
    if (v !== undefined && !(typeof v === "number" && Number.isFinite(v) && v >= 0)) throw new InvalidOptionError(`viz.toSVG: ${k} must be a non-negative number, got ${String(v)}`);
  }
}

/** A gentle S-curve from one neuron to the next, leaving and entering along the flow. */
function edgePath(e: PlacedEdge, direction: "LR" | "TB", radius: number): string {
  const a = e.points[0]!;
  const b = e.points[e.points.length - 1]!;
  if (direction === "LR") {
    const [x1, x2] = [a.x + radius, b.x - radius];
    const bend = Math.max(10, (x2 - x1) / 2);
    return `M${num(x1)},${num(a.y)}C${num(x1 + bend)},${num(a.y)} ${num(x2 - bend)},${num(b.y)} ${num(x2)},${num(b.y)}`;
  }
  const [y1, y2] = [a.y + radius, b.y - radius];
  const bend = Math.max(10, (y2 - y1) / 2);
  return `M${num(a.x)},${num(y1)}C${num(a.x)},${num(y1 + bend)} ${num(b.x)},${num(y2 - bend)} ${num(b.x)},${num(y2)}`;
}

/** The legend's rows, drawn at the bottom. */
function legend(y: number, omitted: number, total: number): string {
  const items: string[] = [];
  let x = 24;
  const swatch = (fill: string, label: string, dashed = false) => {
    items.push(
      `<circle cx="${x + 6}" cy="${y}" r="6" fill="${fill}" stroke="#555" stroke-width="1"${dashed ? ' stroke-dasharray="2,2" fill-opacity="0.45"' : ""}/>` +
        `<text x="${x + 16}" y="${y + 4}" font-size="11">${escapeXml(label)}</text>`,
    );
    x += 26 + label.length * 6.2;
  };
  const line = (stroke: string, label: string) => {
    items.push(`<line x1="${x}" y1="${y}" x2="${x + 18}" y2="${y}" stroke="${stroke}" stroke-width="2.5"/><text x="${x + 22}" y="${y + 4}" font-size="11">${escapeXml(label)}</text>`);
    x += 30 + label.length * 6.2;
  };
  swatch(PALETTE.input, "input");
  swatch(PALETTE.hidden, "hidden");
  swatch(PALETTE.output, "output");
  swatch(PALETTE.hidden, "dropout", true);
  line(PALETTE.positive, "w > 0");
  line(PALETTE.negative, "w < 0");
  if (omitted > 0) {
    items.push(`<text x="${x}" y="${y + 4}" font-size="11">${escapeXml(`(${total - omitted} strongest of ${total} edges shown)`)}</text>`);
  }
  return `<g class="legend" fill="${PALETTE.text}">${items.join("")}</g>`;
}

/**
 * A layered SVG drawing of the network: neurons coloured by role and dropout, edges by weight
 * sign and magnitude, an optional highlight set in gold. Laid out by dagre (large networks:
 * one column per topological batch). The result is a complete `<svg>` document string.
 *
 * @example
 * fs.writeFileSync("net.svg", cnx.viz.toSVG(network, { highlight: { neurons: [4], edges: [[2, 4]] } }));
 */
export function toSVG(network: NeuralNetwork, options: ToSVGOptions = {}): string {
  checkOptions(network, options);
  const layout = layoutNetwork(network, options);
  const radius = layout.radius;
  const highlightNeurons = new Set<NeuronId>(options.highlight?.neurons ?? []);
  const highlightEdges = new Set<string>((options.highlight?.edges ?? []).map(([a, b]) => edgeKey(a, b)));
  const anyHighlight = highlightNeurons.size > 0 || highlightEdges.size > 0;
  const labels = options.labels ?? layout.neurons.length <= 200;
  const titleHeight = options.title ? 28 : 0;
  const legendHeight = options.legend === false ? 0 : 30;
  const width = Math.max(layout.width, options.legend === false ? 0 : 640);
  const height = layout.height + titleHeight + legendHeight;

  const lit = layout.edges.filter((e) => highlightEdges.has(edgeKey(e.from, e.to)));
  const others = layout.edges.filter((e) => !highlightEdges.has(edgeKey(e.from, e.to)));
  const maxEdges = options.maxEdges ?? 5000;
  // The strongest edges, drawn weakest first so strong ones end up on top.
  const plain = others.length > maxEdges ? others.slice().sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight)).slice(0, maxEdges).reverse() : others;
  const omitted = others.length - plain.length;
  const maxAbs = layout.edges.reduce((m, e) => Math.max(m, Math.abs(e.weight)), 0) || 1;
  // Many edges: thinner and fainter, so the drawing stays readable.
  const drawn = plain.length + lit.length;
  const density = drawn > 2000 ? 0.3 : drawn > 300 ? 0.6 : 1;
  const edgeSvg = (e: PlacedEdge, lit: boolean): string => {
    const m = Math.abs(e.weight) / maxAbs;
    const colour = lit ? PALETTE.highlight : e.weight >= 0 ? PALETTE.positive : PALETTE.negative;
    const strokeWidth = lit ? 2 + 2.5 * m : density * (0.4 + 3.2 * m);
    const opacity = lit ? 1 : (anyHighlight ? 0.35 : 1) * (0.15 + 0.75 * m) * (density < 1 ? density + 0.2 : 1);
    const marker = drawn <= 300 ? ` marker-end="url(#arrow-${lit ? "highlight" : e.weight >= 0 ? "positive" : "negative"})"` : "";
    const tip = density === 1 || lit ? `<title>${escapeXml(`${formatNeuron(e.from)} → ${formatNeuron(e.to)}: w = ${e.weight.toPrecision(4)}`)}</title>` : "";
    return `<path d="${edgePath(e, layout.direction, radius)}" fill="none" stroke="${colour}" stroke-width="${num(strokeWidth)}" stroke-opacity="${num(opacity)}"${marker}>${tip}</path>`;
  };
  const neuronSvg = (n: PlacedNeuron): string => {
    const lit = highlightNeurons.has(n.id);
    const faded = anyHighlight && !lit;
    const fillOpacity = (1 - 0.65 * n.dropout) * (faded ? 0.5 : 1);
    const stroke = lit ? PALETTE.highlight : "#444444";
    const dash = n.dropout > 0 ? ' stroke-dasharray="3,2"' : "";
    const label = labels ? `<text x="${num(n.x)}" y="${num(n.y + 4)}" text-anchor="middle" font-size="${Math.max(8, Math.min(11, radius * 0.8))}" fill="${PALETTE.text}">${escapeXml(String(n.id))}</text>` : "";
    const tip = `${ROLE_NAMES[n.role]} neuron ${formatNeuron(n.id)}${n.dropout > 0 ? `, dropout p = ${n.dropout}` : ""}`;
    return (
      `<g class="neuron ${n.role}"><circle cx="${num(n.x)}" cy="${num(n.y)}" r="${radius}" fill="${PALETTE[n.role]}" fill-opacity="${num(fillOpacity)}" ` +
      `stroke="${stroke}" stroke-width="${lit ? 3.5 : 1.2}"${dash}><title>${escapeXml(tip)}</title></circle>${label}</g>`
    );
  };

  const markers = (["positive", "negative", "highlight"] as const)
    .map((k) => `<marker id="arrow-${k}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="${PALETTE[k]}"/></marker>`)
    .join("");
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${num(width)}" height="${num(height)}" viewBox="0 0 ${num(width)} ${num(height)}" font-family="Helvetica, Arial, sans-serif">`,
    `<defs>${markers}</defs>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    options.title ? `<text x="${num(width / 2)}" y="19" text-anchor="middle" font-size="14" font-weight="bold" fill="${PALETTE.text}">${escapeXml(options.title)}</text>` : "",
    `<g transform="translate(0,${titleHeight})">`,
    `<g class="edges">${plain.map((e) => edgeSvg(e, false)).join("")}</g>`,
    `<g class="highlighted-edges">${lit.map((e) => edgeSvg(e, true)).join("")}</g>`,
    `<g class="neurons">${layout.neurons.map(neuronSvg).join("")}</g>`,
    `</g>`,
    options.legend === false ? "" : legend(titleHeight + layout.height + 14, omitted, layout.edges.length),
    `</svg>`,
  ];
  return parts.join("");
}
