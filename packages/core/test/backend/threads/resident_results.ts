import { allocateResident, releaseResident } from "../../../src/backend/resident_storage.js";
import { setNumThreads } from "../../../src/backend/threads/config.js";
import { waitForThreads } from "../../../src/backend/threads/pool.js";

/**
 * Test helper: runs `write` on 1, 2 and 3 threads, each time into a float32 result of `size`
 * elements that owns its block of the kernel memory (so kernels write it in place), filled with
 * NaN beforehand; returns the three results, copied out.
 * Example: `const [one, two, three] = residentResultsOnThreads(m * n, (out) => matmulWasmF32Into(a, b, m, k, n, out))`.
 */
export function residentResultsOnThreads(size: number, write: (out: Float32Array) => void): Float32Array[] {
  return [1, 2, 3].map((threads) => {
    setNumThreads(threads);
    waitForThreads();
    const out = allocateResident(Float32Array, size, false)!;
    out.fill(Number.NaN);
    write(out);
    const copy = Float32Array.from(out);
    releaseResident(out);
    return copy;
  });
}
