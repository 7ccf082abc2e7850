/**
 * connex/node: the Node-only conveniences of connex, kept out of the main entry so that
 * `connex` bundles for browsers with no Node built-in (`fs`, `os`, `path`, `readline`,
 * `events`): showing a drawing in a tslab notebook or as an SVG file (`show`), a progress
 * display in terminals and notebooks (`progress`), and networks saved to and loaded from files
 * (`saveFile` / `loadFile`, around the main entry's `cnx.save` / `cnx.load` bytes).
 *
 * ```ts
 * import * as cnx from "connex";
 * import { show, progress, saveFile, loadFile } from "connex/node";
 * ```
 *
 * @packageDocumentation
 * @module connex/node
 */
export { show, type ShowOptions } from "./show.js";
export { progress, type Progress, type ProgressOptions } from "./progress.js";
export { inTslab, type NotebookDisplay } from "./notebook.js";
export { saveFile, loadFile } from "./files.js";
