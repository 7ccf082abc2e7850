/**
 * A compiled program's choice between the pool and the calling thread alone (`pool_choice.ts`):
 * after its warm-up calls it probes both ways and keeps the pool only when it is faster by a
 * margin, and probes again later, after a longer hold when the way is kept or the probe was clear; a program that split
 * no job in its probe runs as it is; each thread count keeps its own choice; a call that throws
 * restores the cap and the workers' spinning; compiled calls give the same bits through a probe
 * as on one thread. Workers told to stop spinning still take the next job.
 */
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { numThreads, setNumThreads } from "../../../src/backend/threads/config.js";
import { availableThreads, hushWorkers, jobsShared, runJob, splitJob, threadsSupported, waitForThreads, workerChunks } from "../../../src/backend/threads/pool.js";
import { PROBE, PoolChoice, type ProbeOptions } from "../../../src/backend/threads/pool_choice.js";
import { kernelId } from "../../../src/backend/threads/kernel_memory.js";
import { allocateResident, releaseResident, residentAddress } from "../../../src/backend/resident_storage.js";
import "../../../src/backend/kernels/wasm/elementwise_wasm.js";
import { compile } from "../../../src/backend/compile/compile.js";
import type { Jaxpr } from "../../../src/jaxpr.js";
import { eqn, newVar, v } from "../compile/jaxpr_builders.js";
import { matmulP } from "../../../src/primitives/matmul.js";
import { sinP } from "../../../src/primitives/unary.js";
import { ConcreteTensor } from "../../../src/tensor.js";
import * as np from "../../../src/np/index.js";

const initial = numThreads();
afterAll(() => setNumThreads(initial));
afterEach(() => setNumThreads(2));

/**
 * Simulated time (ms): the calls below advance it by what they stand for instead of busy-waiting,
 * so the choices do not depend on how busy the machine running the tests is (busy-waits of 1 ms
 * measured 1.6 ms and more on a loaded host, and a test failed).
 */
let simulated = 0;
const clock = () => simulated;
/** Stands for `ms` milliseconds of work on the simulated clock. */
const work = (ms: number): void => {
  simulated += ms;
};

/** The tests' probes: the defaults but for blocks of 4 calls, whatever a call takes, no probe clear (its own test below), timed on the simulated clock. */
const OPTIONS: ProbeOptions = { ...PROBE, minBlock: 4, maxBlock: 4, clear: 0, clock };
const { pairs: PAIRS, warmUp: WARM_UP } = OPTIONS;
const BLOCK = 4;
/** Calls held after a probe that changed the way. */
const HOLD = OPTIONS.hold * 2 * PAIRS * BLOCK;
/** Calls until a fresh chooser has decided: its warm-up, then one probe. */
const UNTIL_DECIDED = WARM_UP + 2 * PAIRS * BLOCK;

/** An `[m, n]` float32 array of small varied values. */
function varied(m: number, n: number, seed: number): ConcreteTensor {
  const data = new Float32Array(m * n);
  for (let i = 0; i < data.length; i++) data[i] = (((i * 7 + seed) % 13) - 6) * 0.037;
  return ConcreteTensor.fromData(data, [m, n], "float32");
}

/** Busy-waits `ms` milliseconds. */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe.skipIf(!threadsSupported())("PoolChoice", () => {
  const tiles = 16;
  const floats = 256;
  const src = allocateResident(Float32Array, tiles * floats)!;
  const dst = allocateResident(Float32Array, tiles * floats)!;
  afterAll(() => {
    releaseResident(src);
    releaseResident(dst);
  });
  /** A call that hands a small job to the pool when it may use more than one thread, then takes `poolMs` or `aloneMs`. */
  const call = (poolMs: number, aloneMs: number) => () => {
    const threads = availableThreads();
    if (threads > 1) {
      const copy = kernelId("elementwise", "copy");
      runJob(splitJob(tiles, threads, (j, t0, t1) => {
        for (let t = t0; t < t1; t++) j.call(copy, residentAddress(dst) + t * floats * 4, residentAddress(src) + t * floats * 4, 0, 0, floats / 4);
      }));
    }
    work(threads > 1 ? poolMs : aloneMs);
    return threads;
  };

  /** Runs `calls` calls that hand no job to the pool: `choice` runs them all `way`, and the next one starts a probe. */
  const expectHeldFor = (choice: PoolChoice, calls: number, way: "pool" | "alone") => {
    for (let i = 0; i < calls; i++) choice.run(() => 0);
    expect(choice.chosen).toBe(way);
    choice.run(() => 0);
    expect(choice.chosen).toBe("probing");
  };

  /** A fresh choice on 2 threads, through its warm-up and a probe that finds the pool slower. */
  const decidedAlone = (): PoolChoice => {
    setNumThreads(2);
    waitForThreads();
    const choice = new PoolChoice(OPTIONS);
    for (let i = 0; i < UNTIL_DECIDED; i++) choice.run(call(2, 0.2));
    expect(choice.chosen).toBe("alone");
    return choice;
  };

  it("keeps the pool while warming up, then probes both ways and keeps the faster", () => {
    setNumThreads(2);
    expect(waitForThreads()).toBe(2);
    const slowAlone = new PoolChoice(OPTIONS);
    const slowPool = new PoolChoice(OPTIONS);
    const seenAlone: number[] = [];
    for (let i = 0; i < UNTIL_DECIDED; i++) {
      const threads = slowAlone.run(call(0.2, 2));
      if (i < WARM_UP) expect(threads).toBe(2);
      seenAlone.push(threads);
      slowPool.run(call(2, 0.2));
    }
    // The probe ran both ways, a block at a time.
    expect(seenAlone.slice(WARM_UP, WARM_UP + BLOCK)).toEqual([2, 2, 2, 2].slice(0, BLOCK));
    expect(seenAlone.slice(WARM_UP + BLOCK, WARM_UP + 2 * BLOCK)).toEqual([1, 1, 1, 1].slice(0, BLOCK));
    expect(slowAlone.chosen).toBe("pool");
    expect(slowPool.chosen).toBe("alone");
    // The choice holds: the slow-pool program now runs on the calling thread alone.
    expect(slowPool.run(call(2, 0.2))).toBe(1);
    expect(slowAlone.run(call(0.2, 2))).toBe(2);
    // The cap is lifted after each call.
    expect(availableThreads()).toBe(2);
  });

  it("keeps the pool only when it is faster by the margin", () => {
    setNumThreads(2);
    waitForThreads();
    const choice = new PoolChoice(OPTIONS);
    // The pool way is ~3 % faster, less than the margin asks.
    expect(OPTIONS.margin).toBeLessThan(0.97);
    for (let i = 0; i < UNTIL_DECIDED; i++) choice.run(call(0.9, 0.93));
    expect(choice.chosen).toBe("alone");
  });

  it("sizes its probe's blocks by the time a call takes, within bounds", () => {
    setNumThreads(2);
    waitForThreads();
    const options = { ...PROBE, blockMs: 10, warmUp: 20, untimed: 5, pairs: 1, clock };
    const oneMs = new PoolChoice(options);
    const fiveMs = new PoolChoice(options);
    for (let i = 0; i < 21; i++) {
      // The first call compiles (not timed at all); a later slow call's weight fades.
      oneMs.run(i === 0 ? call(200, 200) : i === 5 ? call(5, 5) : call(1, 1));
      fiveMs.run(call(5, 5));
    }
    expect(oneMs.chosen).toBe("probing");
    // ~10 ms of 1 ms calls.
    expect(oneMs.blockCalls).toBeGreaterThanOrEqual(8);
    expect(oneMs.blockCalls).toBeLessThanOrEqual(10);
    // 2 calls of 5 ms: raised to the least block.
    expect(fiveMs.blockCalls).toBe(PROBE.minBlock);
  });

  it("probes again after holding its choice for HOLD calls, and turns when two of the last three probes find the other way faster", () => {
    setNumThreads(2);
    waitForThreads();
    const choice = new PoolChoice(OPTIONS);
    const f = () => 0;
    let slow = 2;
    const g = () => call(slow, 0.2)();
    for (let i = 0; i < UNTIL_DECIDED; i++) choice.run(g);
    expect(choice.chosen).toBe("alone");
    slow = 0; // the pool is now the faster way (the alone way still takes 0.2 ms)
    for (let i = 0; i < HOLD; i++) choice.run(f);
    expect(choice.chosen).toBe("alone");
    // One probe for the pool against one for alone: the way stays, for the shortest hold.
    for (let i = 0; i < 2 * PAIRS * BLOCK; i++) choice.run(g);
    expect(choice.chosen).toBe("alone");
    expectHeldFor(choice, HOLD, "alone");
    // The probe just started finds the pool faster again: two of three, the way turns.
    for (let i = 1; i < 2 * PAIRS * BLOCK; i++) choice.run(g);
    expect(choice.chosen).toBe("pool");
    expect(choice.run(g)).toBe(2);
  });

  it("does not turn on one probe that the host slowed: two probes of three decide", () => {
    setNumThreads(2);
    waitForThreads();
    const choice = new PoolChoice(OPTIONS);
    const probe = (poolMs: number, aloneMs: number, from = 0) => {
      for (let i = from; i < 2 * PAIRS * BLOCK; i++) choice.run(call(poolMs, aloneMs));
    };
    const idle = (calls: number) => {
      for (let i = 0; i < calls; i++) choice.run(() => 0);
    };
    // Warm-up and a first probe (the pool at 0.7x): kept, twice the shortest hold; a second
    // probe that keeps it: four times.
    for (let i = 0; i < WARM_UP; i++) choice.run(call(0.7, 1));
    probe(0.7, 1);
    expect(choice.chosen).toBe("pool");
    idle(2 * HOLD);
    probe(0.7, 1);
    expect(choice.chosen).toBe("pool");
    idle(4 * HOLD);
    // A probe whose pool blocks the host slowed (votes: pool, pool, alone): outvoted, the pool
    // stays, and the next probe comes after the shortest hold.
    probe(1.4, 1);
    expect(choice.chosen).toBe("pool");
    expectHeldFor(choice, HOLD, "pool");
    probe(0.7, 1, 1); // (pool, alone, pool): kept, twice the shortest hold
    expect(choice.chosen).toBe("pool");
    idle(2 * HOLD);
    probe(0.7, 1); // (alone, pool, pool)
    idle(4 * HOLD);
    // The host really changes: the pool slower in two probes in a row (pool, pool, alone, then
    // pool, alone, alone): the second turns the way.
    probe(1.4, 1);
    expect(choice.chosen).toBe("pool");
    idle(HOLD);
    probe(1.4, 1);
    expect(choice.chosen).toBe("alone");
    expect(choice.run(call(1.4, 1))).toBe(1);
  });

  it("doubles the hold each time a probe keeps the way", () => {
    const choice = decidedAlone();
    const g = call(2, 0.2);
    const f = () => 0;
    // Held for HOLD calls, then a probe that keeps "alone": held for 2 * HOLD calls.
    for (let i = 0; i < HOLD; i++) choice.run(f);
    choice.run(g);
    expect(choice.chosen).toBe("probing");
    for (let i = 1; i < 2 * PAIRS * BLOCK; i++) choice.run(g);
    expect(choice.chosen).toBe("alone");
    for (let i = 0; i < 2 * HOLD; i++) choice.run(f);
    expect(choice.chosen).toBe("alone");
    choice.run(g);
    expect(choice.chosen).toBe("probing");
  });

  it("holds the longest at once when a probe keeps an earlier probe's way by a clear gap", () => {
    setNumThreads(2);
    waitForThreads();
    const options = { ...OPTIONS, clear: PROBE.clear };
    const clearly = new PoolChoice(options);
    const closely = new PoolChoice(options);
    // Alone 10x faster: clear. Alone ~7 % faster: kept, but not clear (a call delayed by the
    // host only lengthens it, and it would take the pool way's median 0.33 ms more to look clear).
    expect(0.93).toBeGreaterThan(PROBE.clear);
    const clearCall = call(2, 0.2);
    const closeCall = call(2, 1.86);
    const probeBoth = () => {
      for (let i = 0; i < 2 * PAIRS * BLOCK; i++) {
        clearly.run(clearCall);
        closely.run(closeCall);
      }
    };
    const idle = (calls: number) => {
      for (let i = 0; i < calls; i++) {
        clearly.run(() => 0);
        closely.run(() => 0);
      }
    };
    for (let i = 0; i < WARM_UP; i++) {
      clearly.run(clearCall);
      closely.run(closeCall);
    }
    probeBoth();
    expect([clearly.chosen, closely.chosen]).toEqual(["alone", "alone"]);
    // The first probe changed the way (from the warm-up's pool): the shortest hold for both.
    idle(HOLD);
    probeBoth();
    expect([clearly.chosen, closely.chosen]).toEqual(["alone", "alone"]);
    // The second kept it: the clear one holds the longest, the close one twice the shortest.
    expectHeldFor(closely, 2 * HOLD, "alone");
    expectHeldFor(clearly, HOLD << PROBE.maxDoublings, "alone");
  });

  it("does not take the warm-up's pool for a probe's choice: a first probe that keeps it clearly holds twice the shortest", () => {
    setNumThreads(2);
    waitForThreads();
    const choice = new PoolChoice({ ...OPTIONS, clear: PROBE.clear });
    for (let i = 0; i < UNTIL_DECIDED; i++) choice.run(call(0.2, 2));
    expect(choice.chosen).toBe("pool");
    expectHeldFor(choice, 2 * HOLD, "pool");
  });

  it("runs a program that shared no job in its probe as it is", () => {
    setNumThreads(2);
    waitForThreads();
    const choice = new PoolChoice(OPTIONS);
    const before = jobsShared();
    for (let i = 0; i < UNTIL_DECIDED; i++) choice.run(() => work(0.05));
    expect(jobsShared()).toBe(before);
    expect(choice.chosen).toBe("unsplit");
    expect(choice.run(() => availableThreads())).toBe(2);
  });

  it("keeps a choice per thread count: back at a count, where it was left; at a new count, fresh", () => {
    const choice = decidedAlone();
    // On one thread it never probes, and every call sees one thread.
    setNumThreads(1);
    for (let i = 0; i < 5; i++) expect(choice.run(() => availableThreads())).toBe(1);
    // Back on two: still alone, without a new warm-up or probe.
    setNumThreads(2);
    waitForThreads();
    expect(choice.run(() => availableThreads())).toBe(1);
    expect(choice.chosen).toBe("alone");
    // Three threads: a count not seen before starts with the pool and a warm-up.
    setNumThreads(3);
    expect(waitForThreads()).toBe(3);
    expect(choice.run(() => availableThreads())).toBe(3);
    expect(choice.chosen).toBe("pool");
    // And two again: the hold left there goes on (HOLD calls from the decision, one used).
    setNumThreads(2);
    waitForThreads();
    for (let i = 0; i < HOLD - 1; i++) choice.run(() => 0);
    expect(choice.chosen).toBe("alone");
    choice.run(call(2, 0.2));
    expect(choice.chosen).toBe("probing");
  });

  it("lifts the cap and lets workers spin again when a call on the calling thread alone throws", () => {
    const choice = decidedAlone();
    expect(() =>
      choice.run(() => {
        expect(availableThreads()).toBe(1);
        throw new RangeError("culprit");
      }),
    ).toThrow(RangeError);
    expect(availableThreads()).toBe(2);
    expect(hushWorkers(false)).toBe(false);
  });
});

describe.skipIf(!threadsSupported())("hushWorkers", () => {
  it("hushed workers still take the next job", () => {
    setNumThreads(2);
    expect(waitForThreads()).toBe(2);
    const before = hushWorkers(true);
    try {
      spin(5); // long enough for the worker to stop spinning and sleep
      const a = varied(256, 256, 3);
      const chunks = workerChunks();
      const y = np.matmul(a, a);
      expect(workerChunks()).toBeGreaterThan(chunks);
      setNumThreads(1);
      expect(Array.from(np.matmul(a, a).toTypedArray())).toEqual(Array.from(y.toTypedArray()));
    } finally {
      hushWorkers(before);
    }
  });
});

describe.skipIf(!threadsSupported())("a compiled program through its probe", () => {
  it("gives the same bits on every call, whichever way it runs, as on one thread", () => {
    const [x, y, p, q] = [newVar([192, 160]), newVar([160, 224]), newVar([192, 224]), newVar([192, 224])];
    const jaxpr: Jaxpr = { inVars: [x, y], eqns: [eqn(matmulP, [x, y], p), eqn(sinP, [p], q)], outs: [v(q)] };
    const run = compile(jaxpr);
    const args = [varied(192, 160, 1), varied(160, 224, 2)];
    setNumThreads(1);
    const want = Array.from(run(args)[0]!.toTypedArray());
    setNumThreads(2);
    waitForThreads();
    const chunks = workerChunks();
    const ways = new Set<number>();
    for (let i = 0; i < UNTIL_DECIDED + 8; i++) {
      const before = workerChunks();
      expect(Array.from(run(args)[0]!.toTypedArray())).toEqual(want);
      ways.add(workerChunks() > before ? 2 : 1);
    }
    expect(workerChunks()).toBeGreaterThan(chunks);
    // The probe ran calls on the calling thread alone too.
    expect(ways).toEqual(new Set([1, 2]));
  });
});
