import { describe, expect, it } from "vitest";
import { nn, np, type Tensor } from "@connex/core";
import { compile } from "@connex/core/internal";
import { jit, makeJaxpr, valueAndGrad } from "../../src/index.js";

/**
 * A densely connected network (each layer reads the input and every earlier layer's
 * activations, features-major: `[features, batch]`), its loss and the gradient of that loss
 * with respect to every weight: jit grows the layer inputs `[x; h1]`, `[x; h1; h2]`, ... in one
 * buffer (`concatenate_open`, then `concatenate_extend`).
 */
function denseLoss(x: Tensor) {
  return (weights: Tensor[]) => {
    const pieces = [x];
    for (const w of weights.slice(0, -1)) pieces.push(nn.gelu(np.matmul(w, pieces.length === 1 ? x : np.concatenate(pieces, 0))));
    const out = np.matmul(weights[weights.length - 1]!, np.concatenate(pieces, 0));
    return np.sum(np.square(out));
  };
}

const values = (shape: number[], seed: number) => np.astype(np.reshape(np.sin(np.linspace(seed, seed + 40, shape.reduce((a, b) => a * b, 1))), shape), "float32");

describe("jit grows chains of concatenations", () => {
  it("a densely connected network's value and gradient: one open and extends, with eager's bits", () => {
    for (const [width, batch] of [
      [4, 3],
      [64, 40],
    ] as const) {
      const x = values([2, batch], 0);
      const weights = [values([width, 2], 1), values([width, 2 + width], 2), values([width, 2 + 2 * width], 3), values([2, 2 + 3 * width], 4)];
      const vg = valueAndGrad(denseLoss(x));
      const names = compile(makeJaxpr(vg)(weights)).steps.map((st) => (st.kind === "eqn" ? st.eqn.prim.name : "fused"));
      expect(names.filter((n) => n.startsWith("concatenate"))).toEqual(["concatenate_open", "concatenate_extend", "concatenate_extend"]);
      const [v1, g1] = jit(vg)(weights) as [Tensor, Tensor[]];
      const [v2, g2] = vg(weights) as [Tensor, Tensor[]];
      expect(v1.item()).toBe(v2.item());
      g1.forEach((g, i) => expect(Array.from(g.toTypedArray())).toEqual(Array.from(g2[i]!.toTypedArray())));
    }
  });
});
