/**
 * A worker that never leaves its job (`pool.ts`, `waitForWorkers`): the job throws once the wait
 * passes its limit instead of hanging, the pool is shut down, and later jobs run on the calling
 * thread with the same results. In a file of its own: the pool stays shut down for the rest of
 * the file's process.
 */
import { afterAll, describe, expect, it } from "vitest";
import { numThreads, setNumThreads } from "../../../src/backend/threads/config.js";
import { availableThreads, Job, runJob, setWorkerTimeout, splitJob, threadsSupported, waitForThreads, workerChunks } from "../../../src/backend/threads/pool.js";
import { addKernelModule, kernelId } from "../../../src/backend/threads/kernel_memory.js";
import { allocateResident, residentAddress } from "../../../src/backend/resident_storage.js";
import { encodeModule, FunctionBuilder } from "../../../src/backend/kernels/wasm/module_encoder.js";
import "../../../src/backend/kernels/wasm/elementwise_wasm.js";

const initial = numThreads();
afterAll(() => setNumThreads(initial));

/** `stall(out, n)`: `n` dependent float64 multiply-adds (a busy loop of a known length), the result stored at `out`. */
function stallKernel(): FunctionBuilder {
  const f = new FunctionBuilder("stall");
  const out = f.param("i32");
  const n = f.param("i32");
  const acc = f.local("f64");
  const code = f.code;
  code.block().loop();
  code.localGet(n).i32Eqz().brIf(1);
  code.localGet(acc).f64Const(0.999999).f64Mul().f64Const(1).f64Add().localSet(acc);
  code.localGet(n).i32Const(1).i32Sub().localSet(n);
  code.br(0);
  code.end().end();
  code.localGet(out).localGet(acc).f64Store();
  code.end();
  return f;
}

describe.skipIf(!threadsSupported())("a worker that never leaves its job", () => {
  it("makes the job throw after the wait's limit, shuts the pool down, and later jobs run on the calling thread", () => {
    setNumThreads(2);
    expect(waitForThreads()).toBe(2);
    expect(addKernelModule("test-stall", (memory) => encodeModule(memory, [stallKernel()]), ["stall"])).toBe(true);
    const stall = kernelId("test-stall", "stall");
    const copy = kernelId("elementwise", "copy");
    const out = allocateResident(Float64Array, 4)!;
    const src = allocateResident(Float32Array, 8 * 256)!;
    const dst = allocateResident(Float32Array, 8 * 256)!;
    for (let i = 0; i < src.length; i++) src[i] = i * 0.5;
    /** A job copying `src` to `dst` in 8 chunks; returns how many of them the worker ran. */
    const copyJob = () => {
      dst.fill(0);
      const before = workerChunks();
      runJob(splitJob(8, 2, (j, c0, c1) => {
        for (let c = c0; c < c1; c++) j.call(copy, residentAddress(dst) + c * 1024, residentAddress(src) + c * 1024, 0, 0, 64);
      }));
      expect(Array.from(dst)).toEqual(Array.from(src));
      return workerChunks() - before;
    };

    // The loop's speed on this thread, then the lengths of a short stall (~400 ms, time enough for the worker to take its chunk) and a long one (~6 s).
    const probe = 2_000_000;
    const t0 = performance.now();
    runJob(oneCall(stall, residentAddress(out), probe));
    const perMs = probe / Math.max(0.05, performance.now() - t0);
    const short = Math.round(400 * perMs);
    const long = Math.min(2 ** 31 - 1, Math.round(6000 * perMs));

    const before = setWorkerTimeout(300);
    try {
      // Wakes the worker (it then spins for its next job), then a job of two chunks: the calling
      // thread takes the first (the short stall) and the worker the last (the long one).
      copyJob();
      const job = new Job();
      job.chunk();
      job.call(stall, residentAddress(out), short);
      job.chunk();
      job.call(stall, residentAddress(out) + 8, long);
      const start = performance.now();
      expect(() => runJob(job)).toThrow(/a worker thread has not left a job for 0\.3 s; the pool is shut down/);
      // It gave up on the worker, not waited its stall out.
      expect(performance.now() - start).toBeLessThan(3000);
    } finally {
      setWorkerTimeout(before);
    }
    expect(availableThreads()).toBe(1);
    // Later jobs run, every chunk on the calling thread.
    expect(copyJob()).toBe(0);
    expect(copyJob()).toBe(0);
  });
});

/** A job of one chunk with one call. */
function oneCall(id: number, ...args: number[]): Job {
  const job = new Job();
  job.chunk();
  job.call(id, ...args);
  return job;
}
