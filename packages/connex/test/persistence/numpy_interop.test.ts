/**
 * A saved network read by Python: NumPy parses the safetensors file by hand (no `safetensors`
 * package needed) and sends every tensor and the description back as JSON. Skips, saying why,
 * only where `python3` with NumPy is missing.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nn, random, tree, type Tensor } from "@connex/core";
import { NeuralNetwork } from "../../src/network.js";
import { save } from "../../src/persistence/save.js";

const READ_WITH_NUMPY = `
import json, struct, sys
import numpy as np
raw = open(sys.argv[1], "rb").read()
(n,) = struct.unpack("<Q", raw[:8])
header = json.loads(raw[8:8 + n])
meta = header.pop("__metadata__")
data = raw[8 + n:]
kinds = {"F32": "<f4", "F64": "<f8", "I32": "<i4", "U32": "<u4", "BOOL": "?"}
out = {}
for name, info in header.items():
    begin, end = info["data_offsets"]
    a = np.frombuffer(data[begin:end], dtype=kinds[info["dtype"]]).reshape(info["shape"])
    out[name] = {"dtype": str(a.dtype), "shape": list(a.shape), "values": a.astype(np.float64).ravel().tolist()}
net = json.loads(meta["network"])
# Every edge of the graph, by neuron id, to compare with the network's own edge list.
edges = [[net["neurons"][i], net["neurons"][j]] for i, succ in enumerate(net["successors"]) for j in succ]
print(json.dumps({"format": meta["format"], "tensors": out, "inputs": net["inputNeurons"], "outputs": net["outputNeurons"], "edges": edges}))
`;

function numpyAvailable(): string | null {
  const probe = spawnSync("python3", ["-c", "import numpy"], { encoding: "utf8" });
  if (probe.error) return `python3 is not available (${probe.error.message})`;
  if (probe.status !== 0) return `python3 has no NumPy (${probe.stderr.trim().split("\n").pop()})`;
  return null;
}

const NUMPY_DTYPE: Record<string, string> = { float32: "float32", float64: "float64", int32: "int32", uint32: "uint32", bool: "bool" };

describe("a saved network read with NumPy", () => {
  for (const dtype of ["float32", "float64"] as const) {
    it(`gives NumPy exactly the ${dtype} parameters and the graph`, (ctx) => {
      const missing = numpyAvailable();
      if (missing !== null) {
        ctx.skip(`skipped: ${missing}`);
        return;
      }
      const network = new NeuralNetwork({
        graph: { 0: [1, 2, 3], 1: [4], 2: [4, 5], 4: [6], 5: [7], 6: [8, 9], 7: [10], 8: [11], 9: [11], 10: [11] },
        inputNeurons: [0],
        outputNeurons: [3, 11],
        hiddenActivation: nn.relu,
        useTopoNorm: true,
        useNeuronSelfAttention: true,
        useAdaptiveActivations: true,
        dropoutP: 0.1,
        dtype,
        key: random.key(11),
      });
      const dir = mkdtempSync(join(tmpdir(), "connex-numpy-"));
      try {
        const file = join(dir, "network.safetensors");
        writeFileSync(file, save(network));
        const run = spawnSync("python3", ["-c", READ_WITH_NUMPY, file], { encoding: "utf8", maxBuffer: 64 << 20 });
        expect(run.stderr).toBe("");
        expect(run.status).toBe(0);
        const fromPython = JSON.parse(run.stdout);
        expect(fromPython.format).toBe("connex.network");
        expect(fromPython.inputs).toEqual([0]);
        expect(fromPython.outputs).toEqual([3, 11]);
        expect(fromPython.edges.sort()).toEqual(network.edges().map((e) => [...e]).sort());
        const leaves = tree.leavesWithPath(network);
        expect(Object.keys(fromPython.tensors).length).toBe(leaves.length);
        for (const [path, leaf] of leaves) {
          const t = leaf as Tensor;
          const got = fromPython.tensors[path.join(".")];
          expect(got, path.join(".")).toBeDefined();
          expect(got.dtype).toBe(NUMPY_DTYPE[t.dtype]);
          expect(got.shape).toEqual(t.shape);
          // float32 -> Python float -> JSON -> JS number is exact, so equality is bit equality.
          expect(got.values).toEqual(Array.from(t.toTypedArray()));
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
