import { describe, expect, it, vi } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nn, random } from "@connex/core";
import { NeuralNetwork } from "../../src/network.js";
import { show } from "../../src/node/show.js";

const readme = () =>
  new NeuralNetwork({
    graph: { 0: [1, 2, 3], 1: [4], 2: [4, 5], 4: [6], 5: [7], 6: [8, 9], 7: [10], 8: [11], 9: [11], 10: [11] },
    inputNeurons: [0],
    outputNeurons: [3, 11],
    hiddenActivation: nn.relu,
    key: random.key(0),
  });

describe("show (connex/node)", () => {
  it("sends the drawing to a notebook display", () => {
    const shown: string[] = [];
    const svg = show(readme(), { display: { svg: (s) => shown.push(s), html: () => {} } });
    expect(shown).toEqual([svg]);
    expect(svg).toContain("<svg");
    const plot = "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>";
    show(plot, { display: { svg: (s) => shown.push(s), html: () => {} } });
    expect(shown[1]).toBe(plot);
  });

  it("outside a notebook writes an SVG file and says where", () => {
    const dir = mkdtempSync(join(tmpdir(), "connex-show-"));
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      const file = join(dir, "net.svg");
      const svg = show(readme(), { file });
      expect(readFileSync(file, "utf8")).toBe(svg);
      expect(log).toHaveBeenCalledWith(`show: not in a notebook; wrote ${file}`);
    } finally {
      log.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects what it cannot show", () => {
    expect(() => show(42 as never)).toThrow(/expected a NeuralNetwork or an SVG string, got number/);
  });
});
