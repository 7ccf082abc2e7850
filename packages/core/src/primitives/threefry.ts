import { DTypeError, ShapeError } from "../errors.js";
import { definePrimitive, type AbstractArray, type Primitive } from "../primitive.js";
import { ConcreteTensor, type Tensor } from "../tensor.js";
import { bind } from "../trace.js";
import { batchElementwise } from "./batching.js";

/**
 * The threefry2x32 block cipher (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
 * SC 2011; the Random123 library), with 20 rounds, as JAX's `threefry2x32_p`: the core of
 * every `random` function. Operands `(k1, k2, x1, x2)` are uint32 tensors of one shape: a key
 * word pair and a counter word pair per element; the two outputs are the enciphered counters.
 *
 * Not differentiable (its outputs are integers): tangents and cotangents are symbolic zeros.
 * Batching is elementwise.
 */

/** Rotation amounts of the two alternating groups of four rounds. */
const ROTATIONS: readonly (readonly number[])[] = [
  [13, 15, 26, 6],
  [17, 29, 16, 24],
];

/** Skein's key-schedule parity constant (`ks[2] = k1 ^ k2 ^ C240`). */
const KS_PARITY = 0x1bd11bda;

const rotl32 = (x: number, r: number): number => ((x << r) | (x >>> (32 - r))) >>> 0;

/**
 * Encipher one counter pair `(x1, x2)` under key `(k1, k2)`; writes the two output words into
 * `out[0]`, `out[1]`. Plain uint32 arithmetic: sums wrap with `>>> 0`.
 *
 * @example threefry2x32Block(0, 0, 0, 0, out) // out = [0x6b200159, 0x99ba4efe]
 */
export function threefry2x32Block(k1: number, k2: number, x1: number, x2: number, out: Uint32Array): void {
  const ks = [k1 >>> 0, k2 >>> 0, (k1 ^ k2 ^ KS_PARITY) >>> 0];
  let a = (x1 + ks[0]!) >>> 0;
  let b = (x2 + ks[1]!) >>> 0;
  // Five groups of four rounds; after group i inject key words ks[(i+1)%3], ks[(i+2)%3] + i+1.
  for (let group = 0; group < 5; group++) {
    for (const r of ROTATIONS[group % 2]!) {
      a = (a + b) >>> 0;
      b = (rotl32(b, r) ^ a) >>> 0;
    }
    a = (a + ks[(group + 1) % 3]!) >>> 0;
    b = (b + ks[(group + 2) % 3]! + group + 1) >>> 0;
  }
  out[0] = a;
  out[1] = b;
}

const fmt = (s: readonly number[]) => `[${s.join(", ")}]`;

/** threefry2x32 (JAX's `threefry2x32_p`): `(k1, k2, x1, x2) -> (y1, y2)`, elementwise over uint32 operands of one shape. */
export const threefry2x32P: Primitive<Record<string, never>> = definePrimitive<Record<string, never>>({
  name: "threefry2x32",
  outputBuffers: "fresh",
  nonDifferentiable: true,
  abstractEval(inputs: AbstractArray[]) {
    if (inputs.length !== 4) throw new ShapeError(`threefry2x32: expected 4 operands (k1, k2, x1, x2), got ${inputs.length}`);
    const names = ["k1", "k2", "x1", "x2"];
    const shape = inputs[0]!.shape;
    inputs.forEach((x, i) => {
      if (x.dtype !== "uint32") throw new DTypeError(`threefry2x32: operand ${names[i]} must be uint32, got ${x.dtype}`);
      if (x.shape.length !== shape.length || x.shape.some((n, j) => n !== shape[j])) {
        throw new ShapeError(`threefry2x32: operand shapes differ (k1 ${fmt(shape)}, ${names[i]} ${fmt(x.shape)})`);
      }
    });
    const out: AbstractArray = { shape: shape.slice(), dtype: "uint32", weakType: false };
    return [out, { ...out, shape: shape.slice() }];
  },
  impl(inputs) {
    const [k1, k2, x1, x2] = inputs.map((t) => t.contiguousData());
    const n = k1!.length;
    const y1 = new Uint32Array(n);
    const y2 = new Uint32Array(n);
    const block = new Uint32Array(2);
    for (let i = 0; i < n; i++) {
      threefry2x32Block(k1![i]!, k2![i]!, x1![i]!, x2![i]!, block);
      y1[i] = block[0]!;
      y2[i] = block[1]!;
    }
    const shape = inputs[0]!.shape;
    return [ConcreteTensor.fromData(y1, shape, "uint32"), ConcreteTensor.fromData(y2, shape, "uint32")];
  },
  jvp(primals) {
    const outs = bindThreefry(primals);
    return [outs, [null, null]];
  },
  vjp() {
    return [null, null, null, null];
  },
  batch(args, dims) {
    return batchElementwise((moved) => bindThreefry(moved), args, dims);
  },
});

function bindThreefry(args: readonly Tensor[]): Tensor[] {
  return bind(threefry2x32P, args, {});
}
