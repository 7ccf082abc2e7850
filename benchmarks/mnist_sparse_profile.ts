/**
 * Profiling aid for the sparse LeNet-300-100 step (issue 15): builds the pruned network the way
 * `mnist.bench.ts` does (`cnx.pruneByMagnitude(dense, { fraction: 1 - keep }, { scope: "batch" })`),
 * prints each batch's weight layout, warms the jitted Adam step up, then times `steps` steps.
 * Run under `node --cpu-prof` to see where a step's time goes:
 *
 *   cd benchmarks && node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx mnist_sparse_profile.ts [keep=0.036] [steps=2000]
 *
 * With `--jaxpr` it also prints the jitted step's program (the primitives one step runs).
 */
import { np, random, type Tensor } from "@connex/core";
import { formatJaxpr } from "@connex/core/internal";
import * as cnx from "connex";
import { loadMnist } from "../examples/mnist/load_mnist.js";
import { LENET_300_100, layeredNetwork } from "../examples/mnist/networks.js";
import { initState, trainStep } from "../examples/mnist/training.js";

const args = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const keep = Number(args[0] ?? 0.036);
const steps = Number(args[1] ?? 2000);
const { train } = loadMnist({ trainSize: 6000, testSize: 0 });
const batches = Array.from({ length: 60 }, (_, j) => ({ images: np.slice(train.images, j * 100, (j + 1) * 100), labels: np.slice(train.labels, j * 100, (j + 1) * 100) }));
const dense = layeredNetwork(LENET_300_100, { key: random.key(0) });
let network = keep >= 1 ? dense : cnx.pruneByMagnitude(dense, { fraction: 1 - keep }, { scope: "batch" });
network.structure.weightLayouts.forEach((l, b) => {
  console.log(`batch ${b}: ${l.layout.neurons.length} neurons x ${l.layout.inputEnd - l.layout.inputStart} inputs, ${l.edges.table.size} edges, product ${l.product}, storage ${l.storage}, weights ${JSON.stringify(network.batchParameters[b]!.weights.shape)}`);
});
let state = initState(network);
if (process.argv.includes("--jaxpr")) console.log(formatJaxpr(trainStep.lower(batches[0]!, network, state)));
const step = (i: number): number => {
  const batch = batches[i % batches.length]!;
  // The step donates network and state (replaced just below); the batches are kept.
  const [next, nextState, loss] = trainStep(batch, network, state);
  network = next;
  state = nextState;
  return (loss as Tensor).item();
};
for (let i = 0; i < 200; i++) step(i);
const t0 = performance.now();
let loss = 0;
for (let i = 0; i < steps; i++) loss = step(i);
console.log(`${network.numEdges} edges: ${((performance.now() - t0) / steps).toFixed(3)} ms/step (loss ${loss.toFixed(4)})`);
