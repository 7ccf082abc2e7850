/**
 * Values for parameters that did not exist before an edit, drawn from the edit's `key` with
 * construction's initial distributions (`INIT_STD`, `initialMean` in `init.ts`): weights, biases
 * and attention parameters N(0, 0.1²); topo norm gamma/beta and adaptive-activation a/b
 * N(1, 0.1²). Only as many values as are needed are drawn, so an edit that adds one edge costs
 * one draw, not a re-initialisation of its batch.
 *
 * Key scheme: new batch `i` uses `foldIn(key, i)`; inside it, each kind of parameter (see
 * `ParameterKind`) uses `foldIn(batchKey, kind)` and draws its values in row-major order of the
 * new tensor's missing entries.
 */
import { np, random, type DType, type Tensor } from "@connex/core";
import { INIT_STD, initialMean } from "../init.js";
import type { FloatData } from "../parameter_data.js";

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

/** Mean of each kind's initial distribution, as construction draws it (the standard deviation is always `INIT_STD`). */
function meanOf(kind: number): number {
  if (kind === ParameterKind.adaptiveA || kind === ParameterKind.adaptiveB) return initialMean("adaptiveActivation");
  if (kind === ParameterKind.normGamma || kind === ParameterKind.normBeta) return initialMean("topoNorm");
  return kind >= ParameterKind.topoAttention ? initialMean("attention") : initialMean("affine");
}

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
    const values = np.add(np.multiply(sample, INIT_STD), meanOf(kind)).toTypedArray() as FloatData;
    for (let i = 0; i < slots.length; i++) data[slots[i]!] = values[i]!;
  }
}
