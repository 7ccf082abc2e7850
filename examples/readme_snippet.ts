// The code block of README.md ("The README network"), kept identical by readme_snippet.test.ts.
import { filter, isInexactArray, nn, np, random, type Tensor } from "@connex/core";
import { filterJit, filterValueAndGrad, vmap } from "@connex/autodiff";
import * as optim from "@connex/optim";
import * as cnx from "connex";

let network = new cnx.NeuralNetwork({
  graph: { 0: [1, 2, 3], 1: [4], 2: [4, 5], 4: [6], 5: [7], 6: [8, 9], 7: [10], 8: [11], 9: [11], 10: [11] },
  inputNeurons: [0],
  outputNeurons: [3, 11],
  hiddenActivation: nn.relu,
  key: random.key(4),
});
const x = np.expandDims(np.linspace(0, 2 * Math.PI, 250), 1);
const y = np.hstack([np.cos(x), np.sin(x)]);

const opt = optim.adam(1e-3);
let state = opt.init(filter(network, isInexactArray));
const mse = (net: cnx.NeuralNetwork, x: Tensor, y: Tensor) =>
  np.mean(np.square(np.subtract(vmap((xi: Tensor) => net.forward(xi, { inference: true }))(x), y)));
const step = filterJit((net: cnx.NeuralNetwork, st: typeof state, x: Tensor, y: Tensor) => {
  const [loss, grads] = filterValueAndGrad(mse)(net, x, y);
  const [updates, newState] = opt.update(grads, st, net);
  return [optim.applyUpdates(net, updates), newState, loss] as const;
});
for (let epoch = 0; epoch <= 1000; epoch++) {
  const [next, nextState, loss] = step(network, state, x, y);
  [network, state] = [next, nextState];
  if (epoch % 250 === 0) console.log(`epoch ${epoch}: loss ${(loss as Tensor).item().toFixed(5)}`);
}

// Rewire it while it learns: every surviving parameter keeps its value.
network = cnx.addConnections(network, [[0, 9], [2, 10]], { key: random.key(1) });
network = cnx.removeNeurons(network, [5]);
network = cnx.setDropoutP(network, { 4: 0.1, 6: 0.2 });
console.log(`${network.numNeurons} neurons, ${network.numEdges} edges, loss ${mse(network, x, y).item().toFixed(5)}`);
