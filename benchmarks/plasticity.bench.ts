/**
 * Plasticity op latency on DenseMLP(1, 2, 128, 4) (515 neurons, 99,842 edges): each of
 * `connex`'s structural edits, applied to the same network, median of several rounds.
 * Target (issue 8): under 2 ms per op.
 */
import type * as cnx from "connex";
import { PLASTICITY_KEY, plasticityApi, type PlasticityApi } from "./lib/plasticity_api.js";
import type { ResultRow } from "./lib/report.js";
import type { Suite } from "./lib/suite.js";
import { calibratedPlan, collectGarbage, timeCalls } from "./lib/timing.js";
import { denseNetwork } from "./lib/workloads.js";

/** Target latency per plasticity op. */
export const PLASTICITY_TARGET_MS = 2;

/** One structural edit and the change it must make, checked once before timing. */
interface PlasticityCase {
  name: string;
  apply: () => cnx.NeuralNetwork;
  check: (result: cnx.NeuralNetwork) => boolean;
}

/** 100 edges from the first 10 neurons of hidden layer 1 to the first 10 of hidden layer 2. */
function hundredEdges(): [number, number][] {
  const edges: [number, number][] = [];
  for (let from = 1; from <= 10; from++) for (let to = 129; to <= 138; to++) edges.push([from, to]);
  return edges;
}

function cases(api: PlasticityApi, net: cnx.NeuralNetwork): PlasticityCase[] {
  const edges = hundredEdges();
  const withoutEdges = api.removeConnections(net, edges);
  const key = PLASTICITY_KEY;
  return [
    { name: "removeConnections (100 edges)", apply: () => api.removeConnections(net, edges), check: (r) => r.numEdges === net.numEdges - 100 },
    { name: "addConnections (100 edges)", apply: () => api.addConnections(withoutEdges, edges, { key }), check: (r) => r.numEdges === net.numEdges },
    { name: "addHiddenNeurons (1)", apply: () => api.addHiddenNeurons(net, [10_000], { key }), check: (r) => r.numNeurons === net.numNeurons + 1 },
    { name: "addInputNeurons (1)", apply: () => api.addInputNeurons(net, [10_001], { key }), check: (r) => r.inputNeurons.length === net.inputNeurons.length + 1 },
    { name: "addOutputNeurons (1)", apply: () => api.addOutputNeurons(net, [10_002], { key }), check: (r) => r.outputNeurons.length === net.outputNeurons.length + 1 },
    { name: "removeNeurons (1 hidden)", apply: () => api.removeNeurons(net, [200]), check: (r) => r.numNeurons === net.numNeurons - 1 },
    { name: "setDropoutP (all hidden)", apply: () => api.setDropoutP(net, 0.1), check: (r) => r.dropoutP.get(200) === 0.1 },
  ];
}

/** Latency of every plasticity op on the DenseMLP. */
export const plasticitySuite: Suite = {
  name: "plasticity",
  title: "plasticity op latency on DenseMLP(1, 2, 128, 4)",
  async run(ctx) {
    const suite = "plasticity on DenseMLP";
    const api = plasticityApi();
    if ("missing" in api) {
      return { rows: [], skipped: [{ suite, reason: `connex does not export ${api.missing.join(", ")} yet` }] };
    }
    const net = denseNetwork();
    const rows: ResultRow[] = [];
    for (const c of cases(api, net)) {
      const result = c.apply();
      if (!c.check(result)) throw new Error(`${suite}: ${c.name} did not make the expected change`);
      const op = () => void c.apply();
      // Warm up (20 calls, as a loop that edits its network now and then has run the edit code
      // before), then rounds of ~30 ms each; garbage the earlier ops left is collected first.
      const plan = ctx.quick ? { warmup: 1, rounds: 3, iterations: 1 } : calibratedPlan(op, { roundMs: 30, rounds: 7, warmup: 20 });
      collectGarbage();
      const { medianMs, roundsMs } = timeCalls(op, plan);
      rows.push({
        suite,
        variant: c.name,
        median: medianMs,
        unit: "ms/op",
        rounds: roundsMs,
        target: `< ${PLASTICITY_TARGET_MS} ms`,
        met: medianMs < PLASTICITY_TARGET_MS,
      });
    }
    return { rows, skipped: [] };
  },
};
