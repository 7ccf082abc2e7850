/**
 * What the library's browser test runs, in the page and in Node alike: the README network
 * trained with the README's jitted Adam step (every loss recorded), then saved and loaded as
 * bytes, rewired and drawn.
 */
import { filter, isInexactArray, nn, np, random, type Tensor } from "@connex/core";
import { filterJit, filterValueAndGrad, vmap } from "@connex/autodiff";
import * as optim from "@connex/optim";
import * as cnx from "connex";

/** What the page reports. */
export interface ReadmeNetworkRun {
  losses: number[];
  milliseconds: number;
  numNeurons: number;
  numEdges: number;
  /** The loss after rewiring (edges added, a neuron removed, dropout set), as in the README. */
  lossAfterEdits: number;
  /** cnx.save's bytes read back by cnx.load give the same outputs (no file system involved). */
  saveLoadRoundTrip: boolean;
  /** Length of the SVG drawing (cnx.viz.toSVG, dagre layout). */
  svgLength: number;
  userAgent: string;
}

/** Training steps (the issue asks for 300). */
export const STEPS = 300;

/** Train the README network `STEPS` jitted Adam steps and exercise the rest of the API on it. */
export function trainReadmeNetwork(): ReadmeNetworkRun {
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
  const losses: number[] = [];
  const start = performance.now();
  for (let i = 0; i < STEPS; i++) {
    const [next, nextState, loss] = step(network, state, x, y);
    [network, state] = [next, nextState];
    losses.push((loss as Tensor).item());
  }
  const milliseconds = performance.now() - start;
  const restored = cnx.load(cnx.save(network));
  const probe = np.array([1.5]);
  const saveLoadRoundTrip = np.allclose(restored.forward(probe, { inference: true }), network.forward(probe, { inference: true }), { rtol: 0, atol: 0 });
  const edited = cnx.setDropoutP(cnx.removeNeurons(cnx.addConnections(network, [[0, 9], [2, 10]], { key: random.key(1) }), [5]), { 4: 0.1, 6: 0.2 });
  return {
    losses,
    milliseconds,
    numNeurons: edited.numNeurons,
    numEdges: edited.numEdges,
    lossAfterEdits: mse(edited, x, y).item(),
    saveLoadRoundTrip,
    svgLength: cnx.viz.toSVG(network).length,
    userAgent: (globalThis as { navigator?: { userAgent: string } }).navigator?.userAgent ?? "",
  };
}
