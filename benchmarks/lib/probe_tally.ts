/**
 * The pool choice's probes (core's `threads/pool_choice.ts`) decided while a suite's own steps
 * ran, for the note beside a row: how many probes, and how many chose the calling thread alone.
 */
import { poolChoiceCounts } from "@connex/core/internal";

/**
 * Counts probes over the stretches between {@link ProbeTally.start} and {@link ProbeTally.stop}
 * (or the calls of {@link ProbeTally.count}), adding them up.
 *
 * @example
 * const tally = new ProbeTally();
 * tally.count(() => timeOnce(step, 60));
 * row.note = tally.note(); // "pool choice: 0 of 1 probes chose the calling thread alone"
 */
export class ProbeTally {
  private probes = 0;
  private alone = 0;
  private from: { readonly probes: number; readonly alone: number } | null = null;

  start(): void {
    this.from = poolChoiceCounts();
  }

  stop(): void {
    if (this.from === null) throw new Error("ProbeTally.stop: not started");
    const now = poolChoiceCounts();
    this.probes += now.probes - this.from.probes;
    this.alone += now.alone - this.from.alone;
    this.from = null;
  }

  /** `f()`, its probes counted (also when it throws). */
  count<T>(f: () => T): T {
    this.start();
    try {
      return f();
    } finally {
      this.stop();
    }
  }

  /** The note: `pool choice: k of n probes<scope> chose the calling thread alone`. */
  note(scope = ""): string {
    return `pool choice: ${this.alone} of ${this.probes} probes${scope} chose the calling thread alone`;
  }
}
