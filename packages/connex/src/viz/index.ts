/**
 * `cnx.viz`: pictures of networks and training runs. `toSVG`/`show` draw a network; `lossCurve`
 * and `weightHistogram` plot with Vega-Lite; `progress` shows a live progress display.
 */
export { toSVG, escapeXml, PALETTE, type ToSVGOptions, type Highlight } from "./to_svg.js";
export { layoutNetwork, type LayoutOptions, type NetworkLayout, type PlacedNeuron, type PlacedEdge, type NeuronRole } from "./layout.js";
export { show, type ShowOptions } from "./show.js";
export { lossCurve, weightHistogram, renderVegaLite, type LossCurveOptions, type WeightHistogramOptions, type StepMark } from "./plots.js";
export { progress, formatLoss, type Progress, type ProgressOptions } from "./progress.js";
export { inTslab, type NotebookDisplay } from "./notebook.js";
