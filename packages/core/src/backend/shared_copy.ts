/**
 * Copies into and out of shared memory (the kernel memory is a `SharedArrayBuffer`) at full
 * speed whatever the two arrays' alignments, and fills of it.
 *
 * V8 copies between a shared and an unshared buffer word by word only where the source and
 * destination addresses are equally aligned to 8 bytes, and byte by byte otherwise. A float32
 * view at an odd element offset (a slice of a batch's columns, say) against an 8-byte-aligned
 * block of the kernel memory is such a pair: `set` of 78,400 float32 took 89–128 µs against
 * 11 µs aligned (Node 20, 2-core AMD EPYC, 2026-12-07). Unshared to unshared copies are fast at
 * any alignment, so a misaligned pair goes through a plain buffer placed at the shared side's
 * alignment: two fast copies (18 µs for the same array). `fill` is slow on shared memory too:
 * 32,000 float32 in 9.5 µs against 1.3 µs in plain memory, where `set` from a plain array of
 * zeros takes 4.5 µs (the same machine and day). Between two views of the kernel memory itself
 * (a kernel's result into a concatenation's block, say) `set` copies word by word with relaxed
 * atomic stores; such copies, and zero fills of it, go through WebAssembly's `memory.copy` and
 * `memory.fill` instead (`kernels/wasm/bulk_memory.ts`).
 */
import type { TypedArray } from "../dtype.js";
import { copyInKernelMemory, zeroInKernelMemory } from "./kernels/wasm/bulk_memory.js";

/** Below this many bytes a byte-by-byte copy is no slower than two copies (256 float32: 0.30 µs against 0.12 µs; 32: 0.05 against 0.08). */
const BOUNCE_MIN_BYTES = 512;

/** Bytes copied through the plain buffer at a time (a multiple of 8, so every piece keeps the alignment), which bounds its size. */
const BOUNCE_PIECE_BYTES = 1 << 22;

/** The plain buffer misaligned copies go through, grown as needed up to a piece and 8 bytes. */
let bounce = new ArrayBuffer(0);

const isShared = (buffer: ArrayBufferLike): boolean => typeof SharedArrayBuffer === "function" && buffer instanceof SharedArrayBuffer;

/**
 * `dst.set(src, at)`: by `memory.copy` when both are views of the kernel memory, through a
 * plain buffer when one side is shared memory, the two have the same element type and their
 * addresses differ in alignment to 8 bytes (see the module comment). Same result as `set`.
 * Example: `copyElements(heapF32, batch.subarray(3, 3 + n), at)`.
 */
export function copyElements(dst: TypedArray, src: TypedArray, at = 0): void {
  if (copyInKernelMemory(dst, src, at)) return;
  const eb = dst.BYTES_PER_ELEMENT;
  const to = dst.byteOffset + at * eb;
  if (src.byteLength < BOUNCE_MIN_BYTES || ((to - src.byteOffset) & 7) === 0 || src.constructor !== dst.constructor) {
    dst.set(src as never, at);
    return;
  }
  const sharedDst = isShared(dst.buffer);
  const sharedSrc = isShared(src.buffer);
  if (sharedDst === sharedSrc) {
    dst.set(src as never, at);
    return;
  }
  // The plain copy sits at the shared side's alignment, so the copy across is word by word.
  const shift = (sharedDst ? to : src.byteOffset) & 7;
  const need = Math.min(src.byteLength, BOUNCE_PIECE_BYTES) + 8;
  if (bounce.byteLength < need) bounce = new ArrayBuffer(need);
  const Ctor = dst.constructor as new (buffer: ArrayBuffer, byteOffset: number, length: number) => TypedArray;
  const piece = BOUNCE_PIECE_BYTES / eb;
  for (let i = 0; i < src.length; i += piece) {
    const part = src.length - i < piece ? src.subarray(i) : src.subarray(i, i + piece);
    const plain = new Ctor(bounce, shift, part.length);
    plain.set(part as never);
    dst.set(plain as never, at + i);
  }
}

/** Plain zeros that shared arrays are zeroed from (grown as needed up to a piece; never written). */
let zeros = new ArrayBuffer(0);

/**
 * `dst.fill(value, start, end)`; a large span of shared memory is set from a plain array of the
 * value instead (see the module comment). Same result as `fill`.
 * Example: `fillElements(out, 0)`.
 */
export function fillElements(dst: TypedArray, value: number, start = 0, end = dst.length): void {
  if (Object.is(value, 0) && zeroInKernelMemory(dst, start, end)) return;
  const eb = dst.BYTES_PER_ELEMENT;
  if ((end - start) * eb < BOUNCE_MIN_BYTES || !isShared(dst.buffer)) {
    dst.fill(value, start, end);
    return;
  }
  const shift = (dst.byteOffset + start * eb) & 7;
  const need = Math.min((end - start) * eb, BOUNCE_PIECE_BYTES) + 8;
  const Ctor = dst.constructor as new (buffer: ArrayBuffer, byteOffset: number, length: number) => TypedArray;
  const piece = BOUNCE_PIECE_BYTES / eb;
  let plain: TypedArray;
  if (Object.is(value, 0)) {
    if (zeros.byteLength < need) zeros = new ArrayBuffer(need);
    plain = new Ctor(zeros, shift, Math.min(end - start, piece));
  } else {
    if (bounce.byteLength < need) bounce = new ArrayBuffer(need);
    plain = new Ctor(bounce, shift, Math.min(end - start, piece));
    plain.fill(value);
  }
  for (let i = start; i < end; i += piece) dst.set(end - i < piece ? plain.subarray(0, end - i) : plain, i);
}
