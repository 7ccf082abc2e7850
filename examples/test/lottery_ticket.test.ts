import { random } from "@connex/core";
import * as cnx from "connex";
import { beforeAll, describe, expect, it } from "vitest";
import { lotteryTicketExperiment } from "../lottery_ticket.js";
import { loadMnist, type Mnist } from "../mnist/load_mnist.js";
import { LENET_300_100, edgesByLayer, layeredNetwork } from "../mnist/networks.js";
import { pruneLayers, weakestPerLayer } from "../mnist/prune_layers.js";

describe("pruneLayers", () => {
  it("removes each layer's given fraction of smallest |w| and keeps the other weights", () => {
    const net = layeredNetwork([20, 8, 4, 3], { key: random.key(0) });
    const pruned = pruneLayers(net, [20, 8, 4, 3], [0.5, 0.25, 0]);
    expect(edgesByLayer(pruned, [20, 8, 4, 3]).map((l) => l.length)).toEqual([80, 24, 12]);
    const kept = edgesByLayer(pruned, [20, 8, 4, 3])[0]!;
    const removed = new Set(weakestPerLayer(net, [20, 8, 4, 3], [0.5, 0.25, 0]).map(([a, b]) => `${String(a)}>${String(b)}`));
    const before = edgesByLayer(net, [20, 8, 4, 3])[0]!;
    const maxRemoved = Math.max(...before.filter((e) => removed.has(`${e.from}>${e.to}`)).map((e) => Math.abs(e.weight)));
    for (const e of kept) expect(Math.abs(e.weight)).toBeGreaterThanOrEqual(maxRemoved);
    expect(() => pruneLayers(net, [20, 8, 4, 3], [1.5, 0, 0])).toThrow(/fractions\[0\] must be in \[0, 1\]/);
  });
});

describe("lottery tickets on MNIST (reduced: 4,000 training images, 2 rounds)", () => {
  let mnist: Mnist;
  beforeAll(() => {
    mnist = loadMnist({ trainSize: 4000, validationSize: 1000, testSize: 2000 });
  });

  it("rewound tickets beat random re-initialisation at the same sparsity", async () => {
    // Two aggressive rounds (70 % of each hidden layer, 50 % of the output layer per round) reach
    // about 9 % of the edges, where the paper's gap between tickets and random re-init is wide.
    const trainedTickets: cnx.NeuralNetwork[] = [];
    const { rounds } = await lotteryTicketExperiment({ rounds: 2, epochs: 2, hiddenRate: 0.7, outputRate: 0.5, mnist, onRound: (_r, net) => void trainedTickets.push(net) });
    // onRound hands over each round's trained ticket (the notebook draws them).
    expect(trainedTickets.map((n) => n.numEdges)).toEqual(rounds.map((r) => r.edges));
    expect(rounds.map((r) => r.edges)).toEqual([266200, expect.any(Number), expect.any(Number)]);
    expect(rounds[2]!.percentRemaining).toBeLessThan(10);
    expect(rounds[2]!.edgesPerLayer).toEqual([21168, 2700, 250]);
    const last = rounds[2]!;
    expect(last.ticket.testAccuracy).toBeGreaterThan(last.randomReinit!.testAccuracy);
    expect(last.ticket.testAccuracy).toBeGreaterThan(0.8);
  }, 600_000);

  it("rewinding restores the initial value of every surviving weight", () => {
    const initial = layeredNetwork(LENET_300_100, { key: random.key(0) });
    const pruned = pruneLayers(layeredNetwork(LENET_300_100, { key: random.key(7) }), LENET_300_100, [0.9, 0.9, 0.5]);
    const rewound = cnx.rewind(pruned, initial);
    const init = new Map(initial.toWeightedGraph().edges.map((e) => [`${String(e.from)}>${String(e.to)}`, e.weight]));
    const edges = rewound.toWeightedGraph().edges;
    expect(edges.length).toBe(pruned.numEdges);
    for (const e of edges.slice(0, 2000)) expect(e.weight).toBe(init.get(`${String(e.from)}>${String(e.to)}`));
  });
});
