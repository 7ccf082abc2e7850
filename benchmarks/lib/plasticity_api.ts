/**
 * The plasticity functions of `connex` (API contract: `addConnections`, `removeConnections`,
 * `addInputNeurons`, `addHiddenNeurons`, `addOutputNeurons`, `removeNeurons`, `setDropoutP`),
 * looked up at run time so the benchmarks can say precisely which ones are missing instead of
 * failing to load.
 */
import { random, type Tensor } from "@connex/core";
import * as cnx from "connex";
import type { Activation, NeuronId } from "connex";

type Net = cnx.NeuralNetwork;
type Conns = readonly (readonly [number, number])[];

/** The plasticity functions, typed as the API contract describes them. */
export interface PlasticityApi {
  addConnections(net: Net, conns: Conns, options: { key: Tensor }): Net;
  removeConnections(net: Net, conns: Conns): Net;
  addInputNeurons(net: Net, ids: readonly number[], options: { key: Tensor }): Net;
  addHiddenNeurons(net: Net, ids: readonly number[], options: { key: Tensor }): Net;
  addOutputNeurons(net: Net, ids: readonly number[], options: { key: Tensor }): Net;
  removeNeurons(net: Net, ids: readonly number[]): Net;
  setDropoutP(net: Net, p: number): Net;
}

const NAMES = ["addConnections", "removeConnections", "addInputNeurons", "addHiddenNeurons", "addOutputNeurons", "removeNeurons", "setDropoutP"] as const;

/**
 * The plasticity functions exported by `connex`, or the names of those it does not export.
 *
 * @example
 * const api = plasticityApi();
 * if ("missing" in api) console.log(api.missing); else api.setDropoutP(net, 0.1);
 */
export function plasticityApi(): PlasticityApi | { missing: string[] } {
  const exported = cnx as unknown as Record<string, unknown>;
  const missing = NAMES.filter((name) => typeof exported[name] !== "function");
  if (missing.length > 0) return { missing };
  return Object.fromEntries(NAMES.map((name) => [name, exported[name]])) as unknown as PlasticityApi;
}

/**
 * `net` without its edges of weight magnitude below `threshold` (magnitude pruning), and how it
 * was made: with `removeConnections` when `connex` exports it, otherwise by building a network
 * over the kept edges with the same neurons, topological order and activation (the same
 * structure, hence the same work per step; only the surviving weights are re-initialised).
 *
 * @example
 * pruneSmallWeights(denseNetwork(), 0.1, nn.gelu).network.numEdges; // about a third of 99,842
 */
export function pruneSmallWeights(net: Net, threshold: number, hiddenActivation: Activation): { network: Net; how: string } {
  const graph = net.toWeightedGraph();
  const isWeak = (weight: number) => Math.abs(weight) < threshold;
  const api = plasticityApi();
  if (!("missing" in api)) {
    const weak = graph.edges.filter((e) => isWeak(e.weight)).map((e) => [e.from as number, e.to as number] as const);
    return { network: api.removeConnections(net, weak), how: "removeConnections" };
  }
  const kept = graph.edges.filter((e) => !isWeak(e.weight)).map((e) => [e.from, e.to] as [NeuronId, NeuronId]);
  const network = new cnx.NeuralNetwork({
    graph: kept,
    neurons: graph.nodes,
    inputNeurons: graph.inputNeurons,
    outputNeurons: graph.outputNeurons,
    topoSort: graph.nodes,
    hiddenActivation,
  });
  return { network, how: "rebuilt over the kept edges (connex has no removeConnections yet)" };
}

/** The key the benchmarks pass to plasticity functions that initialise new parameters. */
export const PLASTICITY_KEY = random.key(1);
