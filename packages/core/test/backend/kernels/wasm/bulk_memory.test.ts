import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { BULK_MIN_BYTES, bulkMemoryModuleBytes, copyInKernelMemory, zeroInKernelMemory } from "../../../../src/backend/kernels/wasm/bulk_memory.js";
import { copyElements, fillElements } from "../../../../src/backend/shared_copy.js";
import { allocateBlock, freeBlock, heapAvailable, heapBuffer } from "../../../../src/backend/threads/kernel_heap.js";
import { isKernelMemoryBuffer, kernelRuntime } from "../../../../src/backend/threads/kernel_memory.js";
import { webAssembly } from "../../../../src/backend/kernels/wasm/webassembly_api.js";

const wasm = webAssembly!;

// Copies and zero fills inside the shared kernel memory go through `memory.copy` and
// `memory.fill`; these tests hold them to `set` and `fill` on ordinary arrays, and check which
// pairs of arrays take that path.

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor;
const CTORS: readonly Ctor[] = [Float32Array, Float64Array, Int32Array, Uint8Array];

/** A block of `bytes` in the kernel memory, filled with a byte pattern; freed by `free`. */
function block(bytes: number, seed: number): { at: number; free: () => void } {
  const at = allocateBlock(bytes)!;
  const u8 = new Uint8Array(heapBuffer(), at, bytes);
  for (let i = 0; i < bytes; i++) u8[i] = (i * 31 + seed) & 0xff;
  return { at, free: () => freeBlock(at) };
}

const shared = heapAvailable();
/** The kernel memory's buffer, typed for the element-type-generic constructors below (a `SharedArrayBuffer` here). */
const heap = () => heapBuffer() as ArrayBuffer;

describe("bulk memory module", () => {
  test("its bytes are a valid module exporting copy and fill", () => {
    const bytes = bulkMemoryModuleBytes({ module: "env", name: "memory", minPages: 1, maxPages: 65536, shared: true });
    expect(wasm.validate(bytes)).toBe(true);
    const memory = new wasm.Memory({ initial: 1, maximum: 16, shared: true });
    const exports = new wasm.Instance(new wasm.Module(bytes), { env: { memory } }).exports as Record<string, (a: number, b: number, n: number) => void>;
    const u8 = new Uint8Array(memory.buffer);
    u8.set([1, 2, 3, 4, 5], 10);
    exports.copy!(12, 10, 5); // overlapping, forwards
    expect(Array.from(u8.subarray(10, 17))).toEqual([1, 2, 1, 2, 3, 4, 5]);
    exports.fill!(11, 0x1ff, 3); // the value's low byte
    expect(Array.from(u8.subarray(10, 15))).toEqual([1, 255, 255, 255, 3]);
  });
});

describe.runIf(shared)("copies inside the kernel memory", () => {
  test("copyElements between two views of the kernel memory gives set's result, overlapping or not", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CTORS),
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: -40, max: 40 }),
        fc.boolean(),
        (C, length, from, shift, sameBlock) => {
          const eb = C.BYTES_PER_ELEMENT;
          const span = (length + 100) * eb;
          const a = block(span, 7);
          const b = sameBlock ? a : block(span, 91);
          const to = Math.max(0, Math.min(99, from + shift));
          const src = new C(heap(), a.at + from * eb, length);
          const dst = new C(heap(), b.at, length + 100);
          // The expected bytes: the same copy between ordinary arrays holding the same bytes.
          const plainA = new C(Uint8Array.from(new Uint8Array(heapBuffer(), a.at, span)).buffer);
          const plainB = sameBlock ? plainA : new C(Uint8Array.from(new Uint8Array(heapBuffer(), b.at, span)).buffer);
          plainB.set(plainA.subarray(from, from + length), to);
          copyElements(dst, src, to);
          expect(Array.from(new Uint8Array(heapBuffer(), b.at, span))).toEqual(Array.from(new Uint8Array(plainB.buffer)));
          a.free();
          if (!sameBlock) b.free();
        },
      ),
      { numRuns: 200 },
    );
  });

  test("takes memory.copy only for same-type views of the kernel memory from BULK_MIN_BYTES on", () => {
    const a = block(4 * 4096, 3);
    const b = block(4 * 4096, 5);
    const f32 = (at: number, n: number) => new Float32Array(heapBuffer(), at, n);
    const big = BULK_MIN_BYTES / 4;
    expect(copyInKernelMemory(f32(b.at, big), f32(a.at, big), 0)).toBe(true);
    expect(Array.from(f32(b.at, big))).toEqual(Array.from(f32(a.at, big)));
    // Too small, another element type, a plain side, or a user's SharedArrayBuffer: not taken.
    expect(copyInKernelMemory(f32(b.at, big), f32(a.at, big - 1), 0)).toBe(false);
    expect(copyInKernelMemory(new Int32Array(heapBuffer(), b.at, big), f32(a.at, big) as never, 0)).toBe(false);
    expect(copyInKernelMemory(new Float32Array(big), f32(a.at, big), 0)).toBe(false);
    const user = new Float32Array(new SharedArrayBuffer(4 * big));
    expect(isKernelMemoryBuffer(user.buffer)).toBe(false);
    expect(copyInKernelMemory(user, f32(a.at, big), 0)).toBe(false);
    // Past the end of the destination: not taken (set then throws its own error).
    expect(copyInKernelMemory(f32(b.at, big), f32(a.at, big), 1)).toBe(false);
    expect(() => copyElements(f32(b.at, big), f32(a.at, big), 1)).toThrow(RangeError);
    // A user's SharedArrayBuffer still gets set's result, at the same byte offsets as a block.
    copyElements(user, f32(a.at, big));
    expect(Array.from(user)).toEqual(Array.from(f32(a.at, big)));
    a.free();
    b.free();
  });

  test("views over the buffer object the memory had before it grew are still recognised", () => {
    const a = block(8192, 11);
    const old = new Float64Array(heapBuffer(), a.at, 1024);
    const before = heapBuffer();
    // Blocks past the memory's end make it grow (a new SharedArrayBuffer object).
    const held: number[] = [];
    while (heapBuffer() === before) held.push(allocateBlock(1 << 24)!);
    expect(old.buffer).not.toBe(heapBuffer());
    expect(isKernelMemoryBuffer(old.buffer)).toBe(true);
    const b = block(8192, 13);
    const fresh = new Float64Array(heapBuffer(), b.at, 1024);
    expect(copyInKernelMemory(fresh, old, 0)).toBe(true);
    expect(Array.from(fresh)).toEqual(Array.from(new Float64Array(heapBuffer(), a.at, 1024)));
    for (const at of held) freeBlock(at);
    a.free();
    b.free();
  });

  test("fillElements with 0 zeroes a span of the kernel memory by memory.fill, and leaves the rest", () => {
    fc.assert(
      fc.property(fc.constantFrom(...CTORS), fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 2000 }), fc.constantFrom(0, -0, 2.5), (C, p, q, value) => {
        const [start, end] = p <= q ? [p, q] : [q, p];
        const eb = C.BYTES_PER_ELEMENT;
        const a = block(2000 * eb, 17);
        const view = new C(heap(), a.at, 2000);
        const plain = new C(2000);
        plain.set(view as never);
        fillElements(view, value, start, end);
        plain.fill(value, start, end);
        expect(Array.from(view)).toEqual(Array.from(plain));
        if (C === Float64Array && Object.is(value, -0) && end > start) expect(Object.is(view[start], -0)).toBe(true);
        a.free();
      }),
      { numRuns: 200 },
    );
    const a = block(4096, 19);
    const view = new Uint8Array(heapBuffer(), a.at, 4096);
    expect(zeroInKernelMemory(view, 100, 100 + BULK_MIN_BYTES)).toBe(true);
    expect(zeroInKernelMemory(view, 100, 99 + BULK_MIN_BYTES)).toBe(false);
    expect(zeroInKernelMemory(view, -BULK_MIN_BYTES, 4096)).toBe(false);
    expect(zeroInKernelMemory(new Uint8Array(4096), 0, 4096)).toBe(false);
    a.free();
  });
});

test("without a shared kernel memory nothing is a kernel-memory buffer", () => {
  const rt = kernelRuntime();
  if (rt !== null && rt.shared) expect(isKernelMemoryBuffer(rt.memory.buffer)).toBe(true);
  expect(isKernelMemoryBuffer(new ArrayBuffer(8))).toBe(false);
  expect(isKernelMemoryBuffer(new SharedArrayBuffer(8))).toBe(false);
});
