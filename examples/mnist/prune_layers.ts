/**
 * Layer-wise magnitude pruning, as Frankle & Carbin prune LeNet-300-100: in each weight layer,
 * the given fraction of its current edges with the smallest |weight| goes (20 % of each hidden
 * layer's, 10 % of the output layer's per round). Layers are told apart by neuron ids (see
 * `networks.ts`), the edges and weights come from `toWeightedGraph`, and the edges go with
 * `cnx.removeConnections`, so every surviving weight keeps its value.
 */
import { ValueError } from "@connex/core";
import * as cnx from "connex";
import { edgesByLayer } from "./networks.js";

/**
 * The edges to remove: per layer, `round(fraction · edges)` of smallest |weight| (ties broken
 * by position, so the choice is deterministic).
 *
 * @example
 * weakestPerLayer(net, LENET_300_100, [0.2, 0.2, 0.1]).length; // 53,140 on the dense LeNet
 */
export function weakestPerLayer(network: cnx.NeuralNetwork, sizes: readonly number[], fractions: readonly number[]): cnx.Edge[] {
  if (fractions.length !== sizes.length - 1) throw new ValueError(`weakestPerLayer: one fraction per weight layer (${sizes.length - 1}) expected, got ${fractions.length}`);
  fractions.forEach((f, l) => {
    if (!(f >= 0 && f <= 1)) throw new ValueError(`weakestPerLayer: fractions[${l}] must be in [0, 1], got ${f}`);
  });
  const out: cnx.Edge[] = [];
  edgesByLayer(network, sizes).forEach((edges, l) => {
    const k = Math.round(fractions[l]! * edges.length);
    const order = edges.map((_, i) => i).sort((a, b) => Math.abs(edges[a]!.weight) - Math.abs(edges[b]!.weight) || a - b);
    for (const i of order.slice(0, k)) out.push([edges[i]!.from, edges[i]!.to]);
  });
  return out;
}

/**
 * `network` without, in each weight layer, the fraction `fractions[l]` of its edges of smallest
 * magnitude.
 *
 * @example
 * pruneLayers(trained, LENET_300_100, [0.2, 0.2, 0.1]).numEdges; // 213,060 from 266,200
 */
export function pruneLayers(network: cnx.NeuralNetwork, sizes: readonly number[], fractions: readonly number[]): cnx.NeuralNetwork {
  return cnx.removeConnections(network, weakestPerLayer(network, sizes, fractions));
}
