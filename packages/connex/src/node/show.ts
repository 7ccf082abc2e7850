/**
 * `show(network)` (from `connex/node`): the drawing, shown where the user is. In a tslab notebook it is
 * displayed in the cell's output; in a Node script it is written to an SVG file whose path is
 * printed, since a terminal cannot show it.
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
// Only connex's public entry (see files.ts).
import { InvalidOptionError, NeuralNetwork, viz } from "../index.js";
import { type NotebookDisplay, tslab } from "./notebook.js";

/** Options of `show`: drawing options, plus where to show it. */
export interface ShowOptions extends viz.ToSVGOptions {
  /** Display to use instead of tslab's (e.g. `tslab.newDisplay()`, or a test double). */
  display?: NotebookDisplay;
  /** Outside a notebook: the file to write (default: a new file in the system temp directory). */
  file?: string;
}

let fileCounter = 0;

/**
 * Show a network (drawn with `toSVG`) or a ready SVG string (e.g. from `viz.lossCurve`): in a
 * tslab notebook as the cell's output, elsewhere written to an SVG file whose path is logged.
 * Returns the SVG.
 *
 * @example
 * show(network, { highlight: { edges: added } });
 */
export function show(what: NeuralNetwork | string, options: ShowOptions = {}): string {
  if (!(what instanceof NeuralNetwork) && typeof what !== "string") {
    throw new InvalidOptionError(`show: expected a NeuralNetwork or an SVG string, got ${what === null ? "null" : typeof what}`);
  }
  const svg = typeof what === "string" ? what : viz.toSVG(what, options);
  const display = options.display ?? tslab()?.display;
  if (display !== undefined) {
    display.svg(svg);
    return svg;
  }
  const file = options.file ?? join(tmpdir(), `connex-${process.pid}-${++fileCounter}.svg`);
  writeFileSync(file, svg);
  console.log(`show: not in a notebook; wrote ${file}`);
  return svg;
}
