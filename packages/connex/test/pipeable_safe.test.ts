import { describe, expect, it } from "vitest";
import * as E from "fp-ts/lib/Either.js";
import { flow, pipe } from "fp-ts/lib/function.js";
import { random } from "@connex/core";
import { CycleError, EmptyNeuronListError, UnknownNeuronError } from "../src/errors.js";
import type { NeuralNetwork } from "../src/network.js";
import * as pipeable from "../src/pipeable.js";
import { addConnections, addHiddenNeurons, removeNeurons, setDropoutP } from "../src/plasticity/index.js";
import { readmeNetwork } from "./plasticity/testing/readme_network.js";
import * as safe from "../src/safe.js";

const weights = (net: NeuralNetwork) => net.toWeightedGraph().edges;

describe("cnx.pipeable (data-last, for fp-ts pipe)", () => {
  it("chains edits exactly as the data-first calls", () => {
    const net = readmeNetwork();
    const key = random.key(2);
    const piped = pipe(net, pipeable.addHiddenNeurons(["h"], { key }), pipeable.addConnections([[0, "h"], ["h", 11]], { key }), pipeable.removeNeurons([9]), pipeable.setDropoutP(0.1));
    const direct = setDropoutP(removeNeurons(addConnections(addHiddenNeurons(net, ["h"], { key }), [[0, "h"], ["h", 11]], { key }), [9]), 0.1);
    expect(weights(piped)).toEqual(weights(direct));
    expect(piped.dropoutP).toEqual(direct.dropoutP);
    const edit = flow(pipeable.removeConnections({ 0: [3] }), pipeable.addInputNeurons(["x"]), pipeable.addOutputNeurons(["y"]));
    const out = edit(net);
    expect(out.inputNeurons).toEqual(["x", 0]);
    expect(out.outputNeurons).toEqual([3, 11, "y"]);
    expect(out.numEdges).toBe(13);
  });

  it("throws like the data-first functions", () => {
    expect(() => pipe(readmeNetwork(), pipeable.addConnections([[8, 6]]))).toThrow(CycleError);
  });
});

describe("cnx.safe (Either results)", () => {
  it("returns Right(network) on success and Left(ConnexError) on an invalid edit", () => {
    const net = readmeNetwork();
    const ok = safe.addConnections(net, [[1, 7]], { key: random.key(1) });
    expect(E.isRight(ok)).toBe(true);
    if (E.isRight(ok)) expect(weights(ok.right)).toEqual(weights(addConnections(net, [[1, 7]], { key: random.key(1) })));
    const cycle = safe.addConnections(net, [[10, 2]]);
    expect(E.isLeft(cycle)).toBe(true);
    if (E.isLeft(cycle)) {
      expect(cycle.left).toBeInstanceOf(CycleError);
      expect(cycle.left.message).toContain("2 -> 5 -> 7 -> 10 -> 2");
    }
    const results = [
      safe.removeConnections(net, [[1, 99]]),
      safe.addInputNeurons(net, [1]),
      safe.addHiddenNeurons(net, [1]),
      safe.addOutputNeurons(net, [1]),
      safe.removeNeurons(net, [0]),
      safe.setDropoutP(net, 3),
    ];
    expect(results.map((r) => (E.isLeft(r) ? r.left.name : "Right"))).toEqual([
      "UnknownNeuronError",
      "DuplicateNeuronError",
      "DuplicateNeuronError",
      "DuplicateNeuronError",
      "EmptyNeuronListError",
      "DropoutProbabilityError",
    ]);
    expect(E.isRight(safe.removeNeurons(net, [9]))).toBe(true);
    const chained = pipe(
      safe.removeNeurons(net, [3]),
      E.chain((n) => safe.removeNeurons(n, [11])),
    );
    expect(E.isLeft(chained) && chained.left instanceof EmptyNeuronListError).toBe(true);
    expect(E.isLeft(safe.removeConnections(net, { 42: [1] })) && safe.removeConnections(net, { 42: [1] })).toMatchObject({ left: expect.any(UnknownNeuronError) });
  });

  it("still throws errors that are not ConnexErrors (bugs are not results)", () => {
    expect(() => safe.addConnections(null as unknown as NeuralNetwork, [[0, 1]])).toThrow(TypeError);
  });
});
