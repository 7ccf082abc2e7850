import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { np } from "../../src/index.js";
import { allocateTyped, MAX_POOLED_BYTES, recycleTyped, SLAB_BYTES } from "../../src/backend/slab_allocator.js";
import { heapLimit, setHeapLimit } from "../../src/backend/threads/kernel_heap.js";

// These are the paths of ordinary memory, where the kernel memory is not shared (or the kernel
// heap is full): a heap limit of 0 makes every large array ordinary. Large arrays resident in
// the kernel memory are tested in resident_storage.test.ts.
const limitBefore = heapLimit();
beforeAll(() => setHeapLimit(0));
afterAll(() => setHeapLimit(limitBefore));

describe("allocateTyped", () => {
  it("serves mid-sized arrays as disjoint, zeroed, 8-byte aligned views of shared slabs", () => {
    const arrays = [allocateTyped(Float32Array, 25), allocateTyped(Float64Array, 33), allocateTyped(Uint8Array, 101), allocateTyped(Float64Array, 17)];
    for (const a of arrays) {
      expect(a.buffer.byteLength).toBe(SLAB_BYTES);
      expect(a.byteOffset % 8).toBe(0);
      expect(Array.from(a).every((v) => v === 0)).toBe(true);
    }
    // Writing one never shows through another.
    for (const a of arrays) a.fill(7);
    const fresh = allocateTyped(Float32Array, 100);
    expect(Array.from(fresh).every((v) => v === 0)).toBe(true);
    const ranges = [...arrays, fresh].filter((a) => a.buffer === fresh.buffer).map((a) => [a.byteOffset, a.byteOffset + a.byteLength] as const);
    ranges.sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBeGreaterThanOrEqual(ranges[i - 1]![1]);
  });

  it("gives small and large arrays buffers of their own", () => {
    const small = allocateTyped(Float32Array, 16); // 64 bytes: on V8's heap
    const large = allocateTyped(Float32Array, MAX_POOLED_BYTES / 4 + 1);
    expect(small.buffer.byteLength).toBe(small.byteLength);
    expect(large.buffer.byteLength).toBe(large.byteLength);
    expect(large.length).toBe(MAX_POOLED_BYTES / 4 + 1);
  });

  it("starts a new slab when one is full, and never hands out the same bytes twice", () => {
    const seen = new Set<ArrayBufferLike>();
    const views: Float64Array[] = [];
    for (let i = 0; i < (2 * SLAB_BYTES) / MAX_POOLED_BYTES + 2; i++) {
      const v = allocateTyped(Float64Array, MAX_POOLED_BYTES / 8);
      v[0] = i + 1;
      views.push(v);
      seen.add(v.buffer);
    }
    expect(seen.size).toBeGreaterThanOrEqual(2);
    views.forEach((v, i) => expect(v[0]).toBe(i + 1));
  });
});

describe("tensor buffers handed to users", () => {
  it("toTypedArray returns a copy in a buffer of its own (never a view into a slab)", () => {
    const x = np.add(np.arange(100), 1); // 400 bytes: computed into a slab
    const values = x.toTypedArray();
    expect(values.buffer.byteLength).toBe(values.byteLength);
    expect(values.byteOffset).toBe(0);
    expect(values[99]).toBe(100);
    values[0] = -1;
    expect(x.toArray()).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });
});

describe("recycleTyped", () => {
  it("hands a recycled large array's memory to the next allocation of the same type and length, zeroed, as a new array object", () => {
    const n = MAX_POOLED_BYTES / 4 + 123;
    const a = allocateTyped(Float32Array, n);
    a.fill(5);
    recycleTyped(a);
    const b = allocateTyped(Float32Array, n);
    expect(b.buffer).toBe(a.buffer);
    // A new object over the same memory: marks on the old one (a deleted donated argument) stay there.
    expect(b).not.toBe(a);
    expect(b.length).toBe(n);
    expect(Array.from(b).every((v) => v === 0)).toBe(true);
    // Taken once: the next allocation is new memory.
    expect(allocateTyped(Float32Array, n).buffer).not.toBe(a.buffer);
  });

  it("keeps arrays apart by type and length", () => {
    const n = MAX_POOLED_BYTES / 4 + 7;
    const a = allocateTyped(Float32Array, n);
    recycleTyped(a);
    expect(allocateTyped(Int32Array, n).buffer).not.toBe(a.buffer);
    expect(allocateTyped(Float32Array, n + 1).buffer).not.toBe(a.buffer);
    expect(allocateTyped(Float32Array, n).buffer).toBe(a.buffer);
  });

  it("ignores slab views, subarrays and small arrays, and never keeps an array twice", () => {
    const slabView = allocateTyped(Float32Array, 100);
    recycleTyped(slabView);
    const big = new Float32Array(MAX_POOLED_BYTES);
    recycleTyped(big.subarray(1));
    recycleTyped(big.subarray(0, MAX_POOLED_BYTES / 2));
    expect(allocateTyped(Float32Array, MAX_POOLED_BYTES - 1).buffer).not.toBe(big.buffer);
    const n = MAX_POOLED_BYTES / 4 + 11;
    const a = allocateTyped(Float32Array, n);
    recycleTyped(a);
    recycleTyped(a);
    // Two array objects over the same memory are one buffer too.
    recycleTyped(new Float32Array(a.buffer, 0, n));
    expect(allocateTyped(Float32Array, n).buffer).toBe(a.buffer);
    expect(allocateTyped(Float32Array, n).buffer).not.toBe(a.buffer);
  });
});
