/**
 * Latency of the smallest plasticity edits on DenseMLP(1, 2, 128, 4) (515 neurons, 99,842
 * edges): one `addConnections` / `removeConnections` of a single edge, and one `removeNeurons`
 * of a single hidden neuron. Target (issue 7): under 2 ms median each. The cost should follow
 * the change, not the network: one edge touches one batch's weight block, one hidden neuron
 * the blocks that read it.
 *
 *   for p in core autodiff optim connex; do (cd packages/$p && npx tsup); done
 *   cd benchmarks && npx tsx plasticity_single_edit.bench.ts
 *
 * (`benchmarks/plasticity.bench.ts`, part of `pnpm bench`, times the larger 100-edge and
 * one-neuron-addition edits of every function.)
 */
import { pathToFileURL } from "node:url";
import { Bench } from "tinybench";
import { random } from "@connex/core";
import * as cnx from "connex";

/** Target median latency per edit, in milliseconds. */
export const SINGLE_EDIT_TARGET_MS = 2;

/** One timed edit and a check that it made the change. */
interface SingleEdit {
  name: string;
  apply: () => cnx.NeuralNetwork;
  check: (result: cnx.NeuralNetwork) => boolean;
}

/**
 * The timed edits on `net` (a DenseMLP(1, 2, 128, 4); neuron ids: input 0, hidden layers
 * 1-128, 129-256, 257-384, 385-512, outputs 513-514).
 *
 * @example
 * singleEdits(cnx.nn.DenseMLP({ inputSize: 1, outputSize: 2, width: 128, depth: 4 }));
 */
export function singleEdits(net: cnx.NeuralNetwork): SingleEdit[] {
  const key = random.key(1);
  const intoLayer3: [number, number] = [200, 300];
  const intoLayer4: [number, number] = [300, 450];
  const without3 = cnx.removeConnections(net, [intoLayer3]);
  const without4 = cnx.removeConnections(net, [intoLayer4]);
  return [
    { name: "removeConnections 1 edge (into layer 3)", apply: () => cnx.removeConnections(net, [intoLayer3]), check: (r) => r.numEdges === net.numEdges - 1 },
    { name: "removeConnections 1 edge (into layer 4)", apply: () => cnx.removeConnections(net, [intoLayer4]), check: (r) => r.numEdges === net.numEdges - 1 },
    { name: "addConnections 1 edge (into layer 3)", apply: () => cnx.addConnections(without3, [intoLayer3], { key }), check: (r) => r.numEdges === net.numEdges },
    { name: "addConnections 1 edge (into layer 4)", apply: () => cnx.addConnections(without4, [intoLayer4], { key }), check: (r) => r.numEdges === net.numEdges },
    { name: "removeNeurons 1 hidden (layer 2)", apply: () => cnx.removeNeurons(net, [200]), check: (r) => r.numNeurons === net.numNeurons - 1 },
    { name: "removeNeurons 1 hidden (layer 4)", apply: () => cnx.removeNeurons(net, [450]), check: (r) => r.numNeurons === net.numNeurons - 1 },
  ];
}

/** Median latency (ms) of every single edit, with the target. */
export async function measureSingleEdits(time = 1000): Promise<{ edit: string; medianMs: number; meanMs: number; samples: number; met: boolean }[]> {
  const net = cnx.nn.DenseMLP({ inputSize: 1, outputSize: 2, width: 128, depth: 4 });
  if (net.numEdges !== 99_842) throw new Error(`DenseMLP(1, 2, 128, 4) has ${net.numEdges} edges, expected 99,842`);
  const edits = singleEdits(net);
  const bench = new Bench({ time, warmupTime: 200 });
  for (const e of edits) {
    if (!e.check(e.apply())) throw new Error(`${e.name}: did not make the expected change`);
    bench.add(e.name, () => void e.apply());
  }
  await bench.run();
  return bench.tasks.map((t) => {
    const r = t.result as { latency?: { p50: number; mean: number; samplesCount?: number; samples?: number[] } } | undefined;
    if (!r?.latency) throw new Error(`${t.name}: benchmark task did not complete`);
    const medianMs = r.latency.p50;
    return { edit: t.name, medianMs: +medianMs.toFixed(3), meanMs: +r.latency.mean.toFixed(3), samples: r.latency.samplesCount ?? r.latency.samples?.length ?? 0, met: medianMs < SINGLE_EDIT_TARGET_MS };
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await measureSingleEdits();
  console.table(rows);
  if (rows.some((r) => !r.met)) process.exitCode = 1;
}
