import type { RandomGenerator } from "pure-rand";
import { threefry2x32Block } from "../primitives/threefry.js";
import type { Tensor } from "../tensor.js";
import { checkKey } from "./key.js";

/**
 * A sequential generator over a key's bit stream: output `i` is `bits(key, [n])[i]` (any
 * `n > i`) read as an int32, the range pure-rand's distributions expect. Immutable, as
 * pure-rand's pure API wants: `next()` returns a new generator (the `unsafe*` methods advance in
 * place, as pure-rand's contract allows).
 */
class ThreefryGenerator implements RandomGenerator {
  constructor(
    private readonly k1: number,
    private readonly k2: number,
    private counter: number,
  ) {}

  clone(): ThreefryGenerator {
    return new ThreefryGenerator(this.k1, this.k2, this.counter);
  }

  next(): [number, RandomGenerator] {
    return [this.valueAt(this.counter), new ThreefryGenerator(this.k1, this.k2, this.counter + 1)];
  }

  unsafeNext(): number {
    const v = this.valueAt(this.counter);
    this.counter += 1;
    return v;
  }

  /** Skip 2^32 outputs (pure-rand's `jump`), staying within the same key's stream. */
  jump(): RandomGenerator {
    return new ThreefryGenerator(this.k1, this.k2, this.counter + 2 ** 32);
  }

  unsafeJump(): void {
    this.counter += 2 ** 32;
  }

  getState(): readonly number[] {
    return [this.k1, this.k2, Math.floor(this.counter / 2 ** 32), this.counter >>> 0];
  }

  private valueAt(counter: number): number {
    const out = new Uint32Array(2);
    threefry2x32Block(this.k1, this.k2, Math.floor(counter / 2 ** 32) >>> 0, counter >>> 0, out);
    return (out[0]! ^ out[1]!) | 0;
  }
}

/**
 * Adapt a concrete key into pure-rand's `RandomGenerator`, so pure-rand's distributions
 * (`uniformIntDistribution`, ...) and host-side sequential code (data shuffling, test data)
 * can be driven by JAX-style keys. Output `i` equals `bits(key, [n])[i] | 0`. Host-only: it
 * reads the key's value, so it cannot be used on a traced key inside `jit`/`vmap`.
 *
 * @example prand.uniformIntDistribution(0, 9, random.toPureRandGenerator(random.key(0)))
 */
export function toPureRandGenerator(key: Tensor): RandomGenerator {
  const k = checkKey(key, "random.toPureRandGenerator");
  const [k1, k2] = Array.from(k.toTypedArray());
  return new ThreefryGenerator(k1!, k2!, 0);
}
