import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import {
  allocateBlock,
  BLOCK_ALIGN,
  BLOCK_SLACK,
  DEFAULT_HEAP_LIMIT,
  freeBlock,
  heapAvailable,
  heapBuffer,
  heapLimit,
  heapStats,
  scratchArea,
  setHeapLimit,
} from "../../../src/backend/threads/kernel_heap.js";

const limitBefore = heapLimit();
afterEach(() => setHeapLimit(limitBefore));

/** The byte ranges (with slack) of blocks in use, checked pairwise for overlap. */
function expectDisjoint(blocks: readonly { at: number; bytes: number }[]): void {
  const sorted = [...blocks].sort((a, b) => a.at - b.at);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    expect(sorted[i]!.at, `block at ${sorted[i]!.at} overlaps the one at ${prev.at}`).toBeGreaterThanOrEqual(prev.at + prev.bytes + BLOCK_SLACK);
  }
}

describe.skipIf(!heapAvailable())("the kernel heap", () => {
  it("hands out aligned, disjoint blocks inside the memory, each with its slack", () => {
    const blocks = [1, 100, 4096, 65536 + 3, 7].map((bytes) => ({ at: allocateBlock(bytes)!, bytes }));
    for (const b of blocks) {
      expect(b.at % BLOCK_ALIGN).toBe(0);
      expect(b.at + b.bytes + BLOCK_SLACK).toBeLessThanOrEqual(heapBuffer().byteLength);
    }
    expectDisjoint(blocks);
    // Writing a block up to the end of its slack leaves every other block as it was.
    const u8 = new Uint8Array(heapBuffer());
    blocks.forEach((b, i) => u8.fill(i + 1, b.at, b.at + b.bytes + BLOCK_SLACK));
    blocks.forEach((b, i) => expect(u8.subarray(b.at, b.at + b.bytes + BLOCK_SLACK).every((v) => v === i + 1)).toBe(true));
    for (const b of blocks) freeBlock(b.at);
  });

  it("gives a freed block to the next request of the same size", () => {
    const a = allocateBlock(10_000)!;
    freeBlock(a);
    expect(allocateBlock(10_000)).toBe(a);
    freeBlock(a);
  });

  it("without growth, hands out only a freed block of the same size, never one the executor keeps, and never merges", () => {
    const top = heapStats().top;
    expect(allocateBlock(heapStats().free + 4096, false)).toBeNull();
    expect(heapStats().top).toBe(top);
    const a = allocateBlock(77_777)!;
    const b = allocateBlock(77_777)!;
    freeBlock(a);
    const used = heapStats().used;
    expect(allocateBlock(77_777, false)).toBe(a);
    expect(heapStats().used).toBeGreaterThan(used);
    freeBlock(a);
    freeBlock(b);
    // Two adjacent free blocks: a request twice as large gets nothing without growth (no merging).
    expect(allocateBlock(2 * 77_777, false)).toBeNull();
    // A block freed with `keep` serves growing requests only.
    const c = allocateBlock(55_555)!;
    freeBlock(c, true);
    expect(allocateBlock(55_555, false)).toBeNull();
    expect(allocateBlock(55_555)).toBe(c);
    freeBlock(c);
    expect(heapStats().top).toBeGreaterThanOrEqual(top);
  });

  it("throws on freeing a block twice or an address that is no block, and stays usable", () => {
    const a = allocateBlock(1000)!;
    freeBlock(a);
    expect(() => freeBlock(a)).toThrow(/not a block in use/);
    expect(() => freeBlock(a + 8)).toThrow(/not a block in use/);
    const b = allocateBlock(1000)!;
    expect(b).toBe(a);
    freeBlock(b);
  });

  it("refuses a block past the limit (null: the caller uses ordinary memory), and merges free neighbours to fit one", () => {
    const { top } = heapStats();
    setHeapLimit(top + 64 * 1024);
    // Take every byte there is (free blocks, merged, then the room up to the limit).
    const small: number[] = [];
    for (let a = allocateBlock(4000); a !== null; a = allocateBlock(4000)) small.push(a);
    expect(small.length).toBeGreaterThanOrEqual(8);
    expect(allocateBlock(60 * 1024)).toBeNull();
    // Freed, neighbouring blocks merge into room for a larger one.
    for (const a of small) freeBlock(a);
    const large = allocateBlock(30 * 1024);
    expect(large).not.toBeNull();
    expect(large! + 30 * 1024).toBeLessThanOrEqual(top + 64 * 1024);
    freeBlock(large!);
    setHeapLimit(0);
    expect(allocateBlock(16)).toBeNull();
  });

  it("keeps blocks in use disjoint and its accounting exact under random allocations and frees (fast-check)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 20_000 }), fc.nat()), { minLength: 1, maxLength: 80 }), fc.integer({ min: 64 * 1024, max: 512 * 1024 }), (ops, room) => {
        const start = heapStats();
        setHeapLimit(start.top + room);
        const live: { at: number; bytes: number }[] = [];
        for (const [alloc, bytes, pick] of ops) {
          if (alloc || live.length === 0) {
            const at = allocateBlock(bytes);
            if (at !== null) live.push({ at, bytes });
          } else {
            const [b] = live.splice(pick % live.length, 1);
            freeBlock(b!.at);
          }
          expectDisjoint(live);
          for (const b of live) expect(b.at + b.bytes + BLOCK_SLACK).toBeLessThanOrEqual(Math.max(start.top + room, heapStats().top));
        }
        for (const b of live) freeBlock(b.at);
        const end = heapStats();
        expect(end.used).toBe(start.used);
        setHeapLimit(DEFAULT_HEAP_LIMIT);
      }),
      { numRuns: 40 },
    );
  });

  it("gives kernels a scratch area that grows on demand and overlaps no block in use", () => {
    const a = allocateBlock(50_000)!;
    const s1 = scratchArea(1000);
    const s2 = scratchArea(1 << 20);
    const b = allocateBlock(50_000)!;
    expectDisjoint([
      { at: a, bytes: 50_000 },
      { at: s2, bytes: 1 << 20 },
      { at: b, bytes: 50_000 },
    ]);
    expect(scratchArea(10)).toBe(s2);
    expect(s1 % BLOCK_ALIGN).toBe(0);
    // The scratch area is not bound by the heap limit: kernels must run.
    setHeapLimit(0);
    expect(scratchArea(4 << 20)).not.toBeNull();
    freeBlock(a);
    freeBlock(b);
  });
});
