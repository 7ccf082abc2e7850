/**
 * `cnx.viz`: pictures of networks and training runs, browser-safe. `toSVG` draws a network
 * (dagre layout, `layoutNetwork`); `lossCurve` and `weightHistogram` plot with Vega-Lite;
 * `formatLoss` prints a loss. Showing a drawing in a notebook or a file (`show`) and the
 * progress display (`progress`) are Node-only: they live in `connex/node`.
 */
export { toSVG, escapeXml, PALETTE, type ToSVGOptions, type Highlight } from "./to_svg.js";
export { layoutNetwork, type LayoutOptions, type NetworkLayout, type PlacedNeuron, type PlacedEdge, type NeuronRole } from "./layout.js";
export { lossCurve, weightHistogram, renderVegaLite, type LossCurveOptions, type WeightHistogramOptions, type StepMark } from "./plots.js";
export { formatLoss } from "./format_loss.js";
