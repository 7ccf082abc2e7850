import { afterEach, describe, expect, it } from "vitest";
import { allocateResident, moveResident, ownsResidentBlock, releaseResident, residentAddress, residentPolicy, setResidentPolicy, type ResidentPolicy } from "../../src/backend/resident_storage.js";
import { allocateTyped, MAX_POOLED_BYTES, recycleTyped } from "../../src/backend/slab_allocator.js";
import { heapAvailable, heapLimit, heapStats, setHeapLimit } from "../../src/backend/threads/kernel_heap.js";

const limitBefore = heapLimit();
afterEach(() => setHeapLimit(limitBefore));

/** Runs `fn` under `policy`, restoring the one before. */
function under<T>(policy: ResidentPolicy, fn: () => T): T {
  const saved = setResidentPolicy(policy);
  try {
    return fn();
  } finally {
    setResidentPolicy(saved);
  }
}

describe.skipIf(!heapAvailable())("tensor storage resident in the kernel memory", () => {
  it("serves large typed arrays as zeroed blocks of the kernel memory, found at their byteOffset (policy grow)", () => {
    const n = MAX_POOLED_BYTES / 4 + 10;
    const a = under("grow", () => allocateTyped(Float32Array, n));
    expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(residentAddress(a)).toBe(a.byteOffset);
    expect(ownsResidentBlock(a)).toBe(true);
    expect(a.every((v) => v === 0)).toBe(true);
    // Small arrays stay ordinary.
    const small = allocateTyped(Float32Array, 16);
    expect(residentAddress(small)).toBe(-1);
    expect(residentAddress(new Float64Array(1000))).toBe(-1);
    expect(releaseResident(a)).toBe(true);
  });

  it("releases a block at once on recycle, zeroes it for the next zeroed allocation, and releases nothing twice", () => {
    const n = 5000;
    const a = allocateResident(Float32Array, n)!;
    a.fill(3);
    const at = residentAddress(a);
    const used = heapStats().used;
    recycleTyped(a);
    expect(heapStats().used).toBeLessThan(used);
    const b = allocateResident(Float32Array, n)!;
    expect(residentAddress(b)).toBe(at);
    expect(b.every((v) => v === 0)).toBe(true);
    // `a` no longer owns anything: releasing it again must not free `b`'s block.
    expect(releaseResident(a)).toBe(false);
    expect(ownsResidentBlock(b)).toBe(true);
    expect(releaseResident(b)).toBe(true);
    expect(releaseResident(b)).toBe(false);
  });

  it("leaves an uninitialized allocation's elements as they were (a kernel writes them all)", () => {
    const a = allocateResident(Int32Array, 3000)!;
    a.fill(-7);
    releaseResident(a);
    const b = allocateTyped(Int32Array, 3000, false);
    expect(residentAddress(b)).toBe(residentAddress(a));
    expect(b[0]).toBe(-7);
    releaseResident(b);
  });

  it("moves a block's ownership to a new array object over the same memory", () => {
    const a = allocateResident(Float64Array, 2000)!;
    a[5] = 1.5;
    const moved = moveResident(a);
    expect(moved).not.toBe(a);
    expect(moved[5]).toBe(1.5);
    expect(residentAddress(moved)).toBe(residentAddress(a));
    expect(ownsResidentBlock(a)).toBe(false);
    expect(ownsResidentBlock(moved)).toBe(true);
    expect(releaseResident(a)).toBe(false);
    expect(releaseResident(moved)).toBe(true);
    // An ordinary array moves as a plain new view.
    const plain = new Float32Array(8);
    const view = moveResident(plain);
    view[0] = 2;
    expect(plain[0]).toBe(2);
  });

  it("outside jit reuses freed blocks but never takes new memory; policy off takes none", () => {
    expect(residentPolicy()).toBe("reuse");
    // More than all the free memory: an ordinary array, and the heap did not grow.
    const n = Math.ceil(heapStats().free / 4) + 123_457;
    const top = heapStats().top;
    const fresh = allocateTyped(Float32Array, n);
    expect(residentAddress(fresh)).toBe(-1);
    expect(heapStats().top).toBe(top);
    // Once a block of that size has been handed back, the next one takes it, zeroed.
    const block = under("grow", () => allocateTyped(Float32Array, n));
    block.fill(9);
    const at = residentAddress(block);
    expect(at).toBeGreaterThanOrEqual(0);
    recycleTyped(block);
    const reused = allocateTyped(Float32Array, n);
    expect(residentAddress(reused)).toBe(at);
    expect(reused.every((v) => v === 0)).toBe(true);
    recycleTyped(reused);
    // Off: ordinary even though that block is free.
    const off = under("off", () => allocateTyped(Float32Array, n));
    expect(residentAddress(off)).toBe(-1);
    expect(off.buffer).toBeInstanceOf(ArrayBuffer);
    const again = allocateTyped(Float32Array, n);
    expect(residentAddress(again)).toBe(at);
    releaseResident(again);
  });

  it("falls back to ordinary arrays when the heap is full", () => {
    setHeapLimit(heapStats().top);
    const n = Math.ceil(heapStats().free / 4) + 100_000;
    const a = under("grow", () => allocateTyped(Float32Array, n));
    expect(residentAddress(a)).toBe(-1);
    expect(a.buffer).toBeInstanceOf(ArrayBuffer);
    expect(a.length).toBe(n);
  });
});
