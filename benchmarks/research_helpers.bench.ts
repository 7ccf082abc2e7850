/**
 * The research helpers at the scale of LeNet-300-100 (784-300-100-10, ReLU, float32, 266,200
 * edges) and MNIST's training set (60000×784): `cnx.edgeWeights` beside `toWeightedGraph()` (the
 * ratio is the figure of interest), one lottery-ticket round (`pruneByMagnitude` 20/20/10 % per
 * batch, then `rewind`), regrowing 30 % on the 3.6 % network (by default, within the forward edges,
 * and `addConnections` of as many fixed edges for scale), and one `data.batches` pass beside
 * the same row copies written by hand. Medians of `ROUNDS` runs, in one process.
 *
 *   for p in core autodiff optim connex; do (cd packages/$p && npx tsup); done
 *   cd benchmarks && npx tsx research_helpers.bench.ts
 */
import { pathToFileURL } from "node:url";
import { ConcreteTensor, data, nn, random } from "@connex/core";
import * as cnx from "connex";

const ROUNDS = 5;

/** Median wall time (ms) of `f` over `rounds` runs, after one warm-up run. */
function median(f: () => unknown, rounds = ROUNDS): number {
  f();
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    f();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[rounds >> 1]!;
}

/** LeNet-300-100 as a layered connex network (neurons numbered layer by layer). */
export function lenet(): cnx.NeuralNetwork {
  const sizes = [784, 300, 100, 10];
  const starts = [0, 784, 1084, 1184];
  const edges: [number, number][] = [];
  for (let l = 0; l < 3; l++) for (let i = 0; i < sizes[l]!; i++) for (let j = 0; j < sizes[l + 1]!; j++) edges.push([starts[l]! + i, starts[l + 1]! + j]);
  const range = (l: number) => Array.from({ length: sizes[l]! }, (_, i) => starts[l]! + i);
  return new cnx.NeuralNetwork({ graph: edges, inputNeurons: range(0), outputNeurons: range(3), hiddenActivation: nn.relu, dtype: "float32", key: random.key(0) });
}

/** `count` absent edges of `net` into its last batch from its first hidden one, fixed (the cost of the edit alone). */
function forwardOnly(net: cnx.NeuralNetwork, count: number): cnx.Edge[] {
  const [first] = net.topoBatches;
  const last = net.topoBatches[net.topoBatches.length - 1]!;
  const present = new Set(net.edges().map(([f, t]) => `${String(f)}>${String(t)}`));
  const out: cnx.Edge[] = [];
  for (const u of [...net.inputNeurons, ...first!]) for (const v of last) if (out.length < count && !present.has(`${String(u)}>${String(v)}`)) out.push([u, v]);
  return out;
}

/** Every figure of this file, printed as one line each. */
export function measureResearchHelpers(log: (line: string) => void = console.log): Record<string, number> {
  const net = lenet();
  const out: Record<string, number> = {};
  out.edgeWeights = median(() => cnx.edgeWeights(net));
  out.edgeWeightsWithIds = median(() => {
    const e = cnx.edgeWeights(net);
    return [e.from, e.to];
  });
  out.toWeightedGraph = median(() => net.toWeightedGraph());
  log(`edgeWeights ${out.edgeWeights.toFixed(1)} ms (${out.edgeWeightsWithIds.toFixed(1)} ms with neuron ids), toWeightedGraph ${out.toWeightedGraph.toFixed(1)} ms: ${(out.toWeightedGraph / out.edgeWeights).toFixed(1)}x (${(out.toWeightedGraph / out.edgeWeightsWithIds).toFixed(1)}x with ids)`);
  let pruned = net;
  out.prune = median(() => (pruned = cnx.pruneByMagnitude(net, { fraction: [0.2, 0.2, 0.1] }, { scope: "batch" })));
  out.rewind = median(() => cnx.rewind(pruned, net));
  log(`pruneByMagnitude 20/20/10 % per batch: ${out.prune.toFixed(1)} ms (${net.numEdges} -> ${pruned.numEdges} edges); rewind to the initial network ${out.rewind.toFixed(1)} ms`);
  const sparse = cnx.pruneByMagnitude(net, { fraction: 0.964 });
  const zeta = Math.floor(0.3 * sparse.numEdges);
  let k = 0;
  let grown = sparse;
  out.regrow = median(() => (grown = cnx.regrowConnections(sparse, zeta, { key: random.key(k++) })));
  out.regrowForward = median(() => cnx.regrowConnections(sparse, zeta, { key: random.key(k++), within: "forward" }));
  const fixed = forwardOnly(sparse, zeta);
  out.addForward = median(() => cnx.addConnections(sparse, fixed, { key: random.key(1) }));
  log(
    `regrowConnections ${zeta} edges (30 %) on the ${sparse.numEdges}-edge network: ${out.regrow.toFixed(1)} ms by default (any edge keeping a DAG; ${sparse.topoBatches.length} -> ${grown.topoBatches.length} batches), ` +
      `${out.regrowForward.toFixed(1)} ms with within: "forward" (batches kept); addConnections of ${zeta} given forward edges ${out.addForward.toFixed(1)} ms`,
  );
  const raw = new Float32Array(60000 * 784).map((_, i) => i % 251);
  const images = ConcreteTensor.fromData(raw, [60000, 784], "float32");
  const labels = ConcreteTensor.fromData(new Int32Array(60000), [60000], "int32");
  out.batchesPass = median(() => {
    for (const b of data.batches(random.key(k++), { images, labels }, 100)) void b;
  });
  const order = random.permutation(random.key(0), 60000).toTypedArray() as Int32Array;
  out.handCopies = median(() => {
    for (let s = 0; s < 60000; s += 100) {
      const batch = new Float32Array(100 * 784);
      for (let j = 0; j < 100; j++) batch.set(raw.subarray(order[s + j]! * 784, order[s + j]! * 784 + 784), j * 784);
    }
  });
  log(`data.batches pass (60000x784 float32, batch 100, permutation included): ${out.batchesPass.toFixed(1)} ms; the same row copies by hand ${out.handCopies.toFixed(1)} ms`);
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) measureResearchHelpers();
