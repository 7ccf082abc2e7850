import { describe, expect, it, vi } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nn, random } from "@connex/core";
import { show } from "../../src/node/show.js";
import { readmeNetwork } from "../plasticity/testing/readme_network.js";

const readme = () => readmeNetwork({ hiddenActivation: nn.relu, key: random.key(0), dtype: "float32" });

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
