/**
 * The parameters of the network an edit starts from, as read-only typed arrays (no copies where
 * the tensors' own data can be read), each read on first use so an edit reads only the batches
 * it rebuilds. Weights are read as blocks through the old batch's weight layout, however they
 * are stored.
 */
import type { NeuralNetwork } from "../network.js";
import { readData, type FloatData } from "../parameter_data.js";
import { ATTENTION_FIELDS } from "../parameters.js";

/** Read-only views of an old network's parameters, by old batch index. */
export class OldParameters {
  private readonly cache = new Map<string, unknown>();

  constructor(private readonly net: NeuralNetwork) {}

  private get<T>(key: string, make: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, make());
    return this.cache.get(key) as T;
  }

  /** Batch `b`'s weights as `[size · width]` block data. */
  weights(b: number): FloatData {
    return this.get(`w${b}`, () => this.net.structure.weightLayouts[b]!.readBlock(this.net.batchParameters[b]!.weights));
  }

  /** Batch `b`'s mask as `[size · width]` bytes. */
  mask(b: number): Uint8Array {
    return this.get(`m${b}`, () => readData(this.net.batchParameters[b]!.mask) as Uint8Array);
  }

  biases(b: number): FloatData {
    return this.get(`b${b}`, () => readData(this.net.batchParameters[b]!.biases) as FloatData);
  }

  adaptive(b: number): { a: FloatData; b: FloatData } | null {
    return this.get(`a${b}`, () => {
      const p = this.net.batchParameters[b]!.adaptiveActivation;
      return p ? { a: readData(p.a) as FloatData, b: readData(p.b) as FloatData } : null;
    });
  }

  norm(b: number): { gamma: FloatData; beta: FloatData } | null {
    return this.get(`n${b}`, () => {
      const p = this.net.batchParameters[b]!.topoNorm;
      return p ? { gamma: readData(p.gamma) as FloatData, beta: readData(p.beta) as FloatData } : null;
    });
  }

  /** The six attention fields' data (in `ATTENTION_FIELDS` order), or `null` when the batch has none. */
  attention(b: number, which: "topoSelfAttention" | "neuronSelfAttention"): FloatData[] | null {
    return this.get(`${which}${b}`, () => {
      const p = this.net.batchParameters[b]![which];
      return p ? ATTENTION_FIELDS.map((f) => readData(p[f]) as FloatData) : null;
    });
  }
}
