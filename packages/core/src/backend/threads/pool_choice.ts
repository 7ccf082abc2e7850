import { numThreads } from "./config.js";
import { hushWorkers, jobsShared, limitThreads } from "./pool.js";

/**
 * Whether a compiled program runs faster with its large operations split across the pool's
 * threads or all on the calling thread, found by timing whole calls both ways.
 *
 * Each operation's split threshold is measured on that operation alone, but a split also costs
 * the operations after it: the worker spins for its next job for 0.5-2 ms after each one, and
 * while it spins the calling thread's serial work can run slower (on this 2-vCPU machine, at
 * times: benchmarks/README.md). A sparse training step, a few split products among ~50 small operations,
 * ran 1.10x-1.62x as long on 2 threads as on 1 in `pnpm bench` before this choice
 * (benchmarks/README.md); a dense step, most of its time in split products, ran in ~0.6x.
 * Only the whole call's time sees both effects.
 *
 * A chooser lets a program's first {@link WARM_UP} calls run with the pool, then probes: blocks
 * of {@link BLOCK} calls, alternately with the pool and on the calling thread alone
 * ({@link limitThreads}, with the workers told to sleep: {@link hushWorkers}), {@link PAIRS}
 * blocks each way. A block's first call is not counted (the worker may still be spinning from
 * the block before, or asleep). It keeps the way whose median call was shorter for {@link HOLD}
 * calls, then probes again, as a shared machine's load changes; a probe that keeps the way
 * doubles the hold (up to 8,000 calls: 0.6 % of the calls then probe, half of them the slower
 * way). A program whose probe handed no job to the pool runs as it is until the next probe (its
 * worker may have been starting). A thread-count change starts over. Results do not depend on
 * the choice: a split never changes how an element is computed.
 */

/** Calls per probe block (the first not counted). */
export const BLOCK = 4;
/** Blocks each way per probe. */
export const PAIRS = 6;
/** Calls run the chosen way between probes; doubled each time a probe keeps the way (see {@link MAX_HOLD_DOUBLINGS}). */
export const HOLD = 1000;
/** At most this many doublings of {@link HOLD}: at least one probe every 8,000 calls. */
export const MAX_HOLD_DOUBLINGS = 3;
/** Calls left alone before the first probe (the first calls compile kernels and warm up the JavaScript engine's code). */
export const WARM_UP = 20;

type Way = "pool" | "alone";

const now: () => number = (globalThis as { performance?: { now(): number } }).performance
  ? () => performance.now()
  : () => Date.now();

/**
 * One compiled program's choice. `run(f)` runs one call of it the chosen (or probed) way.
 * Example: `const choice = new PoolChoice(); const run = (xs) => choice.run(() => execute(xs))`.
 */
export class PoolChoice {
  /** The thread count the state below is for. */
  private threads = 0;
  /** Calls left before the next probe (probing when negative is reached: see `run`). */
  private held = 0;
  /** Probe call index, or -1 when not probing. */
  private probe = -1;
  /** The way chosen, or `null` when the last probe's calls handed no job to the pool (nothing to choose: they run as they are). */
  private way: Way | null = "pool";
  private readonly times: Record<Way, number[]> = { pool: [], alone: [] };
  /** Whether some pool-way probe call shared a job with the workers. */
  private shared = false;
  /** Probes in a row that kept the way chosen before (each doubles the hold, up to {@link MAX_HOLD_DOUBLINGS} times). */
  private confirmed = 0;

  /** The way calls run now (diagnostics and tests). */
  get chosen(): Way | "probing" | "unsplit" {
    if (this.probe >= 0) return "probing";
    return this.way ?? "unsplit";
  }

  run<T>(f: () => T): T {
    const threads = numThreads();
    if (threads !== this.threads) {
      this.threads = threads;
      this.way = "pool";
      this.held = WARM_UP;
      this.probe = -1;
      this.confirmed = 0;
    }
    if (threads <= 1) return f();
    if (this.probe < 0 && this.held-- > 0) return this.way === "alone" ? alone(f) : f();
    if (this.probe < 0) this.startProbe();
    const i = this.probe++;
    const way: Way = Math.floor(i / BLOCK) % 2 === 0 ? "pool" : "alone";
    const jobs = jobsShared();
    const t0 = now();
    const result = way === "pool" ? f() : alone(f);
    const t = now() - t0;
    if (way === "pool" && jobsShared() !== jobs) this.shared = true;
    if (i % BLOCK !== 0) this.times[way].push(t);
    if (this.probe === 2 * PAIRS * BLOCK) this.decide();
    return result;
  }

  private startProbe(): void {
    this.probe = 0;
    this.shared = false;
    this.times.pool.length = 0;
    this.times.alone.length = 0;
  }

  private decide(): void {
    this.probe = -1;
    const way = !this.shared ? null : median(this.times.alone) < median(this.times.pool) ? "alone" : "pool";
    this.confirmed = way === this.way ? Math.min(this.confirmed + 1, MAX_HOLD_DOUBLINGS) : 0;
    this.way = way;
    this.held = HOLD << this.confirmed;
  }
}

/** Runs `f` with every job on the calling thread. */
function alone<T>(f: () => T): T {
  const before = limitThreads(1);
  const hushed = hushWorkers(true);
  try {
    return f();
  } finally {
    hushWorkers(hushed);
    limitThreads(before);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
