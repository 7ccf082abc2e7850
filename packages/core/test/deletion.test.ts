import { describe, expect, it } from "vitest";
import { ConcreteTensor } from "../src/tensor.js";
import * as np from "../src/np/index.js";
import { DeletedArrayError } from "../src/errors.js";
import { deletionCause, markStorageDeleted, markTensorDeleted } from "../src/deletion.js";
import { allocateTyped } from "../src/backend/slab_allocator.js";
import { allocateResident, ownsResidentBlock, residentAddress } from "../src/backend/resident_storage.js";
import { heapAvailable, heapStats } from "../src/backend/threads/kernel_heap.js";

const floats = (n: number, shape: number[] = [n]) => ConcreteTensor.fromData(Float32Array.from({ length: n }, (_, i) => i + 1), shape, "float32");

describe("Tensor.delete", () => {
  it("deletes the array: every read and every operation on it throws DeletedArrayError saying delete() did it; twice does nothing", () => {
    const x = floats(6, [2, 3]);
    expect(x.isDeleted()).toBe(false);
    x.delete();
    expect(x.isDeleted()).toBe(true);
    expect(() => x.toArray()).toThrow(DeletedArrayError);
    expect(() => np.add(x, 1)).toThrow(/^add: the array \(float32 \[2, 3\]\) was deleted by delete\(\)/);
    expect(() => x.item()).toThrow(DeletedArrayError);
    expect(String(x)).toBe("Tensor(<deleted: by delete()>, shape=[2, 3], dtype=float32)");
    expect(() => x.delete()).not.toThrow();
    expect(x.isDeleted()).toBe(true);
  });

  it("deletes every array sharing a whole storage (reshape, transpose), and a slice alone, its base and siblings left intact", () => {
    const x = floats(6, [2, 3]);
    const reshaped = np.reshape(x, [3, 2]);
    const transposed = np.transpose(x);
    x.delete();
    expect(reshaped.isDeleted()).toBe(true);
    expect(transposed.isDeleted()).toBe(true);
    expect(() => np.multiply(transposed, 2)).toThrow(/was deleted by delete\(\)/);

    const base = floats(6, [2, 3]);
    const row = np.slice(base, 0, 1) as ConcreteTensor;
    const other = np.slice(base, 1, 2) as ConcreteTensor;
    expect(row.data).toBe(base.data);
    row.delete();
    expect(row.isDeleted()).toBe(true);
    expect([base.isDeleted(), other.isDeleted()]).toEqual([false, false]);
    expect(base.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(other.toArray()).toEqual([[4, 5, 6]]);
  });

  it("gives a large array's memory back at once: the next allocation of its size takes it, as a new array the mark does not reach", () => {
    const n = 100_000;
    const data = allocateTyped(Float32Array, n, true, false);
    const x = ConcreteTensor.fromData(data, [n], "float32");
    x.delete();
    const again = allocateTyped(Float32Array, n, true, false);
    expect(again.buffer).toBe(data.buffer);
    expect(again).not.toBe(data);
    const y = ConcreteTensor.fromData(again, [n], "float32");
    expect(y.isDeleted()).toBe(false);
    expect(np.sum(y).item()).toBe(0);
  });

  it("frees a block of the kernel memory at once", () => {
    if (!heapAvailable()) return;
    const n = 50_000;
    const block = allocateResident(Float32Array, n)!;
    const at = residentAddress(block);
    const x = ConcreteTensor.fromData(block, [n], "float32");
    const used = heapStats().used;
    x.delete();
    expect(ownsResidentBlock(block)).toBe(false);
    expect(heapStats().used).toBeLessThan(used);
    const next = allocateResident(Float32Array, n)!;
    expect(residentAddress(next)).toBe(at);
    expect(ConcreteTensor.fromData(next, [n], "float32").isDeleted()).toBe(false);
  });

  it("keeps the first cause of a deletion: an array donated and then deleted still says it was donated", () => {
    const x = floats(3);
    markStorageDeleted(x.data, "donated");
    x.delete();
    expect(deletionCause(x)).toBe("donated");
    expect(() => x.toArray()).toThrow(/was donated to a jitted call/);
    const view = ConcreteTensor.view(floats(4), [2], [1], 1);
    markTensorDeleted(view, "deleted");
    markTensorDeleted(view, "donated");
    expect(deletionCause(view)).toBe("deleted");
  });
});
