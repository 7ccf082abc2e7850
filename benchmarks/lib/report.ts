/**
 * What a benchmark suite reports (rows of medians, with ratios and targets) and how the runner
 * prints them as one table.
 */

/** One measured figure. */
export interface ResultRow {
  /** The workload, e.g. "DenseMLP step". */
  suite: string;
  /** Who/how, e.g. "connex jit", "tfjs-wasm". */
  variant: string;
  /** Median over rounds. */
  median: number;
  /** Unit of `median`, e.g. "ms/step", "µs/prim", "GFLOP/s", "MB". */
  unit: string;
  /** Every round's figure (absent for single measurements). */
  rounds?: number[];
  /** Ratios `median / reference median` to other rows of the same run, e.g. to "tfjs-wasm". */
  ratios?: Ratio[];
  /** The target this row is held to, in words, e.g. "<= 1x tfjs-wasm". */
  target?: string;
  /** Whether the target is met (absent when the row has no target). */
  met?: boolean;
  /** Anything a reader needs to interpret the row. */
  note?: string;
}

/** This row's median over another row's median. */
export interface Ratio {
  /** The reference row's variant. */
  to: string;
  value: number;
}

/** A suite (or part of one) that could not run, and why. Never replaced by made-up numbers. */
export interface Skipped {
  suite: string;
  reason: string;
}

/** Everything one suite produced. */
export interface SuiteOutcome {
  rows: ResultRow[];
  skipped: Skipped[];
}

/** Options of `withRatio`. */
export interface RatioOptions {
  /** Record whether the ratio is at most this. */
  max?: number;
  /** Compare rows in different units (a training step against neataptic's SGD epoch). */
  allowUnits?: boolean;
  /** Name the reference by this instead of its variant. */
  label?: string;
}

/**
 * Append `row.median / reference.median` to `row`'s ratios (and, with `max`, record whether
 * the ratio is at most `max`). Returns a new row; `row` is not modified.
 *
 * @example
 * withRatio(ours, tfjsWasm, { max: 1 }); // { ...ours, ratios: [{ to: "tfjs-wasm", value: 0.8 }], target: "<= 1x tfjs-wasm", met: true }
 */
export function withRatio(row: ResultRow, reference: ResultRow, options: RatioOptions = {}): ResultRow {
  if (row.unit !== reference.unit && !options.allowUnits) {
    throw new Error(`withRatio: cannot compare ${row.variant} (${row.unit}) with ${reference.variant} (${reference.unit})`);
  }
  const to = options.label ?? reference.variant;
  const value = row.median / reference.median;
  const out: ResultRow = { ...row, ratios: [...(row.ratios ?? []), { to, value }] };
  if (options.max !== undefined) {
    out.target = `<= ${options.max}x ${to}`;
    out.met = value <= options.max;
  }
  return out;
}

/**
 * A number with 3 significant digits (fixed notation for ordinary magnitudes).
 *
 * @example
 * formatNumber(0.012345); // "0.0123"
 */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const magnitude = Math.floor(Math.log10(Math.abs(x)));
  const decimals = Math.max(0, 2 - magnitude);
  return x.toFixed(Math.min(decimals, 6));
}

function pad(text: string, width: number, right: boolean): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

/**
 * The rows as one aligned plain-text table (suite, variant, median, unit, ratio, target).
 *
 * @example
 * console.log(formatTable([{ suite: "x", variant: "y", median: 1.5, unit: "ms/step" }]));
 */
export function formatTable(rows: readonly ResultRow[]): string {
  const header = ["suite", "variant", "median", "unit", "ratio", "target", "ok"];
  const numeric = [false, false, true, false, false, false, false];
  const body = rows.map((r) => [
    r.suite,
    r.variant,
    formatNumber(r.median),
    r.unit,
    (r.ratios ?? []).map((q) => `${formatNumber(q.value)}x ${q.to}`).join(", "),
    r.target ?? "",
    r.met === undefined ? "" : r.met ? "yes" : "NO",
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((line) => line[c]!.length)));
  const line = (cells: string[]) => cells.map((cell, c) => pad(cell, widths[c]!, numeric[c]!)).join("  ").trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  const out = [line(header), rule];
  let previousSuite: string | undefined;
  for (let i = 0; i < body.length; i++) {
    if (previousSuite !== undefined && rows[i]!.suite !== previousSuite) out.push("");
    previousSuite = rows[i]!.suite;
    out.push(line(body[i]!));
  }
  return out.join("\n");
}
