/** The shape of one benchmark suite, as `run.ts` drives it. */
import type { SuiteOutcome } from "./report.js";

/** What the runner hands every suite. */
export interface BenchContext {
  /** Fewer steps and rounds (a smoke run). */
  readonly quick: boolean;
  /** Progress messages (to stderr, so the table stays clean on stdout). */
  log(message: string): void;
}

/** A named group of measurements, selectable with `--only <name>`. */
export interface Suite {
  /** Short name for `--only`, e.g. "dense". */
  readonly name: string;
  /** What it measures, one line. */
  readonly title: string;
  run(ctx: BenchContext): Promise<SuiteOutcome>;
}
