import { describe, expect, it } from "vitest";
import { PEER_WORKLOADS, PeerRunError, parsePeerOutput, peerEnvironment, selectPeers } from "./peers.js";

describe("parsePeerOutput", () => {
  it("reads the figure from the last JSON line, ignoring log noise", () => {
    const out = 'Platform node has already been set.\n{"peer":"tfjs-cpu","ms_per_step":99}\n{"peer":"tfjs-cpu","ms_per_step":12.5,"loss":0.3}\n';
    expect(parsePeerOutput(out, "ms_per_step")).toEqual({ ms: 12.5, json: { peer: "tfjs-cpu", ms_per_step: 12.5, loss: 0.3 } });
  });

  it("reads neataptic's per-epoch field", () => {
    expect(parsePeerOutput('{"peer":"neataptic","ms_per_epoch":0.32,"error":0.4}', "ms_per_epoch").ms).toBe(0.32);
  });

  it("fails without a usable figure instead of inventing one", () => {
    expect(() => parsePeerOutput("segfault\n", "ms_per_step")).toThrow(PeerRunError);
    expect(() => parsePeerOutput('{"ms_per_step":"fast"}', "ms_per_step")).toThrow(/no JSON line with a positive "ms_per_step"/);
    expect(() => parsePeerOutput('{"ms_per_step":0}', "ms_per_step")).toThrow(PeerRunError);
    expect(() => parsePeerOutput('{"ms_per_step": 3', "ms_per_step")).toThrow(PeerRunError);
  });
});

describe("selectPeers", () => {
  it("has the workloads the benchmarks compare against, with unique names", () => {
    expect(new Set(PEER_WORKLOADS.map((p) => p.name)).size).toBe(PEER_WORKLOADS.length);
    expect(selectPeers("dense").map((p) => p.library)).toEqual(["tfjs-wasm", "tfjs-cpu", "jax-js (jit)", "numpy+openblas"]);
    expect(selectPeers("small").map((p) => p.name)).toEqual(["tfjs-wasm-small", "tfjs-cpu-small", "neataptic-small"]);
  });

  it("leaves the one-thread NumPy variants out unless they are named", () => {
    expect(selectPeers("mnist").map((p) => p.name)).toEqual(["numpy-mnist", "tfjs-wasm-mnist", "tfjs-cpu-mnist"]);
    expect(selectPeers("mnist", ["numpy-mnist-1thread"]).map((p) => p.library)).toEqual(["numpy+openblas, 1 thread"]);
    expect(selectPeers("dense", ["numpy-dense", "numpy-dense-1thread"]).map((p) => p.name)).toEqual(["numpy-dense", "numpy-dense-1thread"]);
    // The same script and arguments as the default run: only the environment differs.
    for (const [one, all] of [["numpy-mnist-1thread", "numpy-mnist"], ["numpy-dense-1thread", "numpy-dense"]] as const) {
      const a = PEER_WORKLOADS.find((p) => p.name === one)!;
      const b = PEER_WORKLOADS.find((p) => p.name === all)!;
      expect([a.script, a.args(false), a.args(true)]).toEqual([b.script, b.args(false), b.args(true)]);
    }
  });

  it("gives a peer's child our environment with its own variables set", () => {
    const parent = { PATH: "/bin", OPENBLAS_NUM_THREADS: "2", OPENBLAS_CORETYPE: "Haswell", OPENBLAS_L2_SIZE: "1" };
    const one = peerEnvironment(PEER_WORKLOADS.find((p) => p.name === "numpy-mnist-1thread")!, parent);
    expect(one).toEqual({ PATH: "/bin", OPENBLAS_NUM_THREADS: "1" });
    const all = peerEnvironment(PEER_WORKLOADS.find((p) => p.name === "numpy-mnist")!, parent);
    expect(all).toEqual(parent);
    expect(all).not.toBe(parent);
    expect(parent.OPENBLAS_NUM_THREADS).toBe("2");
  });

  it("filters by --only names", () => {
    expect(selectPeers("small", ["neataptic-small", "jaxjs-dense"]).map((p) => p.name)).toEqual(["neataptic-small"]);
  });

  it("asks for fewer steps in quick mode", () => {
    const wasm = PEER_WORKLOADS.find((p) => p.name === "tfjs-wasm-dense")!;
    expect(wasm.args(false)).toEqual(["wasm", "30"]);
    expect(Number(wasm.args(true)[1])).toBeLessThan(30);
  });
});
