import type { Instructions } from "./instructions.js";

/**
 * Emits the first half of a 4 × 4 transpose of 32-bit lanes: from the v128 locals `rows`
 * (a, b, c, d) into the locals `out`: `[a0 b0 a1 b1]`, `[a2 b2 a3 b3]`, `[c0 d0 c1 d1]`,
 * `[c2 d2 c3 d3]`, so that each pair of rows' values at one position sit side by side.
 * Example: `interleaveLanePairs(code, [r0, r1, r2, r3], [t0, t1, t2, t3])`.
 */
export function interleaveLanePairs(code: Instructions, rows: readonly number[], out: readonly number[]): void {
  for (const pair of [0, 1]) {
    const [a, b] = [rows[2 * pair]!, rows[2 * pair + 1]!];
    code.localGet(a).localGet(b).i32x4Shuffle([0, 4, 1, 5]).localSet(out[2 * pair]!);
    code.localGet(a).localGet(b).i32x4Shuffle([2, 6, 3, 7]).localSet(out[2 * pair + 1]!);
  }
}
