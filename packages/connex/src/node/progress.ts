/**
 * `progress` (from `connex/node`): a progress display for training loops, showing the step, the latest loss and steps per
 * second: a `cli-progress` bar in terminals (periodic plain lines when the output is not a
 * terminal, e.g. CI logs), one updating HTML line in a tslab notebook.
 */
import cliProgress from "cli-progress";
// Only connex's public entry (see files.ts).
import { InvalidOptionError, viz } from "../index.js";
import { type NotebookDisplay, tslab } from "./notebook.js";

/** Options of `progress`. */
export interface ProgressOptions {
  /** Total number of steps. */
  total: number;
  /** A label in front of the bar (default "training"). */
  label?: string;
  /** Where to show it: `"auto"` (default: notebook inside tslab, else terminal), or force one; `"silent"` shows nothing. */
  mode?: "auto" | "terminal" | "notebook" | "silent";
  /** Notebook display to update (default: a new tslab display). */
  display?: NotebookDisplay;
  /** Terminal stream (default `process.stderr`). */
  stream?: NodeJS.WritableStream;
  /** Least time between two redraws, in milliseconds (default 100). */
  minIntervalMs?: number;
  /** Clock in milliseconds (default `performance.now`); for tests. */
  now?: () => number;
}

/** A running progress display. */
export interface Progress {
  /**
   * Record that `step` steps are done (1-based count), with the latest loss. Redraws at most
   * every `minIntervalMs`, and always at the last step.
   */
  update(step: number, loss?: number): void;
  /** Draw the final state and release the terminal. Further updates are ignored. */
  stop(): void;
  /** Steps per second since the display started. */
  readonly stepsPerSecond: number;
  /** The latest step and loss. */
  readonly step: number;
  readonly loss: number | undefined;
}

function notebookHtml(label: string, step: number, total: number, loss: number | undefined, rate: number, done: boolean): string {
  const pct = total > 0 ? Math.min(100, (100 * step) / total) : 100;
  const bar =
    `<div style="display:inline-block;width:200px;height:10px;background:#e5e5e5;border-radius:3px;vertical-align:middle">` +
    `<div style="width:${pct.toFixed(1)}%;height:100%;background:${done ? "#59a14f" : "#4e79a7"};border-radius:3px"></div></div>`;
  return (
    `<div style="font-family:monospace;font-size:12px">${label} ${bar} ` +
    `step ${step}/${total} | loss ${viz.formatLoss(loss)} | ${rate.toFixed(1)} steps/s${done ? " | done" : ""}</div>`
  );
}

/**
 * Start a progress display for a loop of `total` steps.
 *
 * @example
 * const bar = progress({ total: 500 }); for (let i = 0; i < 500; i++) { ...; bar.update(i + 1, loss); } bar.stop();
 */
export function progress(options: ProgressOptions): Progress {
  if (typeof options !== "object" || options === null || !(Number.isInteger(options.total) && options.total >= 0)) {
    throw new InvalidOptionError(`progress: total must be a non-negative integer, got ${String((options as ProgressOptions | null)?.total)}`);
  }
  const mode = options.mode ?? "auto";
  if (!["auto", "terminal", "notebook", "silent"].includes(mode)) {
    throw new InvalidOptionError(`progress: mode must be "auto", "terminal", "notebook" or "silent", got ${JSON.stringify(mode)}`);
  }
  const total = options.total;
  const label = options.label ?? "training";
  const now = options.now ?? (() => performance.now());
  const minInterval = options.minIntervalMs ?? 100;
  const start = now();
  let step = 0;
  let loss: number | undefined;
  let lastDraw = -Infinity;
  let stopped = false;
  const rate = () => {
    const seconds = (now() - start) / 1000;
    return seconds > 0 ? step / seconds : 0;
  };

  let draw: (done: boolean) => void = () => {};
  let finish: () => void = () => {};
  const notebook = mode === "notebook" || (mode === "auto" && (options.display !== undefined || tslab() !== null));
  if (mode !== "silent" && notebook) {
    const display = options.display ?? tslab()?.newDisplay();
    if (display === undefined) throw new InvalidOptionError(`progress: mode "notebook" needs a tslab kernel or a display option`);
    draw = (done) => display.html(notebookHtml(label, step, total, loss, rate(), done));
  } else if (mode !== "silent") {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {percentage}% | step {value}/{total} | loss {loss} | {rate} steps/s | eta {eta_formatted}`,
        stream: options.stream ?? process.stderr,
        noTTYOutput: true,
        notTTYSchedule: 2000,
        hideCursor: true,
        fps: 1000 / Math.max(minInterval, 1),
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { loss: viz.formatLoss(undefined), rate: "0.0" });
    draw = () => bar.update(step, { loss: viz.formatLoss(loss), rate: rate().toFixed(1) });
    finish = () => bar.stop();
  }
  draw(false);
  lastDraw = start;

  return {
    update(s: number, l?: number): void {
      if (stopped) return;
      if (!(typeof s === "number" && Number.isFinite(s) && s >= 0)) throw new InvalidOptionError(`progress: step must be a non-negative number, got ${String(s)}`);
      step = s;
      if (l !== undefined) loss = l;
      const t = now();
      if (t - lastDraw >= minInterval || step >= total) {
        lastDraw = t;
        draw(false);
      }
    },
    stop(): void {
      if (stopped) return;
      draw(true);
      finish();
      stopped = true;
    },
    get stepsPerSecond() {
      return rate();
    },
    get step() {
      return step;
    },
    get loss() {
      return loss;
    },
  };
}
