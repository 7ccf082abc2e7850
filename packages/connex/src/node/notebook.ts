/**
 * Talking to a Jupyter notebook run by tslab, without depending on tslab: the module is loaded
 * lazily, and only inside a tslab kernel, so Node scripts never need it installed.
 */
import { createRequire } from "node:module";
import { basename } from "node:path";

/** The part of tslab's `Display` this library uses. */
export interface NotebookDisplay {
  /** Show an HTML fragment as the cell's output. */
  html(s: string): void;
  /** Show an SVG document as the cell's output. */
  svg(s: string): void;
}

/** The part of the `tslab` module this library uses. */
interface TslabModule {
  display: NotebookDisplay;
  newDisplay(): NotebookDisplay;
}

let cached: TslabModule | null | undefined;

/**
 * A `require` that finds tslab: one made relative to the kernel's own script (`process.argv[1]`,
 * inside the tslab package), which works the same from the ESM and the CommonJS build (no
 * `import.meta`, which the CommonJS build cannot hold).
 */
function tslabRequire(): NodeRequire {
  return createRequire(process.argv[1] ?? `${process.cwd()}/`);
}

/**
 * True inside a tslab kernel (the kernel process is started as `tslab kernel ...`).
 *
 * @example
 * inTslab(); // false in a Node script
 */
export function inTslab(): boolean {
  return /tslab/i.test(basename(process.argv[1] ?? ""));
}

/**
 * The tslab module when running inside a tslab kernel, else `null`.
 *
 * @example
 * tslab()?.display.svg(svg);
 */
export function tslab(): TslabModule | null {
  if (cached !== undefined) return cached;
  cached = null;
  if (inTslab()) {
    try {
      cached = tslabRequire()("tslab") as TslabModule;
    } catch {
      cached = null;
    }
  }
  return cached;
}
