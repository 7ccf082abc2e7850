import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { random } from "@connex/core";
import { NeuralNetwork } from "../../src/network.js";
import { IncrementalTopologicalOrder } from "../../src/research/incremental_order.js";
import { readmeNetwork } from "../plasticity/testing/readme_network.js";
import { randomDag } from "../testing/random_dag.js";

/** Whether `to` is reachable from `from` through `succ` (a node reaches itself). */
function reaches(succ: number[][], from: number, to: number): boolean {
  const seen = new Set([from]);
  const stack = [from];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n === to) return true;
    for (const s of succ[n]!) if (!seen.has(s)) seen.add(s), stack.push(s);
  }
  return false;
}

/** The network's edges as successor lists by position. */
function positionSuccessors(net: NeuralNetwork): number[][] {
  const { position } = net.structure.topology;
  const succ = net.neurons.map(() => [] as number[]);
  for (const [f, t] of net.edges()) succ[position.get(f)!]!.push(position.get(t)!);
  return succ;
}

describe("IncrementalTopologicalOrder", () => {
  it("accepts an edge exactly when its head does not reach its tail, and keeps a topological order (fast-check)", () => {
    let backwardAccepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.double({ min: 0.05, max: 0.8, noNaN: true }), fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 60 }), (seed, density, tries) => {
        const dag = randomDag(seed, { maxInputs: 3, maxHidden: 9, maxOutputs: 3, density });
        const net = new NeuralNetwork({ graph: dag.edges, inputNeurons: dag.inputNeurons, outputNeurons: dag.outputNeurons, neurons: dag.neurons, key: random.key(seed) });
        const n = net.neurons.length;
        const succ = positionSuccessors(net);
        const order = new IncrementalTopologicalOrder(net.structure.topology);
        for (const [a, b] of tries) {
          const [p, q] = [a % n, b % n];
          if (succ[p]!.includes(q)) continue;
          const wasBefore = order.before(p, q);
          const acyclic = p !== q && !reaches(succ, q, p);
          expect(order.tryAdd(p, q)).toBe(acyclic);
          if (acyclic) {
            succ[p]!.push(q);
            if (!wasBefore) backwardAccepted++;
          } else rejected++;
          // every edge, old or added, goes forward in the order
          for (let u = 0; u < n; u++) for (const v of succ[u]!) expect(order.before(u, v)).toBe(true);
        }
        for (let q = 0; q < n; q++) {
          const added = succ.flatMap((s, u) => (s.includes(q) && !net.structure.graph.successors.get(net.structure.topology.order[u]!)!.includes(net.structure.topology.order[q]!) ? [u] : []));
          expect([...order.addedSources(q)].sort((x, y) => x - y)).toEqual(added);
        }
      }),
      { numRuns: 150 },
    );
    expect(backwardAccepted).toBeGreaterThan(100);
    expect(rejected).toBeGreaterThan(100);
  });

  it("rejects self-loops and edges closing a cycle through earlier added edges, changing nothing", () => {
    const net = readmeNetwork(); // batches [1, 2], [4, 5], [6, 7], [8, 9, 10], [3, 11]
    const { position } = net.structure.topology;
    const at = (id: number) => position.get(id)!;
    const order = new IncrementalTopologicalOrder(net.structure.topology);
    expect(order.tryAdd(at(4), at(4))).toBe(false);
    expect(order.tryAdd(at(6), at(4))).toBe(false); // 4 -> 6
    expect(order.tryAdd(at(10), at(4))).toBe(true); // backward, 4 does not reach 10
    expect(order.before(at(10), at(4))).toBe(true);
    expect(order.before(at(7), at(6))).toBe(true); // 7 -> 10 -> 4 -> 6 now: 7 moved before 6
    // 5 -> 7 -> 10 -> 4 -> 6 now, so 6 -> 5 closes a cycle and 8 -> 7 too; a rejection changes nothing
    const n = net.neurons.length;
    const relation = () => Array.from({ length: n * n }, (_, k) => order.before(Math.floor(k / n), k % n));
    const before = relation();
    expect(order.tryAdd(at(6), at(5))).toBe(false);
    expect(order.tryAdd(at(8), at(7))).toBe(false);
    expect(relation()).toEqual(before);
    expect(order.addedSources(at(4))).toEqual([at(10)]);
    expect(order.addedSources(at(5))).toEqual([]);
  });
});
