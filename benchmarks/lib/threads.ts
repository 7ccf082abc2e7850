/**
 * Running part of a suite on another thread count: the parallel speed-up rows (1 thread against
 * the default) of the training-step suites.
 */
import { numThreads, setNumThreads } from "@connex/core";

/**
 * `f()` run with the worker pool set to `n` threads; the previous count is restored after, also
 * when `f` throws.
 *
 * @example
 * const ms = onThreads(1, () => timeOnce(step, 60));
 */
export function onThreads<T>(n: number, f: () => T): T {
  const before = numThreads();
  setNumThreads(n);
  try {
    return f();
  } finally {
    setNumThreads(before);
  }
}
