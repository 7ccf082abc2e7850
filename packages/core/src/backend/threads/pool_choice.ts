import { numThreads } from "./config.js";
import { hushWorkers, jobsShared, limitThreads } from "./pool.js";

/**
 * Whether a compiled program runs faster with its large operations split across the pool's
 * threads or all on the calling thread, found by timing whole calls both ways.
 *
 * Each operation's split threshold is measured on that operation alone, but a split also costs
 * the operations after it: the worker spins for its next job for 0.5-2 ms after each one, and
 * while it spins the calling thread's serial work can run slower (at times, on this shared
 * 2-vCPU machine). A sparse training step, a few split products among ~50 small operations, ran
 * 1.05x-1.62x as long on 2 threads as on 1 in `pnpm bench` before this choice; a dense step,
 * most of its time in split products, ran in ~0.6x (README.md, "Each step's parallel
 * speed-up"). Only the whole call's time sees both effects.
 *
 * A chooser lets a program's first calls run with the pool, then probes: blocks of calls
 * (~20 ms each), alternately with the pool and on the calling thread alone ({@link limitThreads},
 * with the workers told to sleep: {@link hushWorkers}), a few blocks each way. A block's first
 * call is not counted (the worker may still be spinning from the block before, or asleep). A
 * probe finds the pool faster when its median call took less than a margin of the other's, else
 * the calling thread alone; the way taken is the one most of the last three probes found
 * ({@link VOTES}: one probe slowed by the host does not turn it), for a hold of many probes'
 * lengths; then a new probe, as a shared machine's load changes. A probe that keeps the way
 * doubles the hold; one that keeps an earlier probe's way by a clear gap (one way much faster)
 * holds the longest at once. A program whose probe handed
 * no job to the pool runs as it is until the next probe (its worker may have been starting).
 * Each thread count has its own choice: back at a count seen before, a program takes up its
 * choice and hold where it left them (the benchmarks time every step on 1 thread between rounds
 * on 2). Results do not depend on the choice: a split never changes how an element is computed.
 * {@link PROBE} gives the numbers and why.
 */

/** How a {@link PoolChoice} probes (the defaults: {@link PROBE}). */
export interface ProbeOptions {
  /** A probe block lasts about this long (ms): as many calls as take it, within `minBlock` and `maxBlock`. */
  readonly blockMs: number;
  /** Calls per probe block, at least and at most (the first of each not counted). */
  readonly minBlock: number;
  readonly maxBlock: number;
  /** Blocks each way per probe. */
  readonly pairs: number;
  /** Calls run the chosen way after a probe, in probes' lengths; doubled each time a probe keeps the way, up to `maxDoublings` times. */
  readonly hold: number;
  readonly maxDoublings: number;
  /** The pool is kept only when its median call takes less than this fraction of the calling thread's alone. */
  readonly margin: number;
  /**
   * A probe whose faster way's median call takes less than this fraction of the other's is
   * clear: keeping an earlier probe's way, it holds for the longest hold at once.
   */
  readonly clear: number;
  /** Calls run with the pool before the first probe (the first calls compile kernels and warm up the JavaScript engine's code). */
  readonly warmUp: number;
  /** Of those, the first ones whose times do not count towards the probe's block size (the very first call compiles the program). */
  readonly untimed: number;
  /** The clock calls are timed by (ms): `performance.now` when absent; tests give a simulated one. */
  readonly clock?: () => number;
}

/**
 * The probe's defaults.
 * - Blocks of ~20 ms: probes with blocks of 4 calls (~2 ms of a sparse MNIST step) kept the
 *   pool for steps that then ran slower on 2 threads than on 1 (the 21 % step: 0 of 7 probes
 *   chose the calling thread alone, and its 2-thread rounds took 1.16-2.11 ms against
 *   1.55-2.21 ms on one thread; `--only mnist`, 2026-12-07 02:00 UTC). Our reading: a host
 *   that gives our two vCPUs less than two cores in its busy phases takes longer than a few
 *   milliseconds to slow the calling thread down.
 * - A margin of 0.95: a second core kept busy (and spinning between jobs) for a gain of a few
 *   per cent is not worth it on a shared machine; without it, the sparse steps' probes kept the
 *   pool in 6 of 9 probes while those steps took 0.97x-1.04x their 1-thread time on 2 threads
 *   (`--only mnist`, 2026-12-07 01:56 UTC).
 * - A hold of 2 probes' lengths after a probe that changed the way, doubled each time a probe
 *   keeps the way (the first probe that keeps the warm-up's pool: 4), up to 64x (128 probes'
 *   lengths): a wrong choice is undone soon, and once the way has held, 1 call in 129 is a
 *   probe's (half of those the slower way). A single probe can be wrong, the host busy while
 *   one way ran; with a first hold of 20 probes' lengths (up to 8x, before 2026-12-07 ~04:40)
 *   such a choice held for ~1,000 calls of the DenseMLP step. We took its 6.11 ms in the `dense`
 *   suite of the full run of 04:29 UTC (4.35 ms on 2 threads, 5.92 ms on 1 in the `threads`
 *   suite) for such a case; that suite's count of probes, added after, showed 1 of 4 choosing
 *   the calling thread alone in an `--only dense` run (05:31 UTC) whose jitted rounds took
 *   4.36-11.2 ms (median 6.15): its 10-step rounds after the peers' processes are that noisy,
 *   and the reading is not established.
 * - A probe that keeps the way an earlier probe chose, by a clear gap (the faster way under
 *   0.8x the other), holds the longest at once; the first probe and one that changes the way do
 *   not. What a probe costs grows with the gap between the ways, as half its calls run the
 *   slower way: the dense MNIST step's probe is 64 calls, 32 of them alone at ~1.4x the pool's
 *   time, and with the holds of 20 probes' lengths doubled two probes fell within its 2-thread
 *   rounds in `pnpm bench` (2026-12-07 03:46 UTC), rounds of 2.26-4.08 ms (median 2.72). Steps
 *   with large gaps rarely change way (in the full run of 02:24 UTC that day, 1 of 7 probes of
 *   the dense MNIST step chose the calling thread alone, 0 of 14 of the DenseMLP step's); steps
 *   with small gaps change way often (the 7 % step: 3 of 4), and keep the shorter holds.
 */
export const PROBE: ProbeOptions = { blockMs: 20, minBlock: 4, maxBlock: 64, pairs: 4, hold: 2, maxDoublings: 6, margin: 0.95, clear: 0.8, warmUp: 20, untimed: 5 };

type Way = "pool" | "alone";

/** Probes decided since start, and how many of them chose the calling thread alone (see {@link poolChoiceCounts}). */
const counts = { probes: 0, alone: 0 };

/**
 * How many probes every program's choice has decided since the process started, and how many
 * chose the calling thread alone (diagnostics: the benchmarks report them per timed round).
 * Example: `const { probes, alone } = poolChoiceCounts()`.
 */
export function poolChoiceCounts(): { readonly probes: number; readonly alone: number } {
  return { ...counts };
}

const wallClock: () => number = (globalThis as { performance?: { now(): number } }).performance
  ? () => performance.now()
  : () => Date.now();

/** What a program keeps of its choice at one thread count. */
interface CountState {
  /** The way chosen, or `null` when the last probe's calls handed no job to the pool (nothing to choose: they run as they are). */
  way: Way | null;
  /** Calls left before the next probe. */
  held: number;
  /** Probes in a row that kept the way chosen before (each doubles the hold). */
  confirmed: number;
  /** Whether the way was chosen by a probe (not the warm-up's pool). */
  probed: boolean;
  /** The ways the last {@link VOTES} probes that handed jobs to the pool found faster, oldest first. */
  votes: Way[];
  /** A running mean of the calls' times outside probes (ms), which sizes the probe's blocks. */
  callMs: number;
  /** Calls per block of the current (or last) probe. */
  block: number;
}

/**
 * One compiled program's choice. `run(f)` runs one call of it the chosen (or probed) way.
 * Example: `const choice = new PoolChoice(); const run = (xs) => choice.run(() => execute(xs))`.
 */
export class PoolChoice {
  /** The thread count {@link state} is for. */
  private threads = 0;
  /** The choice at that count. */
  private state: CountState;
  /** Probe call index, or -1 when not probing. */
  private probe = -1;
  private readonly times: Record<Way, number[]> = { pool: [], alone: [] };
  /** Whether some pool-way probe call shared a job with the workers. */
  private shared = false;
  /** Calls left whose times are not taken into the state's `callMs`. */
  private untimed = 0;
  private readonly options: ProbeOptions;
  /** The choice left at each other thread count (see {@link switchTo}). */
  private readonly saved = new Map<number, CountState>();

  /** The clock calls are timed by. */
  private readonly now: () => number;

  constructor(options: Partial<ProbeOptions> = {}) {
    this.options = { ...PROBE, ...options };
    this.now = this.options.clock ?? wallClock;
    this.state = this.freshState();
  }

  /** The way calls run now (diagnostics and tests). */
  get chosen(): Way | "probing" | "unsplit" {
    if (this.probe >= 0) return "probing";
    return this.state.way ?? "unsplit";
  }

  /** Calls per block of the current (or last) probe. */
  get blockCalls(): number {
    return this.state.block;
  }

  run<T>(f: () => T): T {
    const now = this.now;
    const threads = numThreads();
    if (threads !== this.threads) this.switchTo(threads);
    if (threads <= 1) return f();
    if (this.probe < 0 && this.state.held > 0) {
      this.state.held--;
      const t0 = now();
      const result = this.state.way === "alone" ? alone(f) : f();
      if (this.untimed > 0) this.untimed--;
      else {
        const t = now() - t0;
        this.state.callMs = this.state.callMs === 0 ? t : 0.75 * this.state.callMs + 0.25 * t;
      }
      return result;
    }
    if (this.probe < 0) this.startProbe();
    const i = this.probe++;
    const way: Way = Math.floor(i / this.state.block) % 2 === 0 ? "pool" : "alone";
    const jobs = jobsShared();
    const t0 = now();
    const result = way === "pool" ? f() : alone(f);
    const t = now() - t0;
    if (way === "pool" && jobsShared() !== jobs) this.shared = true;
    if (i % this.state.block !== 0) this.times[way].push(t);
    if (this.probe === 2 * this.options.pairs * this.state.block) this.decide();
    return result;
  }

  /**
   * Keeps the state of the thread count left, and takes up the one of `threads`: where it was
   * left (a caller that goes to one thread and back keeps its choice and its hold), or fresh, with
   * the pool and a warm-up, for a count not seen before.
   */
  private switchTo(threads: number): void {
    if (this.threads > 1) this.saved.set(this.threads, this.state);
    this.threads = threads;
    this.probe = -1;
    const saved = this.saved.get(threads);
    this.state = saved ?? this.freshState();
    this.untimed = saved === undefined ? this.options.untimed : 0;
  }

  /** A count's choice before its warm-up: the pool. */
  private freshState(): CountState {
    return { way: "pool", held: this.options.warmUp, confirmed: 0, probed: false, votes: [], callMs: 0, block: 0 };
  }

  private startProbe(): void {
    const { blockMs, minBlock, maxBlock } = this.options;
    // At least 2 calls: a block's first call is not counted.
    this.state.block = Math.max(2, minBlock, Math.min(maxBlock, this.state.callMs > 0 ? Math.ceil(blockMs / this.state.callMs) : minBlock));
    this.probe = 0;
    this.shared = false;
    this.times.pool.length = 0;
    this.times.alone.length = 0;
  }

  private decide(): void {
    const { margin, clear, hold, maxDoublings, pairs } = this.options;
    this.probe = -1;
    const pool = median(this.times.pool);
    const byItself = median(this.times.alone);
    const found: Way | null = !this.shared ? null : pool < margin * byItself ? "pool" : "alone";
    const st = this.state;
    if (found !== null) {
      st.votes.push(found);
      if (st.votes.length > VOTES) st.votes.shift();
    }
    const way = found === null ? null : voted(st.votes, st.way);
    // Each probe that keeps the way doubles the hold; one that keeps a probe's way by a clear gap
    // holds the longest at once; one outvoted (its way not taken) holds the shortest, so that the
    // next probe, which settles the question, comes soon.
    const isClear = Math.min(pool, byItself) < clear * Math.max(pool, byItself);
    st.confirmed = way !== st.way || way !== found ? 0 : isClear && st.probed ? maxDoublings : Math.min(st.confirmed + 1, maxDoublings);
    st.way = way;
    st.probed = true;
    st.held = (hold * 2 * pairs * st.block) << st.confirmed;
    if (way !== null) {
      counts.probes++;
      if (way === "alone") counts.alone++;
    }
  }
}

/**
 * Probes whose findings decide the way: the way most of the last three probes found faster. The
 * first probe decides alone (the warm-up's pool is no finding); after two that disagree the way
 * stays as it was. A single probe can be wrong, one way's blocks slowed by the host: in
 * `pnpm bench`, where each round follows the peers' processes, the DenseMLP step's probes chose
 * the calling thread alone in 1 of 3 (2026-12-07 23:29 UTC) and 2 of 5 (21:52 UTC) probes, and
 * those runs' rounds took 7.60 and 8.45 ms against 5.62–6.88 ms, and 7.47 and 7.36 ms against
 * 3.96–4.59 ms; its probes in a process of its own kept the pool by 0.66x–0.77x (six probes in
 * three `--only dense` runs, 23:10–23:20 UTC). A host that has really changed turns the way after
 * two probes.
 */
export const VOTES = 3;

/** The way most of `votes` (at most {@link VOTES}) name, or `current` when they are split evenly. */
function voted(votes: readonly Way[], current: Way | null): Way {
  const forPool = votes.filter((v) => v === "pool").length;
  const forAlone = votes.length - forPool;
  if (forPool !== forAlone) return forPool > forAlone ? "pool" : "alone";
  return current ?? votes[votes.length - 1]!;
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
