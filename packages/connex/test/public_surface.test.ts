/**
 * The calling conventions over connex's whole public surface, one table entry per export: a
 * wrong-typed argument throws a typed error (a `ConnexError`, or core's for tensor arguments)
 * and an unknown option name an `InvalidOptionError` naming it and the function. The table
 * must list every export, so a new export fails here until it is audited.
 */
import { describe, expect, it } from "vitest";
import { CoreError, np, random } from "@connex/core";
import * as cnx from "../src/index.js";
import { ConnexError, InvalidOptionError, NeuralNetwork } from "../src/index.js";

interface Entry {
  /** A call with an argument of the wrong type. */
  wrong?: () => unknown;
  /** A call with the option name `bogus`. */
  unknown?: () => unknown;
  /** Why an export has no call checks. */
  note?: string;
}

const spec = { graph: [[0, 1], [1, 2]] as [number, number][], inputNeurons: [0], outputNeurons: [2] };
const net = new NeuralNetwork(spec);
const bogus = { bogus: 1 } as never;
const str = "net.safetensors" as never;
const errorClass: Entry = { note: "error class" };

const plasticityTable = (ns: typeof cnx.pipeable | typeof cnx.safe | typeof cnx, curried: boolean): Record<string, Entry> => {
  const call = (f: unknown, ...args: unknown[]) =>
    curried ? () => ((f as (...a: unknown[]) => (n: unknown) => unknown)(...args))(net) : () => (f as (...a: unknown[]) => unknown)(net, ...args);
  return {
    addConnections: { wrong: call(ns.addConnections, str), unknown: call(ns.addConnections, [[0, 2]], bogus) },
    removeConnections: { wrong: call(ns.removeConnections, str) },
    addInputNeurons: { wrong: call(ns.addInputNeurons, str), unknown: call(ns.addInputNeurons, [9], bogus) },
    addHiddenNeurons: { wrong: call(ns.addHiddenNeurons, str), unknown: call(ns.addHiddenNeurons, [9], bogus) },
    addOutputNeurons: { wrong: call(ns.addOutputNeurons, str), unknown: call(ns.addOutputNeurons, [9], bogus) },
    removeNeurons: { wrong: call(ns.removeNeurons, str) },
    setDropoutP: { wrong: call(ns.setDropoutP, str) },
  };
};

const rootTable: Record<string, Entry> = {
  NeuralNetwork: { wrong: () => new NeuralNetwork(str), unknown: () => new NeuralNetwork({ ...spec, hiddenActivaton: np.tanh } as never) },
  nn: { note: "namespace, audited below" },
  defaultInit: { note: "an initialiser called by the network with a context it builds" },
  NetworkStructure: { note: "class (built by NeuralNetwork)" },
  ...plasticityTable(cnx, false),
  pipeable: { note: "namespace, audited below" },
  safe: { note: "namespace, audited below" },
  save: { wrong: () => (cnx.save as (n: unknown, p: unknown) => unknown)(net, str) },
  load: { wrong: () => cnx.load(str) },
  registerActivation: { wrong: () => cnx.registerActivation(str, str) },
  viz: { note: "rendering helpers (SVG, Vega-Lite, progress bars), audited in viz's own tests" },
  WeightLayoutRule: {
    wrong: () => cnx.WeightLayoutRule.resolve(str),
    unknown: () => cnx.WeightLayoutRule.resolve({ maxSparseDensity: 0.5, bogus: 1 }),
  },
  BatchWeightLayout: { note: "class (one per topological batch, built by NeuralNetwork)" },
  edgeWeights: { wrong: () => cnx.edgeWeights(str) },
  pruneByMagnitude: { wrong: () => cnx.pruneByMagnitude(str, { fraction: 0.5 }), unknown: () => cnx.pruneByMagnitude(net, { fraction: 0.5 }, bogus) },
  regrowConnections: { wrong: () => cnx.regrowConnections(net, str, { key: random.key(0) }), unknown: () => cnx.regrowConnections(net, 1, { key: random.key(0), bogus: 1 } as never) },
  rewind: { wrong: () => cnx.rewind(net, str) },
  fromWeightedGraph: { wrong: () => cnx.fromWeightedGraph(str), unknown: () => cnx.fromWeightedGraph(net.toWeightedGraph(), bogus) },
};
for (const name of Object.keys(cnx)) {
  if (/Error$/.test(name)) rootTable[name] = errorClass;
}
const nnTable: Record<keyof typeof cnx.nn, Entry> = {
  MLP: { wrong: () => cnx.nn.MLP(str), unknown: () => cnx.nn.MLP({ inputSize: 1, outputSize: 1, width: 2, depth: 1, witdh: 3 } as never) },
  DenseMLP: { wrong: () => cnx.nn.DenseMLP(str), unknown: () => cnx.nn.DenseMLP({ inputSize: 1, outputSize: 1, width: 2, depth: 1, bogus: 1 } as never) },
};

const safeTable: Record<string, Entry> = {
  ...plasticityTable(cnx.safe, false),
  attempt: { note: "wraps any edit; its errors are the edit's" },
};

const namespaces: [string, object, Record<string, Entry>, boolean][] = [
  ["connex", cnx, rootTable, true],
  ["connex.nn", cnx.nn, nnTable, true],
  ["connex.pipeable", cnx.pipeable, plasticityTable(cnx.pipeable, true), true],
  // safe's functions return Left(error) instead of throwing.
  ["connex.safe", cnx.safe, safeTable, false],
];

describe.each(namespaces)("%s", (_name, ns, table, throws) => {
  it("has one table entry per export, and none for names it does not export", () => {
    expect(Object.keys(table).sort()).toEqual(Object.keys(ns).sort());
  });
  const entries = Object.entries(table);
  it("every function has a wrong-type check or a note saying why not", () => {
    for (const [name, e] of entries) expect(e.wrong !== undefined || e.note !== undefined, name).toBe(true);
  });
  it.each(entries.filter(([, e]) => e.wrong !== undefined))("%s rejects a wrong-typed argument with a typed error", (_n, e) => {
    let thrown: unknown;
    try {
      const r = e.wrong!() as { _tag?: string; left?: unknown } | undefined;
      if (!throws) thrown = r?._tag === "Left" ? r.left : undefined;
    } catch (err) {
      thrown = err;
    }
    expect(thrown instanceof ConnexError || thrown instanceof CoreError, String(thrown)).toBe(true);
  });
  it.each(entries.filter(([, e]) => e.unknown !== undefined))("%s rejects an unknown option, naming it", (_n, e) => {
    let thrown: unknown;
    try {
      const r = e.unknown!() as { _tag?: string; left?: unknown } | undefined;
      if (!throws) thrown = r?._tag === "Left" ? r.left : undefined;
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InvalidOptionError);
    expect((thrown as Error).message).toMatch(/unknown option "(bogus|witdh|hiddenActivaton)"/);
  });
});

describe("connex entry checks in detail", () => {
  it("cnx.save(net, path) is an error, not a silently ignored path", () => {
    expect(() => (cnx.save as (n: unknown, p: unknown) => unknown)(net, "net.safetensors")).toThrow(/cnx.save: takes only the network/);
  });
  it("forward rejects an unknown option", () => {
    expect(() => net.forward(np.ones([1]), { inferense: true } as never)).toThrow(/NeuralNetwork.forward: unknown option "inferense"/);
  });
});
