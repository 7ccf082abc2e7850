/**
 * Values for parameters that did not exist before an edit, drawn from the edit's `key` with
 * Connex's initial distributions: weights, biases and attention parameters N(0, 0.1²); topo
 * norm gamma/beta and adaptive-activation a/b N(1, 0.1²). Only as many values as are needed are
 * drawn, so an edit that adds one edge costs one draw, not a re-initialisation of its batch.
 *
 * Key scheme: new batch `i` uses `foldIn(key, i)`; inside it, each kind of parameter (see
 * `ParameterKind`) uses `foldIn(batchKey, kind)` and draws its values in row-major order of the
 * new tensor's missing entries.
 */
import { ConcreteTensor, np, random, type DType, type Tensor } from "@connex/core";

/** The kinds of parameters, each with its own key stream within a batch. */
export const ParameterKind = {
  weights: 0,
  biases: 1,
  adaptiveA: 2,
  adaptiveB: 3,
  normGamma: 4,
  normBeta: 5,
  /** Topological attention: `topoAttention + t` for t = queryWeight, queryBias, keyWeight, keyBias, valueWeight, valueBias. */
  topoAttention: 6,
  /** Neuron attention: `neuronAttention + t`, as for `topoAttention`. */
  neuronAttention: 12,
} as const;

/** Mean of each kind's distribution (the standard deviation is always 0.1). */
function meanOf(kind: number): number {
  return kind >= ParameterKind.adaptiveA && kind <= ParameterKind.normBeta ? 1 : 0;
}

/** A typed array of parameter values in the network's dtype. */
export type FloatData = Float32Array | Float64Array;

/**
 * New-parameter values for one batch of the edited network.
 *
 * @example
 * const draws = new BatchDraws(random.key(0), 2, "float32"); draws.fill(ParameterKind.weights, data, [3, 7]);
 */
export class BatchDraws {
  private batchKey: Tensor | null = null;

  constructor(
    private readonly key: Tensor,
    private readonly batchIndex: number,
    private readonly dtype: DType,
  ) {}

  /**
   * Write fresh values of `kind` into `data` at the flat indices `slots`.
   *
   * @example
   * draws.fill(ParameterKind.biases, biases, [4]); // biases[4] ~ N(0, 0.1²)
   */
  fill(kind: number, data: FloatData, slots: readonly number[]): void {
    if (slots.length === 0) return;
    this.batchKey ??= random.foldIn(this.key, this.batchIndex);
    const sample = random.normal(random.foldIn(this.batchKey, kind), [slots.length], { dtype: this.dtype as "float32" | "float64" });
    const values = np.add(np.multiply(sample, 0.1), meanOf(kind)).toTypedArray() as FloatData;
    for (let i = 0; i < slots.length; i++) data[slots[i]!] = values[i]!;
  }
}

/**
 * A zero-filled typed array of the dtype's kind.
 *
 * @example
 * floatData("float32", 4); // Float32Array(4)
 */
export function floatData(dtype: DType, length: number): FloatData {
  return dtype === "float64" ? new Float64Array(length) : new Float32Array(length);
}

/**
 * The row-major data of a tensor without copying when it is contiguous (the usual case for
 * parameters). The result may be the tensor's own buffer: read it, never write to it.
 *
 * @example
 * readData(net.batchParameters[0].weights)[0]; // the first weight of batch 0
 */
export function readData(t: Tensor): FloatData | Uint8Array {
  return t.concrete().contiguousData() as FloatData | Uint8Array;
}

/**
 * Copy `length` values from `source[sourceStart..]` to `target[targetStart..]` (long runs as
 * one block copy, short ones element by element, which is faster for a few values).
 *
 * @example
 * copyRun(target, 8, source, 0, 4); // target[8..11] = source[0..3]
 */
export function copyRun<T extends FloatData | Uint8Array>(target: T, targetStart: number, source: T, sourceStart: number, length: number): void {
  if (length >= 16) {
    target.set(source.subarray(sourceStart, sourceStart + length), targetStart);
    return;
  }
  for (let i = 0; i < length; i++) target[targetStart + i] = source[sourceStart + i]!;
}

/**
 * A tensor of `shape` over `data`, which it takes over without copying: the caller must have
 * built `data` for it (of the dtype's array type: `Float32Array`, `Float64Array`, or
 * `Uint8Array` for bool) and never write to it again.
 *
 * @example
 * tensorFrom(new Float32Array(6), [2, 3], "float32").shape; // [2, 3]
 */
export function tensorFrom(data: FloatData | Uint8Array, shape: readonly number[], dtype: DType): Tensor {
  return ConcreteTensor.fromData(data, shape, dtype);
}
