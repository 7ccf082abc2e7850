/**
 * The worker pool's jobs: `splitJob` cuts work into consecutive non-empty ranges covering every
 * unit once; `runJob` runs every chunk exactly once, on 1 or 2 threads, and a job run again
 * reads its (packed) records as rewritten in place; a sealed job takes no more calls; a kernel
 * call that throws in a worker is reported on the calling thread with the kernel and the message;
 * one that throws on the calling thread is thrown once the workers have left the job.
 */
import { afterAll, describe, expect, it } from "vitest";
import { numThreads, setNumThreads } from "../../../src/backend/threads/config.js";
import { Job, runJob, splitJob, threadsSupported, waitForThreads, workerChunks, workersStopping } from "../../../src/backend/threads/pool.js";
import { kernelId } from "../../../src/backend/threads/kernel_memory.js";
import { allocateResident, releaseResident, residentAddress } from "../../../src/backend/resident_storage.js";
import { MAX_CHUNKS, RECORD } from "../../../src/backend/threads/worker_source.js";
import "../../../src/backend/kernels/wasm/elementwise_wasm.js";

const initial = numThreads();
afterAll(() => setNumThreads(initial));

describe("splitJob", () => {
  it("cuts parts into at most four chunks per thread, consecutive, non-empty, covering each part once", () => {
    for (const [parts, threads] of [[1, 2], [3, 2], [8, 2], [75, 2], [1000, 2], [7, 1], [5, 4]] as const) {
      const ranges: [number, number][] = [];
      const job = splitJob(parts, threads, (j, p0, p1) => {
        ranges.push([p0, p1]);
        j.call(0, p0, p1);
      });
      expect(ranges.length).toBe(Math.min(parts, 4 * threads));
      expect(job.starts.length).toBe(ranges.length);
      let next = 0;
      for (const [p0, p1] of ranges) {
        expect(p0).toBe(next);
        expect(p1).toBeGreaterThan(p0);
        next = p1;
      }
      expect(next).toBe(parts);
    }
  });
});

describe("Job", () => {
  it("packs its records once read, then refuses more calls", () => {
    const job = new Job();
    job.call(3, 1, 2);
    job.chunk();
    job.call(4, 5);
    expect(job.words).toBe(2 * RECORD);
    const r = job.records;
    expect(r).toBeInstanceOf(Int32Array);
    expect(Array.from(r)).toEqual([3, 1, 2, 0, 0, 0, 0, 0, 0, 4, 5, 0, 0, 0, 0, 0, 0, 0]);
    expect(job.records).toBe(r);
    expect(() => job.call(1)).toThrow(/sealed/);
  });
});

describe.skipIf(!threadsSupported())("runJob", () => {
  it("runs every chunk exactly once on 1 and 2 threads, and a rerun reads records rewritten in place", () => {
    const tiles = 64;
    const floats = 256; // one tile: 64 vectors of 4
    const src = allocateResident(Float32Array, tiles * floats)!;
    const dst = allocateResident(Float32Array, tiles * floats)!;
    const other = allocateResident(Float32Array, tiles * floats)!;
    try {
      const copy = kernelId("elementwise", "copy");
      // Each tile copies itself and adds nothing: `copy(dst, src, 0, 0, vectors)`.
      const job = splitJob(tiles, 2, (j, t0, t1) => {
        for (let t = t0; t < t1; t++) j.call(copy, residentAddress(dst) + t * floats * 4, residentAddress(src) + t * floats * 4, 0, 0, floats / 4);
      });
      for (const threads of [1, 2]) {
        setNumThreads(threads);
        expect(waitForThreads()).toBe(threads);
        src.forEach((_, i) => (src[i] = i * threads + 0.5));
        dst.fill(-1);
        runJob(job);
        expect(dst.every((v, i) => v === i * threads + 0.5)).toBe(true);
      }
      // Point every call's source at `other`, in place, and run the same job again.
      const r = job.records;
      const shift = residentAddress(other) - residentAddress(src);
      for (let q = 0; q < r.length; q += RECORD) r[q + 2]! += shift;
      other.forEach((_, i) => (other[i] = -i));
      runJob(job);
      expect(dst.every((v, i) => v === -i)).toBe(true);
    } finally {
      for (const a of [src, dst, other]) releaseResident(a);
    }
  });

  it("runs every chunk exactly once whatever the chunk count, with the caller taking chunks from the first and workers from the last", () => {
    // Each chunk adds 1 to its own tiles in place (`add(dst, dst, ones)`): a chunk run twice
    // leaves 2, a chunk skipped leaves 0.
    const tiles = 1024;
    const floats = 16; // one tile: one group of SIMD_UNROLL vectors, the add kernel's step
    const dst = allocateResident(Float32Array, tiles * floats)!;
    const ones = allocateResident(Float32Array, tiles * floats)!;
    try {
      ones.fill(1);
      const add = kernelId("elementwise", "add");
      setNumThreads(2);
      expect(waitForThreads()).toBe(2);
      for (const chunks of [2, 3, 5, 8, 64, 1000, MAX_CHUNKS]) {
        const job = new Job();
        for (let c = 0; c < chunks; c++) {
          job.chunk();
          const t0 = Math.floor((tiles * c) / chunks);
          const t1 = Math.floor((tiles * (c + 1)) / chunks);
          if (t1 > t0) job.call(add, residentAddress(dst) + t0 * floats * 4, residentAddress(dst) + t0 * floats * 4, residentAddress(ones) + t0 * floats * 4, 0, ((t1 - t0) * floats) / 4);
        }
        for (let rep = 0; rep < 20; rep++) {
          dst.fill(0);
          runJob(job);
          const wrong = dst.findIndex((v) => v !== 1);
          expect(wrong, `${chunks} chunks, run ${rep}: element ${wrong} is ${dst[wrong]}`).toBe(-1);
        }
      }
    } finally {
      setNumThreads(initial);
      for (const a of [dst, ones]) releaseResident(a);
    }
  });
});

/** Runs a 2-thread job copying `src` (filled with `i + shift`) into `dst` in 16 tiles, and expects every element copied. */
function expectNextJobCopies(src: Float32Array, dst: Float32Array, shift: number): void {
  const copy = kernelId("elementwise", "copy");
  const tile = src.length / 16;
  src.forEach((_, i) => (src[i] = i + shift));
  dst.fill(0);
  runJob(splitJob(16, 2, (j, t0, t1) => j.call(copy, residentAddress(dst) + t0 * tile * 4, residentAddress(src) + t0 * tile * 4, 0, 0, ((t1 - t0) * tile) / 4)));
  expect(dst.every((v, i) => v === i + shift)).toBe(true);
}

/** Runs `body` on 2 threads with two resident float32 arrays of 64 Ki elements and the copy kernel's id, then releases them. */
function withCopyArrays(body: (src: Float32Array, dst: Float32Array, copy: number) => void): void {
  const floats = 64 * 1024;
  const src = allocateResident(Float32Array, floats)!;
  const dst = allocateResident(Float32Array, floats)!;
  try {
    setNumThreads(2);
    expect(waitForThreads()).toBe(2);
    body(src, dst, kernelId("elementwise", "copy"));
  } finally {
    setNumThreads(initial);
    for (const a of [src, dst]) releaseResident(a);
  }
}

describe.skipIf(!threadsSupported())("a kernel call that throws", () => {
  it("in a worker: throws on the calling thread with the kernel's name and the engine's message, and the next job runs", () => {
    withCopyArrays((src, dst, copy) => {
      // Chunk 0 keeps the caller busy (tens of milliseconds of copies) while the worker takes
      // the last chunk, a copy to an address past the memory's end (a trap).
      const failing = () => {
        const job = new Job();
        job.chunk();
        for (let i = 0; i < 300; i++) job.call(copy, residentAddress(dst), residentAddress(src), 0, 0, src.length / 4);
        job.chunk();
        job.call(copy, -64, residentAddress(src), 0, 0, 4);
        return job;
      };
      // The caller runs the bad chunk itself only if the worker never woke in that time: the
      // engine's trap is then thrown as it is. Retried until the worker took it.
      let message = "";
      for (let attempt = 0; attempt < 10 && message === ""; attempt++) {
        const before = workerChunks();
        try {
          runJob(failing());
        } catch (e) {
          if (workerChunks() > before) message = (e as Error).message;
        }
      }
      expect(message).toMatch(/^runJob: kernel elementwise\/copy \(id \d+\) failed in a worker thread: .*out of bounds/);
      // The failure is reported once: the next job on 2 threads runs, and its copy is right.
      expectNextJobCopies(src, dst, 0.25);
    });
  });

  it("on the calling thread: throws the engine's error once the workers have left the job, and a worker's failure in the same job does not reach the next", () => {
    withCopyArrays((src, dst, copy) => {
      for (let attempt = 0; attempt < 3; attempt++) {
        // Chunk 0, the caller's (it reserves first, from the front), traps at once; the last,
        // the worker's, copies for a while and then traps too.
        const job = new Job();
        job.chunk();
        job.call(copy, -64, residentAddress(src), 0, 0, 4);
        job.chunk();
        for (let i = 0; i < 100; i++) job.call(copy, residentAddress(dst), residentAddress(src), 0, 0, src.length / 4);
        job.call(copy, -64, residentAddress(src), 0, 0, 4);
        let thrown: unknown = null;
        try {
          runJob(job);
        } catch (e) {
          thrown = e;
        }
        expect(thrown).toBeInstanceOf(Error);
        expect((thrown as Error).message).not.toMatch(/worker thread/);
        // The next job runs and is right.
        expectNextJobCopies(src, dst, -attempt);
      }
    });
  });
});

describe.skipIf(!threadsSupported())("stopping workers", () => {
  it("terminates a worker only once it has answered its quit, and jobs right after a stop still finish", () => {
    const tiles = 64;
    const floats = 256;
    const src = allocateResident(Float32Array, tiles * floats)!;
    const dst = allocateResident(Float32Array, tiles * floats)!;
    try {
      const copy = kernelId("elementwise", "copy");
      const job = (threads: number) =>
        splitJob(tiles, threads, (j, t0, t1) => {
          for (let t = t0; t < t1; t++) j.call(copy, residentAddress(dst) + t * floats * 4, residentAddress(src) + t * floats * 4, 0, 0, floats / 4);
        });
      for (let round = 0; round < 20; round++) {
        setNumThreads(3);
        expect(waitForThreads()).toBe(3);
        src.forEach((_, i) => (src[i] = i + round));
        runJob(job(3));
        // Stopped right after a job (a worker may still be late for it): it answers first.
        setNumThreads(round % 2 === 0 ? 2 : 1);
        expect(workersStopping()).toBe(0);
        dst.fill(-1);
        runJob(job(2));
        expect(dst.every((v, i) => v === i + round)).toBe(true);
      }
    } finally {
      setNumThreads(initial);
      for (const a of [src, dst]) releaseResident(a);
    }
  });
});
