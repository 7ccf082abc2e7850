/**
 * Plots for training runs, rendered to SVG strings by Vega-Lite and Vega (no canvas; the same
 * in Node and in browsers; `show` from `connex/node` displays them): loss curves (one or several runs, optionally with marked steps such as network
 * edits) and weight histograms. `renderVegaLite` renders any other Vega-Lite spec. Vega is
 * loaded on first use, so importing connex stays fast.
 */
import type { TopLevelSpec } from "vega-lite";
import { InvalidOptionError } from "../errors.js";
import { NeuralNetwork } from "../network.js";

/**
 * Render a Vega-Lite spec (with inline data) to an SVG string.
 *
 * @example
 * await cnx.viz.renderVegaLite({ data: { values: [{ a: 1, b: 2 }] }, mark: "point", encoding: { x: { field: "a" }, y: { field: "b" } } });
 */
export async function renderVegaLite(spec: TopLevelSpec): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")]);
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** A step to mark on a loss curve (e.g. a plasticity edit), with its label. */
export interface StepMark {
  step: number;
  label: string;
}

/** Options of `lossCurve`. */
export interface LossCurveOptions {
  title?: string;
  /** Plot size in pixels (default 480 x 260). */
  width?: number;
  height?: number;
  /** Logarithmic loss axis (default: when every loss is positive). */
  logScale?: boolean;
  /** Vertical rules at these steps, labelled. */
  marks?: readonly StepMark[];
  /** Axis titles (default "step" and "loss"). */
  xTitle?: string;
  yTitle?: string;
}

function checkSize(v: number | undefined, name: string, op: string): void {
  if (v !== undefined && !(typeof v === "number" && Number.isFinite(v) && v > 0)) throw new InvalidOptionError(`${op}: ${name} must be a positive number, got ${String(v)}`);
}

/**
 * A loss curve as SVG: one run (`number[]`, one loss per step) or several (`{ name: losses }`,
 * one colour each), with optional marked steps.
 *
 * @example
 * show(await cnx.viz.lossCurve({ before: lossesA, after: lossesB }, { marks: [{ step: 500, label: "prune" }] }));
 */
export async function lossCurve(losses: readonly number[] | Readonly<Record<string, readonly number[]>>, options: LossCurveOptions = {}): Promise<string> {
  const op = "viz.lossCurve";
  const runs: [string, readonly number[]][] = Array.isArray(losses) ? [["loss", losses as readonly number[]]] : Object.entries(losses as Record<string, readonly number[]>);
  if (runs.length === 0) throw new InvalidOptionError(`${op}: no losses given`);
  for (const [name, values] of runs) {
    if (!Array.isArray(values) || !values.every((v) => typeof v === "number")) throw new InvalidOptionError(`${op}: the losses of ${JSON.stringify(name)} must be an array of numbers`);
  }
  checkSize(options.width, "width", op);
  checkSize(options.height, "height", op);
  const points = runs.flatMap(([run, values]) => values.map((loss, step) => ({ step, loss, run })).filter((p) => Number.isFinite(p.loss)));
  if (points.length === 0) throw new InvalidOptionError(`${op}: no finite loss values to plot`);
  const positive = points.every((p) => p.loss > 0);
  const logScale = options.logScale ?? positive;
  if (logScale && !positive) throw new InvalidOptionError(`${op}: logScale needs positive losses; pass { logScale: false }`);
  const marks = options.marks ?? [];
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    ...(options.title ? { title: options.title } : {}),
    width: options.width ?? 480,
    height: options.height ?? 260,
    background: "white",
    layer: [
      {
        data: { values: points },
        mark: { type: "line", strokeWidth: 1.5 },
        encoding: {
          x: { field: "step", type: "quantitative", title: options.xTitle ?? "step" },
          y: { field: "loss", type: "quantitative", title: options.yTitle ?? "loss", scale: logScale ? { type: "log" } : { zero: false } },
          color: runs.length > 1 ? { field: "run", type: "nominal", title: null, sort: runs.map(([name]) => name) } : { value: "#4e79a7" },
        },
      },
      ...(marks.length === 0
        ? []
        : [
            { data: { values: marks.map((m) => ({ ...m })) }, mark: { type: "rule" as const, strokeDash: [4, 3], color: "#888" }, encoding: { x: { field: "step", type: "quantitative" as const } } },
            {
              data: { values: marks.map((m) => ({ ...m })) },
              mark: { type: "text" as const, align: "left" as const, dx: 3, dy: -4, fontSize: 10, color: "#555" },
              encoding: { x: { field: "step", type: "quantitative" as const }, y: { value: 0 }, text: { field: "label" } },
            },
          ]),
    ],
  };
  return renderVegaLite(spec);
}

/** Options of `weightHistogram`. */
export interface WeightHistogramOptions {
  title?: string;
  /** Maximum number of bins (default 60). */
  bins?: number;
  /** Draw rules at `±threshold` (e.g. a pruning cut-off). */
  threshold?: number;
  width?: number;
  height?: number;
}

/**
 * A histogram of a network's edge weights (or of any numbers) as SVG.
 *
 * @example
 * show(await cnx.viz.weightHistogram(network, { threshold: 0.1 }));
 */
export async function weightHistogram(weights: NeuralNetwork | readonly number[] | Float32Array | Float64Array, options: WeightHistogramOptions = {}): Promise<string> {
  const op = "viz.weightHistogram";
  const values = weights instanceof NeuralNetwork ? weights.toWeightedGraph().edges.map((e) => e.weight) : Array.from(weights as ArrayLike<number>);
  if (!values.every((v) => typeof v === "number")) throw new InvalidOptionError(`${op}: expected a NeuralNetwork or an array of numbers`);
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) throw new InvalidOptionError(`${op}: no finite weights to plot`);
  checkSize(options.width, "width", op);
  checkSize(options.height, "height", op);
  checkSize(options.bins, "bins", op);
  const t = options.threshold;
  if (t !== undefined && !(typeof t === "number" && Number.isFinite(t) && t >= 0)) throw new InvalidOptionError(`${op}: threshold must be a non-negative number, got ${String(t)}`);
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: options.title ?? `${finite.length} weights`,
    width: options.width ?? 480,
    height: options.height ?? 220,
    background: "white",
    layer: [
      {
        data: { values: finite.map((w) => ({ w })) },
        mark: { type: "bar", color: "#4e79a7" },
        encoding: {
          x: { field: "w", type: "quantitative", bin: { maxbins: options.bins ?? 60 }, title: "weight" },
          y: { aggregate: "count", type: "quantitative", title: "edges" },
        },
      },
      ...(t === undefined
        ? []
        : [{ data: { values: [{ w: -t }, { w: t }] }, mark: { type: "rule" as const, color: "#d1495b", strokeDash: [4, 3] }, encoding: { x: { field: "w", type: "quantitative" as const } } }]),
    ],
  };
  return renderVegaLite(spec);
}
