import { filter, isInexactArray, nn, np, random, type Tensor } from "@connex/core";
import { filterValueAndGrad, filterJit, vmap, makeJaxpr } from "@connex/autodiff";
import * as optim from "@connex/optim";
import * as cnx from "connex";
const x = np.expandDims(np.linspace(0, 2 * Math.PI, 250), 1);
const y = np.hstack([np.cos(x), np.sin(x)]);
const which = process.argv[2] ?? "readme";
const net0 = which === "readme" ? new cnx.NeuralNetwork({
    graph: { 0: [1, 2, 3], 1: [4], 2: [4, 5], 4: [6], 5: [7], 6: [8, 9], 7: [10], 8: [11], 9: [11], 10: [11] },
    inputNeurons: [0], outputNeurons: [3, 11], hiddenActivation: nn.relu, key: random.key(4) }) : cnx.nn.DenseMLP({ inputSize: 1, outputSize: 2, width: 128, depth: 4, hiddenActivation: nn.gelu });
const lossAndGrad = filterValueAndGrad((model: cnx.NeuralNetwork, xb: Tensor, yb: Tensor) => {
  const preds = vmap((xi: Tensor) => model.forward(xi))(xb);
  return np.mean(np.square(np.subtract(preds, yb)));
});
const opt = optim.adam(1e-3);
const stepFn = (net: cnx.NeuralNetwork, state: unknown, xb: Tensor, yb: Tensor) => {
  const [loss, grads] = lossAndGrad(net, xb, yb);
  const [updates, s2] = opt.update(grads, state as never, net);
  return [optim.applyUpdates(net, updates), s2, loss] as const;
};
const state = opt.init(filter(net0, isInexactArray));
const jp = makeJaxpr((n: any, s: any, a: any, b: any) => stepFn(n, s, a, b))(net0 as any, state, x, y);
const counts = new Map<string, number>();
for (const e of jp.eqns) counts.set(e.prim.name, (counts.get(e.prim.name) ?? 0) + 1);
console.log("eqns", jp.eqns.length, [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}:${v}`).join(" "));
// time per primitive by running impls
const times = new Map<string, number>();
const env = new Map<number, any>();
const leaves: any[] = [];
import("@connex/core").then(({ tree }) => {
  const inputs = tree.leaves([net0, state, x, y]).filter((l: any) => l && l.shape);
  jp.inVars.forEach((v, i) => env.set(v.id, inputs[i]));
  for (let rep = 0; rep < 20; rep++) for (const e of jp.eqns) {
    const args = e.inputs.map((a) => (a.kind === "var" ? env.get(a.v.id) : a.value));
    const t0 = performance.now();
    const out = e.prim.impl(args, e.params);
    const dt = performance.now() - t0;
    if (rep >= 5) times.set(e.prim.name, (times.get(e.prim.name) ?? 0) + dt / 15);
    e.outputs.forEach((v, k) => env.set(v.id, out[k]));
  }
  const total = [...times.values()].reduce((a, b) => a + b, 0);
  console.log("total ms", total.toFixed(3));
  console.log([...times.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `${k}:${v.toFixed(3)}`).join(" "));
});
