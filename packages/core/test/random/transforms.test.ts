import { describe, expect, it } from "vitest";
import { vmap } from "@connex/autodiff";
import * as random from "../../src/random/index.js";
import type { Tensor } from "../../src/tensor.js";
import * as np from "../../src/np/index.js";

const keys = random.split(random.key(123), 4);
const perKey = (f: (k: Tensor) => Tensor) => np.stack([...keys].map(f));

describe("random under vmap over a batch of keys", () => {
  const cases: [string, (k: Tensor) => Tensor][] = [
    ["split", (k) => random.split(k, 3)],
    ["foldIn", (k) => random.foldIn(k, 7)],
    ["bits", (k) => random.bits(k, [5])],
    ["uniform", (k) => random.uniform(k, [2, 3], { minval: -1, maxval: 2 })],
    ["uniform float64", (k) => random.uniform(k, [3], { dtype: "float64" })],
    ["normal", (k) => random.normal(k, [4])],
    ["truncatedNormal", (k) => random.truncatedNormal(k, -1, 2, [4])],
    ["bernoulli", (k) => random.bernoulli(k, 0.3, [6])],
    ["randint", (k) => random.randint(k, [5], -3, 1000003)],
    ["permutation", (k) => random.permutation(k, 9)],
    ["permutation of rows", (k) => random.permutation(k, np.arange(12, { dtype: "int32" }).reshape([4, 3]))],
    ["gumbel", (k) => random.gumbel(k, [3])],
    ["categorical", (k) => random.categorical(k, np.array([[0, 1, 2], [2, 1, 0]], { dtype: "float32" }))],
    ["choice", (k) => random.choice(k, 10, [3])],
    ["choice without replacement", (k) => random.choice(k, 10, [3], { replace: false })],
    ["choice with p", (k) => random.choice(k, 3, [4], { p: np.array([0.25, 0.25, 0.5], { dtype: "float32" }) })],
    ["choice with p without replacement", (k) => random.choice(k, 3, [2], { replace: false, p: np.array([0.25, 0.25, 0.5], { dtype: "float32" }) })],
  ];
  it.each(cases)("%s: vmap equals a loop over keys, exactly", (_name, f) => {
    const batched = vmap(f)(keys) as Tensor;
    expect(batched.toArray()).toEqual(perKey(f).toArray());
  });
});
