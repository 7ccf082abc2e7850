import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nn, np, random, tree, type Tensor } from "@connex/core";
import { InvalidOptionError } from "../../src/errors.js";
import { NeuralNetwork } from "../../src/network.js";
import { loadFile, saveFile } from "../../src/node/files.js";
import { NetworkFileError, UnregisteredActivationError } from "../../src/persistence/errors.js";
import { save } from "../../src/persistence/save.js";
import { readmeNetwork } from "../plasticity/testing/readme_network.js";

const readme = () => readmeNetwork({ hiddenActivation: nn.relu, dropoutP: { 4: 0.25 }, key: random.key(3), dtype: "float32" });

const leaves = (net: NeuralNetwork) => (tree.leaves(net) as Tensor[]).map((t) => Array.from(t.toTypedArray()));

describe("saveFile / loadFile (connex/node)", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "connex-files-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("writes cnx.save's bytes and reads back the same network, bit for bit", () => {
    const net = readme();
    const file = join(dir, "readme.safetensors");
    saveFile(file, net);
    expect(new Uint8Array(readFileSync(file))).toEqual(save(net));
    const back = loadFile(file);
    expect(back.edges()).toEqual(net.edges());
    expect([...back.dropoutP]).toEqual([...net.dropoutP]);
    expect(leaves(back)).toEqual(leaves(net));
    const x = np.array([0.7]);
    expect(back.forward(x, { inference: true }).toArray()).toEqual(net.forward(x, { inference: true }).toArray());
  });

  it("a missing or unreadable file throws NetworkFileError naming the path, with the system error as cause", () => {
    const missing = join(dir, "nope.safetensors");
    let error: unknown;
    try {
      loadFile(missing);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NetworkFileError);
    expect((error as Error).message).toContain(JSON.stringify(missing));
    expect((error as { cause?: { code?: string } }).cause?.code).toBe("ENOENT");
  });

  it("a file that is not a network throws as cnx.load does", () => {
    const file = join(dir, "junk.safetensors");
    writeFileSync(file, new Uint8Array([1, 2, 3]));
    expect(() => loadFile(file)).toThrow(NetworkFileError);
  });

  it("rejects bad arguments, and writes no file for a network that cannot be saved", () => {
    expect(() => saveFile("", readme())).toThrow(InvalidOptionError);
    expect(() => saveFile(42 as never, readme())).toThrow(/path must be a non-empty string, got number/);
    expect(() => saveFile(join(dir, "x"), {} as never)).toThrow(/expected a NeuralNetwork, got object/);
    expect(() => loadFile(undefined as never)).toThrow(/loadFile: path must be a non-empty string, got undefined/);
    const custom = new NeuralNetwork({ graph: { 0: [1] }, inputNeurons: [0], outputNeurons: [1], hiddenActivation: (x: Tensor) => np.tanh(x) });
    const file = join(dir, "custom.safetensors");
    expect(() => saveFile(file, custom)).toThrow(UnregisteredActivationError);
    expect(existsSync(file)).toBe(false);
  });
});
