/**
 * Test support: random plasticity edits driven by fast-check's numbers, each with the outcome
 * a reference computation expects (success, or the error it must throw).
 */
import type { DropoutSpec } from "../../../src/options.js";
import { findCycle, parseGraph, type Edge } from "../../../src/graph.js";
import type { NeuralNetwork } from "../../../src/network.js";
import type { NeuronId } from "../../../src/neuron_id.js";
import { addConnections, addHiddenNeurons, addInputNeurons, addOutputNeurons, removeConnections, removeNeurons, setDropoutP } from "../../../src/plasticity/index.js";

/** One random edit: which function, and numbers to pick its arguments with. */
export interface EditPlan {
  readonly op: number;
  readonly picks: readonly number[];
}

/** What running a plan gives: a description, and either the new network or the error class expected. */
export interface PlannedEdit {
  readonly describe: string;
  readonly run: () => NeuralNetwork;
  /** `null` when the edit must succeed; otherwise the name of the error class it must throw. */
  readonly expectedError: string | null;
  /** For an expected cycle: every edge of the edited graph, to check the reported cycle. */
  readonly edgesAfter?: readonly Edge[];
}

const pick = <T>(xs: readonly T[], k: number): T => xs[k % xs.length]!;

/**
 * The edit `plan` describes on `net`; `serial` makes new neuron ids unique.
 *
 * @example
 * planEdit(net, { op: 0, picks: [3, 8] }, 1).run();
 */
export function planEdit(net: NeuralNetwork, plan: EditPlan, serial: number): PlannedEdit {
  const inputs = new Set(net.inputNeurons);
  const outputs = new Set(net.outputNeurons);
  const sources = net.neurons.filter((n) => !outputs.has(n));
  const targets = net.neurons.filter((n) => !inputs.has(n));
  const p = plan.picks;
  switch (plan.op % 7) {
    case 0: {
      const edges: Edge[] = [];
      for (let i = 0; i + 1 < p.length; i += 2) edges.push([pick(sources, p[i]!), pick(targets, p[i + 1]!)]);
      if (edges.length === 0) edges.push([pick(sources, p[0]!), pick(targets, p[0]! * 7 + 3)]);
      const all = [...net.edges(), ...edges.filter(([u, v]) => !net.structure.graph.successors.get(u)!.includes(v))];
      const unique = [...new Map(all.map((e) => [JSON.stringify(e), e])).values()];
      const cyclic = findCycle(parseGraph(unique, net.neurons)) !== null;
      return { describe: `addConnections ${JSON.stringify(edges)}`, run: () => addConnections(net, edges), expectedError: cyclic ? "CycleError" : null, edgesAfter: unique };
    }
    case 1: {
      const existing = net.edges();
      const edges: Edge[] = existing.length > 0 ? p.map((k) => pick(existing, k)) : [];
      edges.push([pick(sources, p[0]!), pick(targets, p[0]! + 1)]);
      return { describe: `removeConnections ${JSON.stringify(edges)}`, run: () => removeConnections(net, edges), expectedError: null };
    }
    case 2:
      return { describe: `addInputNeurons [i${serial}]`, run: () => addInputNeurons(net, [`i${serial}`]), expectedError: null };
    case 3: {
      const ids: NeuronId[] = p.length > 1 ? [`h${serial}`, 1000 + serial] : [`h${serial}`];
      return { describe: `addHiddenNeurons ${JSON.stringify(ids)}`, run: () => addHiddenNeurons(net, ids), expectedError: null };
    }
    case 4:
      return { describe: `addOutputNeurons [o${serial}]`, run: () => addOutputNeurons(net, [`o${serial}`]), expectedError: null };
    case 5: {
      const ids = [...new Set(p.slice(0, 2).map((k) => pick(net.neurons, k)))];
      const empties = net.inputNeurons.every((n) => ids.includes(n)) || net.outputNeurons.every((n) => ids.includes(n));
      return { describe: `removeNeurons ${JSON.stringify(ids)}`, run: () => removeNeurons(net, ids), expectedError: empties ? "EmptyNeuronListError" : null };
    }
    default: {
      const spec: DropoutSpec = p[0]! % 2 === 0 ? (p[0]! % 5) / 5 : new Map([[pick(net.neurons, p[0]!), (p[p.length - 1]! % 3) / 4]]);
      return { describe: `setDropoutP ${spec instanceof Map ? JSON.stringify([...spec]) : spec}`, run: () => setDropoutP(net, spec), expectedError: null };
    }
  }
}
